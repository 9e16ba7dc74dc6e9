/**
 * Publisher-chosen event ids as clients see them: a repeat replays the first answer, a reuse with
 * another body is 409 IDEMPOTENCY_CONFLICT (per event in a batch), and after HERALD_IDEMPOTENCY_WINDOW
 * the id is a new event. Time is an injected clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';

const WINDOW_MS = 3_600_000;

for (const backend of TEST_BACKENDS) {
  describe(`Idempotency keys (${backend})`, () => {
    const clock = new ManualClock(Date.UTC(2026, 0, 1));
    let herald: TestHerald;
    const events = '/v1/tenants/tenant_idem/events';

    before(async () => {
      herald = await startTestHerald(backend, { idempotencyWindowMs: WINDOW_MS }, { clock });
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_idem' } })).status, 201);
    });
    after(async () => {
      await herald.stop();
    });

    it('answers the same id with another event type or data 409 IDEMPOTENCY_CONFLICT, storing nothing', async () => {
      const body = { id: 'job-1', event: 'kpi.alert', data: { n: 1 } };
      const first = await herald.call('POST', events, { body });
      assert.equal(first.status, 202);
      for (const changed of [
        { ...body, data: { n: 2 } },
        { ...body, event: 'kpi.computed' },
      ]) {
        const conflict = await herald.call('POST', events, { body: changed });
        assert.equal(conflict.status, 409, JSON.stringify(conflict.body));
        assert.equal(conflict.body.error.code, 'IDEMPOTENCY_CONFLICT');
        assert.match(conflict.body.error.message, /job-1/);
      }
      const again = await herald.call('POST', events, { body });
      assert.equal(again.status, 202, 'the first body still replays');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      assert.deepEqual(again.body, first.body);
    });

    it('answers a batch per event: the conflicting one an error, the others stored', async () => {
      const stored = await herald.call('POST', events, {
        body: { id: 'job-2', event: 'kpi.alert', data: {} },
      });
      assert.equal(stored.status, 202);
      const batch = await herald.call('POST', `${events}/batch`, {
        body: {
          events: [
            { id: 'job-2', event: 'kpi.alert', data: { changed: true } },
            { id: 'job-3', event: 'kpi.alert', data: {} },
            { id: 'job-2', event: 'kpi.alert', data: {} },
            { id: 'job-3', event: 'kpi.alert', data: { changed: true } },
          ],
        },
      });
      assert.equal(batch.status, 202);
      const [conflict, fresh, replay, conflictInBatch] = batch.body.data;
      assert.equal(conflict.error.code, 'IDEMPOTENCY_CONFLICT');
      assert.equal(fresh.id, 'job-3');
      assert.deepEqual(replay, stored.body);
      assert.equal(conflictInBatch.error.code, 'IDEMPOTENCY_CONFLICT', 'a conflict within the batch too');
    });

    it('treats the id as a new event once the window has passed', async () => {
      const body = { id: 'job-4', event: 'kpi.alert', data: { n: 1 } };
      assert.equal((await herald.call('POST', events, { body })).status, 202);
      clock.advance(WINDOW_MS - 1);
      assert.equal((await herald.call('POST', events, { body: { ...body, data: { n: 2 } } })).status, 409);
      clock.advance(1);
      const reused = await herald.call('POST', events, { body: { ...body, data: { n: 2 } } });
      assert.equal(reused.status, 202, JSON.stringify(reused.body));
      assert.equal(reused.headers['idempotent-replayed'], undefined, 'a new event, not a replay');
      assert.equal(reused.body.timestamp, new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    });
  });
}
