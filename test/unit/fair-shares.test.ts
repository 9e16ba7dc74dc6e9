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
    retryAfterMs: null,
  };
}

const TIMED_OUT: AttemptResult = {
  statusCode: null,
  responseTimeMs: 10_000,
  attemptedAt: 0,
  error: 'timed out after 10s',
  responseBody: null,
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
  it('lets a lone tenant use all but the reserve', () => {
    const shares = new TenantShares(256);
    assert.equal(shares.roomFor('tenant_a', 256), 224, 'an eighth stays free');
    shares.add('tenant_a', 224);
    assert.equal(shares.roomFor('tenant_a', 32), 0);
  });

  it('serves a tenant that shows up from the reserve, up to its guaranteed share', () => {
    const shares = new TenantShares(256);
    shares.add('tenant_a', 224);
    assert.equal(shares.roomFor('tenant_b', 32), 32, 'the whole reserve');
    shares.add('tenant_b', 32);
    assert.equal(shares.roomFor('tenant_b', 0), 0, 'nothing is free');
    shares.remove('tenant_a', 100);
    // 100 free: past the 53 that would bring tenant_b to its guaranteed 85 (256 split by two tenants
    // and a third to come), it may grow until 32 are left free.
    assert.equal(shares.roomFor('tenant_b', 100), 68);
    assert.equal(shares.roomFor('tenant_a', 100), 68, 'past its share only down to the reserve');
  });

  it('names the room of the tenants holding work, and of any other, for a claim', () => {
    const shares = new TenantShares(16);
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
