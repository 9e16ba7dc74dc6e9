import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { buildEvent } from '../../src/core/payload.js';
import type { AttemptOutcome } from '../../src/core/types.js';
import { HealthMonitor } from '../../src/delivery/health-monitor.js';
import { openSqliteStore, type SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { testSecretBox } from '../support/secrets.js';

const TENANT = 'tenant_abc123';
const DAY = 86_400_000;

describe('HealthMonitor', () => {
  let store: SqliteStore;
  let clock: ManualClock;
  let monitor: HealthMonitor;

  async function addWebhook(id: string, events: string[]): Promise<void> {
    await store.createWebhook({
      id,
      tenantId: TENANT,
      url: `http://127.0.0.1:9/${id}`,
      description: '',
      events,
      status: 'active',
      secret: null,
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  }

  /** One attempt to each webhook subscribed to kpi.alert, answered as `verdicts` says, at the clock's time. */
  async function attemptAll(verdicts: Record<string, AttemptOutcome['verdict']>): Promise<void> {
    const now = clock.now();
    const event = buildEvent({ id: `evt_${now}`, tenantId: TENANT, event: 'kpi.alert', data: {}, now });
    await store.publishEvents([event], now);
    const claimed = await store.claimDueDeliveries({
      owner: 'test',
      now,
      leaseUntil: now + 60_000,
      limit: 100,
      perWebhookLimit: 100,
    });
    const outcomes = claimed.map((delivery): AttemptOutcome => {
      const verdict = verdicts[delivery.webhookId] ?? 'succeeded';
      const base = {
        deliveryId: delivery.id,
        lease: delivery.lease,
        attemptedAt: now,
        responseTimeMs: 5,
        statusCode: verdict === 'succeeded' ? 200 : 500,
        error: verdict === 'succeeded' ? null : 'HTTP 500',
        responseBody: null,
        requestHeaders: null,
      };
      return verdict === 'retry' ? { ...base, verdict, nextAttemptAt: now + 60_000 } : { ...base, verdict };
    });
    await store.completeDeliveries(outcomes, now);
  }

  beforeEach(async () => {
    clock = new ManualClock();
    store = openSqliteStore(':memory:', { secrets: testSecretBox() });
    await store.migrate();
    await store.createTenant({ id: TENANT, name: TENANT, createdAt: clock.now() });
    await addWebhook('wh_dead', ['kpi.alert']);
    await addWebhook('wh_flaky', ['kpi.alert']);
    await addWebhook('wh_watch', ['webhook.disabled']);
    monitor = new HealthMonitor({ store, clock, disableAfterMs: 5 * DAY });
  });
  afterEach(async () => {
    await store.close();
  });

  it('disables a webhook whose every attempt has failed for HERALD_DISABLE_AFTER, and tells its tenant', async () => {
    const failingFrom = clock.now();
    await attemptAll({ wh_dead: 'dead', wh_flaky: 'dead' });
    clock.advance(DAY);
    await attemptAll({ wh_dead: 'dead', wh_flaky: 'succeeded' });
    clock.advance(2 * DAY);
    await attemptAll({ wh_dead: 'dead', wh_flaky: 'dead' });

    clock.set(failingFrom + 5 * DAY - 1);
    assert.equal(await monitor.sweep(), 0, 'a millisecond short of five days');
    clock.advance(1);
    assert.equal(await monitor.sweep(), 1);

    const dead = await store.getWebhook(TENANT, 'wh_dead');
    assert.equal(dead?.status, 'disabled');
    assert.equal(
      dead?.disabledReason,
      `Every attempt failed for 5d (since ${new Date(failingFrom).toISOString()}).`,
    );
    assert.equal(
      (await store.getWebhook(TENANT, 'wh_flaky'))?.status,
      'active',
      'its success reset the clock',
    );

    const [notice] = await store.claimDueDeliveries({
      owner: 'test',
      now: clock.now(),
      leaseUntil: clock.now() + 60_000,
      limit: 10,
      perWebhookLimit: 10,
      webhookRooms: new Map([['wh_flaky', 0]]),
    });
    assert.equal(notice?.webhookId, 'wh_watch');
    assert.equal(notice?.event, 'webhook.disabled');
    const body = JSON.parse(notice?.payload.toString() ?? '{}');
    assert.deepEqual(body.data, {
      webhookId: 'wh_dead',
      url: 'http://127.0.0.1:9/wh_dead',
      reason: dead?.disabledReason,
      failingSince: new Date(failingFrom).toISOString(),
    });
    assert.equal(await monitor.sweep(), 0, 'a disabled webhook is not disabled twice');
  });
});
