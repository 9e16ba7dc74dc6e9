import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptResult } from '../../src/core/types.js';
import { TenantShares } from '../../src/delivery/tenant-shares.js';
import { WebhookConcurrency } from '../../src/delivery/webhook-concurrency.js';

function answered(responseTimeMs: number): AttemptResult {
  return {
    statusCode: 200,
    responseTimeMs,
    attemptedAt: 0,
    error: null,
    responseBody: null,
    requestHeaders: null,
    retryAfterMs: null,
  };
}

const TIMED_OUT: AttemptResult = {
  statusCode: null,
  responseTimeMs: 10_000,
  attemptedAt: 0,
  error: 'timed out after 10s',
  responseBody: null,
  requestHeaders: null,
  retryAfterMs: null,
};

describe('WebhookConcurrency', () => {
  it('starts a webhook at four, climbs by one per answer to the maximum, and drops to one on a timeout', () => {
    const limits = new WebhookConcurrency(64);
    assert.equal(limits.limitOf('wh_new'), 4);
    for (let i = 0; i < 100; i++) limits.record('wh_fast', answered(5));
    assert.equal(limits.limitOf('wh_fast'), 64);
    limits.record('wh_fast', TIMED_OUT);
    assert.equal(limits.limitOf('wh_fast'), 1);
  });

  it('gives a slow webhook fewer slots, however often it succeeds', () => {
    const limits = new WebhookConcurrency(64);
    for (const [webhookId, latencyMs, expected] of [
      ['wh_100ms', 100, 64],
      ['wh_1s', 1_000, 6],
      ['wh_2s', 2_000, 3],
      ['wh_9500ms', 9_500, 1],
    ] as const) {
      for (let i = 0; i < 100; i++) limits.record(webhookId, answered(latencyMs));
      assert.equal(limits.limitOf(webhookId), expected, webhookId);
    }
  });

  it('gives slots back as a webhook speeds up again', () => {
    const limits = new WebhookConcurrency(64);
    for (let i = 0; i < 20; i++) limits.record('wh_mood', answered(9_500));
    assert.equal(limits.limitOf('wh_mood'), 1);
    for (let i = 0; i < 60; i++) limits.record('wh_mood', answered(5));
    assert.equal(limits.limitOf('wh_mood'), 64, 'its latency average and its climb both recover');
  });
});

describe('TenantShares', () => {
  it("lets a lone tenant use all but the reserve, one webhook's full share", () => {
    const shares = new TenantShares(256, 64);
    assert.equal(shares.roomFor('tenant_a', 256), 192, '64 stay free');
    shares.add('tenant_a', 192);
    assert.equal(shares.roomFor('tenant_a', 64), 0);
  });

  it('keeps a reserve of at least an eighth and at most half of the slots', () => {
    assert.equal(new TenantShares(256, 8).roomFor('tenant_a', 256), 224, 'an eighth');
    assert.equal(new TenantShares(100, 80).roomFor('tenant_a', 100), 50, 'half');
  });

  it('serves a tenant that shows up from the reserve, up to its guaranteed share', () => {
    const shares = new TenantShares(256, 64);
    shares.add('tenant_a', 192);
    assert.equal(shares.roomFor('tenant_b', 64), 64, 'the whole reserve');
    shares.add('tenant_b', 64);
    assert.equal(shares.roomFor('tenant_b', 0), 0, 'nothing is free');
    shares.remove('tenant_a', 100);
    // 100 free: tenant_b may grow to its guaranteed 85 (256 split by two tenants and a third to
    // come), 21 more, or until the reserve is all that is free, 36 more: the larger.
    assert.equal(shares.roomFor('tenant_b', 100), 36);
    assert.equal(shares.roomFor('tenant_a', 100), 36, 'past its share only down to the reserve');
  });

  it('names the room of the tenants holding work, and of any other, for a claim', () => {
    const shares = new TenantShares(16, 2);
    shares.add('tenant_a', 10);
    shares.add('tenant_b', 2);
    const { rooms, others } = shares.claimRooms(4);
    assert.deepEqual(Object.fromEntries(rooms), { tenant_a: 2, tenant_b: 3 });
    assert.equal(others, 4);
    shares.remove('tenant_b', 2);
    assert.deepEqual(
      [...shares.claimRooms(6).rooms.keys()],
      ['tenant_a'],
      'a tenant holding nothing is forgotten',
    );
  });
});
