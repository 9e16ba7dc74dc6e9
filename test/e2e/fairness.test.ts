import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

/** Publishes `kpi.computed` for `tenant` every `everyMs` until the returned stop function is called. */
function steadyPublisher(herald: TestHerald, tenant: string, everyMs: number): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    let n = 0;
    while (running) {
      const published = await herald.call('POST', `/v1/tenants/${tenant}/events`, {
        body: { event: 'kpi.computed', data: { n: n++, sentAt: Date.now() } },
      });
      assert.equal(published.status, 202);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return async () => {
    running = false;
    await loop;
  };
}

for (const backend of TEST_BACKENDS) {
  describe(`fair delivery (${backend})`, () => {
    let herald: TestHerald;
    let receiver: Receiver;

    before(async () => {
      receiver = await new Receiver().start();
      // Production's poll interval: the retry below must not wait for traffic to stop.
      herald = await startTestHerald(backend, {
        retrySchedule: [2_000],
        pollIntervalMs: 1_000,
        deliveryTimeoutMs: 8_000,
      });
      for (const id of ['tenant_busy', 'tenant_retry']) {
        assert.equal((await herald.call('POST', '/v1/tenants', { body: { id } })).status, 201);
      }
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('attempts a retry within 1 s of its due time while other traffic flows and deliveries are held', async () => {
      receiver.reply('/hang', { status: 200, hang: true });
      receiver.reply('/flaky', { status: 500 });
      for (const [tenant, path, events] of [
        ['tenant_busy', '/hang', ['kpi.alert']],
        ['tenant_busy', '/steady', ['kpi.computed']],
        ['tenant_retry', '/flaky', ['kpi.alert']],
      ] as const) {
        const created = await herald.call('POST', `/v1/tenants/${tenant}/webhooks`, {
          body: { url: receiver.url(path), events },
        });
        assert.equal(created.status, 201);
      }
      // Deliveries held for seconds by a receiver that never answers, and a steady flow beside them.
      for (let i = 0; i < 4; i++) {
        await herald.call('POST', '/v1/tenants/tenant_busy/events', {
          body: { event: 'kpi.alert', data: { i } },
        });
      }
      await receiver.waitFor('/hang', 4);
      const stopPublishing = steadyPublisher(herald, 'tenant_busy', 20);
      try {
        await herald.call('POST', '/v1/tenants/tenant_retry/events', {
          body: { event: 'kpi.alert', data: {} },
        });
        const [first] = await receiver.waitFor('/flaky', 1);
        receiver.reply('/flaky', { status: 200 });
        const [, retry] = await receiver.waitFor('/flaky', 2, 6_000);
        const late = (retry?.receivedAt ?? 0) - ((first?.receivedAt ?? 0) + 2_000);
        assert.ok(late >= -20, `the retry came ${late} ms before it was due`);
        assert.ok(late <= 1_000, `the retry came ${late} ms after it was due`);
        assert.ok(receiver.at('/steady').length > 50, 'traffic kept flowing meanwhile');
      } finally {
        await stopPublishing();
      }
    });
  });
}
