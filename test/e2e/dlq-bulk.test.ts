import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const HOUR = 3_600_000;

function assertError(response: { status: number; body: any }, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
}

for (const backend of TEST_BACKENDS) {
  describe(`finding and replaying dead letters in bulk (${backend})`, () => {
    const clock = new ManualClock();
    let herald: TestHerald;
    let receiver: Receiver;
    let tenantCount = 0;

    /** A tenant of its own per test, with one failing webhook per path given. */
    async function tenantWith(...paths: string[]): Promise<{ t: string; hooks: string[] }> {
      tenantCount += 1;
      const id = `tenant_bulk_${tenantCount}`;
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id } })).status, 201);
      const t = `/v1/tenants/${id}`;
      const hooks: string[] = [];
      for (const path of paths) {
        receiver.reply(`/${id}${path}`, { status: 503, body: `{"error":"down for ${path}"}` });
        const created = await herald.call('POST', `${t}/webhooks`, {
          body: { url: receiver.url(`/${id}${path}`), description: `Hook ${path}` },
        });
        assert.equal(created.status, 201, JSON.stringify(created.body));
        hooks.push(created.body.id);
      }
      return { t, hooks };
    }

    /** Publishes one event per type and waits until each failed into the DLQ at every webhook. */
    async function fail(t: string, types: string[], webhooks: number): Promise<void> {
      const total = async () => (await herald.call('GET', `${t}/dlq?limit=1`)).body.total as number;
      const expected = (await total()) + types.length * webhooks;
      for (const event of types) {
        const published = await herald.call('POST', `${t}/events`, { body: { event, data: {} } });
        assert.equal(published.status, 202, JSON.stringify(published.body));
      }
      await eventually(async () => ((await total()) === expected ? true : undefined), 'the dead letters');
    }

    before(async () => {
      receiver = await new Receiver().start();
      // No retries: the first failure is a dead letter, stamped by the injected clock.
      herald = await startTestHerald(backend, { retrySchedule: [] }, { clock });
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('filters by event type and time, totals every page, and shows the last response', async () => {
      const { t, hooks } = await tenantWith('/a');
      const start = clock.now();
      await fail(t, ['kpi.alert', 'ingestion.completed', 'kpi.alert'], 1);
      clock.advance(HOUR);
      await fail(t, ['kpi.alert'], 1);

      const alerts = await herald.call('GET', `${t}/dlq?limit=2&event=kpi.alert`);
      assert.equal(alerts.status, 200);
      assert.deepEqual([alerts.body.data.length, alerts.body.total], [2, 3]);
      const next = await herald.call(
        'GET',
        `${t}/dlq?limit=2&event=kpi.alert&cursor=${alerts.body.nextCursor}`,
      );
      assert.deepEqual([next.body.data.length, next.body.total, next.body.nextCursor], [1, 3, null]);

      const later = new Date(start + HOUR).toISOString();
      const recent = await herald.call('GET', `${t}/dlq?after=${later}&webhookId=${hooks[0]}`);
      assert.deepEqual([recent.body.total, recent.body.data[0]?.event], [1, 'kpi.alert']);
      const older = await herald.call('GET', `${t}/dlq?before=${later}`);
      assert.equal(older.body.total, 3);

      const [letter] = alerts.body.data;
      assert.equal(letter.lastAttempt.statusCode, 503);
      assert.equal(letter.lastAttempt.responseBody, undefined, 'lists leave the bodies out');
      const one = await herald.call('GET', `${t}/dlq/${letter.id}`);
      assert.deepEqual(one.body.lastAttempt, {
        deliveryId: letter.lastAttempt.deliveryId,
        statusCode: 503,
        responseBody: '{"error":"down for /a"}',
      });
      const attempts = await herald.call('GET', `${t}/dlq/${letter.id}/attempts`);
      assert.deepEqual(
        attempts.body.data.map((a: any) => [a.id, a.status, a.statusCode, a.eventId]),
        [[letter.lastAttempt.deliveryId, 'failed', 503, letter.eventId]],
      );
      assertError(await herald.call('GET', `${t}/dlq/dlq_nope/attempts`), 404, 'DEAD_LETTER_NOT_FOUND');
      assertError(
        await herald.call('GET', `${t}/dlq?after=${later}&before=${new Date(start).toISOString()}`),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('counts a replay first, replays what matches and says what it skipped and why', async () => {
      const { t, hooks } = await tenantWith('/on', '/off');
      const [on, off] = hooks as [string, string];
      await fail(t, ['kpi.alert', 'ingestion.completed'], 2);
      const disabled = await herald.call('PATCH', `${t}/webhooks/${off}`, { body: { status: 'disabled' } });
      assert.equal(disabled.status, 200, JSON.stringify(disabled.body));

      const dry = await herald.call('POST', `${t}/dlq/replay-all`, {
        body: { event: 'kpi.alert', dryRun: true },
      });
      assert.equal(dry.status, 200);
      assert.deepEqual(dry.body, {
        replayed: 1,
        dryRun: true,
        skipped: [
          {
            webhookId: off,
            url: receiver.url(`/${t.split('/').pop()}/off`),
            description: 'Hook /off',
            reason: 'webhook_disabled',
            disabledReason: null,
            count: 1,
          },
        ],
      });
      assert.equal((await herald.call('GET', `${t}/dlq`)).body.total, 4, 'a dry run changes nothing');

      receiver.reply(`/${t.split('/').pop()}/on`, { status: 200 });
      const done = await herald.call('POST', `${t}/dlq/replay-all`, { body: { event: 'kpi.alert' } });
      assert.equal(done.status, 202);
      assert.deepEqual([done.body.replayed, done.body.dryRun, done.body.skipped[0]?.count], [1, false, 1]);
      const left = (await herald.call('GET', `${t}/dlq?limit=10`)).body;
      assert.deepEqual(left.data.map((l: any) => `${l.webhookId === on ? 'on' : 'off'}/${l.event}`).sort(), [
        'off/ingestion.completed',
        'off/kpi.alert',
        'on/ingestion.completed',
      ]);
      await eventually(
        async () => ((await herald.call('GET', `${t}/dlq/replays`)).body.total === 0 ? true : undefined),
        'the replay delivered',
      );

      const selected = left.data.map((l: any) => l.id);
      const bulk = await herald.call('POST', `${t}/dlq/replay-all`, { body: { ids: selected } });
      assert.deepEqual([bulk.body.replayed, bulk.body.skipped[0]?.count], [1, 2], 'the disabled one stays');
      const discarded = await herald.call('POST', `${t}/dlq/discard`, { body: { ids: selected } });
      assert.deepEqual(discarded.body, { discarded: 2 });
      assert.equal((await herald.call('GET', `${t}/dlq`)).body.total, 0);
      assertError(
        await herald.call('POST', `${t}/dlq/replay-all`, { body: { ids: [] } }),
        422,
        'VALIDATION_FAILED',
      );
    });

    it('lists a replay under way until its attempt succeeds', async () => {
      const { t, hooks } = await tenantWith('/slow');
      await fail(t, ['kpi.alert'], 1);
      // The receiver holds the replayed attempt long enough for the replay to be seen under way.
      receiver.reply(`/${t.split('/').pop()}/slow`, { status: 200, delayMs: 1500 });
      const replayed = await herald.call('POST', `${t}/dlq/replay-all`, { body: {} });
      assert.equal(replayed.body.replayed, 1);
      const underWay = await herald.call('GET', `${t}/dlq/replays?webhookId=${hooks[0]}`);
      assert.equal(underWay.status, 200);
      assert.deepEqual(
        [underWay.body.total, underWay.body.data[0]?.trigger, underWay.body.data[0]?.status],
        [1, 'replay', 'pending'],
      );
      await eventually(
        async () => ((await herald.call('GET', `${t}/dlq/replays`)).body.total === 0 ? true : undefined),
        'the replay delivered',
      );
      assert.equal((await herald.call('GET', `${t}/dlq`)).body.total, 0, 'and not back in the DLQ');
    });
  });
}
