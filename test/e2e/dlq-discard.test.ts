import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { Receiver } from '../support/receiver.js';

const HOUR = 3_600_000;
const JSON_HEADERS = { 'content-type': 'application/json' };

function assertError(response: { status: number; body: any }, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
}

for (const backend of TEST_BACKENDS) {
  describe(`discarding dead letters (${backend})`, () => {
    const clock = new ManualClock();
    const t = '/v1/tenants/tenant_dlq';
    let herald: TestHerald;
    let receiver: Receiver;
    let hookA: string;
    let hookB: string;

    async function register(path: string): Promise<string> {
      receiver.reply(path, { status: 500 });
      const created = await herald.call('POST', `${t}/webhooks`, { body: { url: receiver.url(path) } });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body.id;
    }

    async function deadLetters(query = ''): Promise<any[]> {
      return (await herald.call('GET', `${t}/dlq?limit=100${query}`)).body.data;
    }

    /** Publishes `count` events now and waits until each has failed into the DLQ at both webhooks. */
    async function failEvents(count: number): Promise<void> {
      const before = (await deadLetters()).length;
      for (let i = 0; i < count; i++) {
        const published = await herald.call('POST', `${t}/events`, {
          body: { event: 'kpi.alert', data: { i } },
        });
        assert.equal(published.status, 202);
      }
      await eventually(
        async () => ((await deadLetters()).length === before + 2 * count ? true : undefined),
        'the dead letters',
      );
    }

    before(async () => {
      receiver = await new Receiver().start();
      // No retries: the first failure is a dead letter, stamped by the injected clock.
      herald = await startTestHerald(backend, { retrySchedule: [] }, { clock });
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_dlq' } })).status, 201);
      hookA = await register('/a');
      hookB = await register('/b');
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('discards one dead letter: it leaves the DLQ, its attempts stay in the history', async () => {
      await failEvents(1);
      const [letter] = await deadLetters(`&webhookId=${hookA}`);
      assert.ok(letter);
      const discarded = await herald.call('DELETE', `${t}/dlq/${letter.id}`);
      assert.equal(discarded.status, 204);
      assertError(await herald.call('GET', `${t}/dlq/${letter.id}`), 404, 'DEAD_LETTER_NOT_FOUND');
      assertError(await herald.call('DELETE', `${t}/dlq/${letter.id}`), 404, 'DEAD_LETTER_NOT_FOUND');
      assertError(await herald.call('DELETE', `${t}/dlq/garbage`), 404, 'DEAD_LETTER_NOT_FOUND');
      assertError(await herald.call('POST', `${t}/dlq/${letter.id}/replay`), 404, 'DEAD_LETTER_NOT_FOUND');
      const history = (await herald.call('GET', `${t}/webhooks/${hookA}/deliveries`)).body.data;
      assert.deepEqual(
        history.map((row: any) => [row.eventId, row.status]),
        [[letter.eventId, 'failed']],
      );
      assert.equal((await deadLetters(`&webhookId=${hookB}`)).length, 1, 'the other webhook keeps its own');
    });

    it('discards in bulk by webhook and time range, answering how many it discarded', async () => {
      await herald.call('POST', `${t}/dlq/discard`, { raw: '', headers: JSON_HEADERS });
      const start = clock.now();
      await failEvents(2);
      clock.advance(HOUR);
      await failEvents(3);
      clock.advance(HOUR);
      await failEvents(1);
      const iso = (ms: number) => new Date(ms).toISOString();

      const middle = await herald.call('POST', `${t}/dlq/discard`, {
        body: { webhookId: hookA, after: iso(start + HOUR), before: iso(start + 2 * HOUR) },
      });
      assert.deepEqual([middle.status, middle.body], [200, { discarded: 3 }]);
      assert.equal((await deadLetters(`&webhookId=${hookA}`)).length, 3, 'the first and last hour stay');
      assert.equal((await deadLetters(`&webhookId=${hookB}`)).length, 6, 'the other webhook untouched');

      const older = await herald.call('POST', `${t}/dlq/discard`, { body: { before: iso(start + HOUR) } });
      assert.deepEqual(older.body, { discarded: 4 }, 'the first hour of both webhooks');
      const all = await herald.call('POST', `${t}/dlq/discard`, { raw: '', headers: JSON_HEADERS });
      assert.deepEqual([all.status, all.body], [200, { discarded: 5 }]);
      assert.deepEqual(await deadLetters(), []);
    });

    it('refuses an unknown webhook, a malformed time, an empty range or an unknown field', async () => {
      assertError(
        await herald.call('POST', `${t}/dlq/discard`, { body: { webhookId: 'wh_missing' } }),
        404,
        'WEBHOOK_NOT_FOUND',
      );
      assertError(
        await herald.call('POST', `${t}/dlq/discard`, { body: { before: 'yesterday' } }),
        422,
        'VALIDATION_FAILED',
      );
      const emptyRange = await herald.call('POST', `${t}/dlq/discard`, {
        body: { after: '2026-01-02T00:00:00Z', before: '2026-01-01T00:00:00Z' },
      });
      assertError(emptyRange, 422, 'VALIDATION_FAILED');
      assert.match(emptyRange.body.error.message, /must be earlier than/);
      assertError(
        await herald.call('POST', `${t}/dlq/discard`, { body: { status: 'x' } }),
        422,
        'VALIDATION_FAILED',
      );
    });
  });
}
