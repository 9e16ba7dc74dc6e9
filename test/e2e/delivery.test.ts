import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, Receiver } from '../support/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PLAIN_SECRET = 'my-plain-shared-secret';
const DOCUMENTED_EVENTS = [
  'ingestion.completed',
  'ingestion.failed',
  'kpi.computed',
  'kpi.alert',
  'analysis.completed',
  'dashboard.ready',
];

/** The verification snippet from the product docs, unchanged but for the variable names. */
function docsSnippetAccepts(secret: string, request: ReceivedRequest): boolean {
  const signature = createHmac('sha256', secret).update(request.body).digest('hex');
  return `sha256=${signature}` === request.headers['x-webhook-signature'];
}

function standardWebhooksAccepts(secret: string, request: ReceivedRequest): unknown {
  const key = secret.startsWith('whsec_') ? secret : Buffer.from(secret).toString('base64');
  return new StandardWebhook(key).verify(request.body.toString('utf8'), {
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });
}

for (const backend of TEST_BACKENDS) {
  describe(`delivery end to end (${backend})`, () => {
    let herald: TestHerald;
    let receiver: Receiver;
    const tenant = 'tenant_abc123';
    const t = `/v1/tenants/${tenant}`;

    async function register(path: string, extra: Record<string, unknown> = {}): Promise<{ id: string }> {
      const created = await herald.call('POST', `${t}/webhooks`, {
        body: { url: receiver.url(path), ...extra },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body;
    }

    async function publish(event: string, data: unknown, id?: string): Promise<any> {
      const published = await herald.call('POST', `${t}/events`, {
        body: { event, data, ...(id ? { id } : {}) },
      });
      assert.equal(published.status, 202, JSON.stringify(published.body));
      return published.body;
    }

    async function history(webhookId: string, query = ''): Promise<any[]> {
      return (await herald.call('GET', `${t}/webhooks/${webhookId}/deliveries${query}`)).body.data;
    }

    async function deadLetters(webhookId: string): Promise<any[]> {
      return (await herald.call('GET', `${t}/dlq?webhookId=${webhookId}`)).body.data;
    }

    before(async () => {
      receiver = await new Receiver().start();
      herald = await startTestHerald(backend, { retrySchedule: [150, 150, 150], deliveryTimeoutMs: 500 });
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: tenant } })).status, 201);
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('delivers every documented event type with the exact payload and valid signatures', async () => {
      const signed = await register('/signed', { secret: SECRET });
      const plain = await register('/plain', { secret: PLAIN_SECRET });
      const unsigned = await register('/unsigned');
      const published: any[] = [];
      for (const [index, event] of DOCUMENTED_EVENTS.entries()) {
        const data = { jobId: `job_${index}`, table: 'sales_data', rowsIngested: 15234, duration: 3200 };
        published.push({ ...(await publish(event, data)), data });
      }
      for (const body of published) assert.equal(body.deliveries, 3);

      for (const path of ['/signed', '/plain', '/unsigned']) {
        const requests = await receiver.waitFor(path, DOCUMENTED_EVENTS.length);
        for (const request of requests) {
          const sent = published.find((p) => p.id === request.headers['webhook-id']);
          assert.ok(sent, `webhook-id ${request.headers['webhook-id']} is the event id`);
          const expected = `{"event":"${sent.event}","timestamp":"${sent.timestamp}","tenantId":"${tenant}","data":${JSON.stringify(sent.data)}}`;
          assert.equal(request.body.toString('utf8'), expected, 'documented payload, keys in order');
          assert.equal(request.method, 'POST');
          assert.equal(request.headers['content-type'], 'application/json');
          assert.match(String(request.headers['user-agent']), /^Herald\/\d+\.\d+\.\d+$/);
          const timestamp = Number(request.headers['webhook-timestamp']);
          assert.ok(Math.abs(timestamp - Date.now() / 1000) < 60, 'webhook-timestamp is now, in seconds');
        }
      }
      for (const request of receiver.at('/signed')) {
        assert.ok(docsSnippetAccepts(SECRET, request), 'the docs snippet verifies X-Webhook-Signature');
        assert.deepEqual(standardWebhooksAccepts(SECRET, request), JSON.parse(request.body.toString()));
        assert.equal(docsSnippetAccepts('another-secret-entirely', request), false);
      }
      for (const request of receiver.at('/plain')) {
        assert.ok(docsSnippetAccepts(PLAIN_SECRET, request));
        assert.deepEqual(standardWebhooksAccepts(PLAIN_SECRET, request), JSON.parse(request.body.toString()));
      }
      for (const request of receiver.at('/unsigned')) {
        assert.equal(request.headers['x-webhook-signature'], undefined);
        assert.equal(request.headers['webhook-signature'], undefined);
        assert.ok(request.headers['webhook-id']);
      }
      const rows = await eventually(async () => {
        const all = await history(signed.id);
        return all.length === 6 && all.every((row) => row.status === 'succeeded') ? all : undefined;
      }, 'six succeeded deliveries in the history');
      for (const row of rows) {
        assert.equal(row.statusCode, 200);
        assert.equal(row.attempt, 1);
        assert.equal(row.error, null);
        assert.equal(row.nextAttemptAt, null);
        assert.equal(typeof row.responseTimeMs, 'number');
        assert.ok(!Number.isNaN(Date.parse(row.timestamp)));
        assert.equal(row.webhookId, signed.id);
      }
      assert.deepEqual(
        rows.map((row) => row.event),
        [...DOCUMENTED_EVENTS].reverse(),
        'newest first',
      );
      void plain;
      void unsigned;
    });

    it('sends only the event types a webhook subscribed to', async () => {
      const alerts = await register('/alerts-only', { events: ['kpi.alert'] });
      const disabled = await register('/disabled');
      await herald.call('PATCH', `${t}/webhooks/${disabled.id}`, { body: { status: 'disabled' } });
      await publish('ingestion.completed', { n: 1 });
      const alert = await publish('kpi.alert', { n: 2 });
      const [received] = await receiver.waitFor('/alerts-only', 1);
      assert.equal(received?.headers['webhook-id'], alert.id);
      await eventually(async () => ((await history(alerts.id)).length === 1 ? true : undefined), 'one row');
      assert.equal(receiver.at('/alerts-only').length, 1);
      assert.equal(receiver.at('/disabled').length, 0);
      assert.deepEqual(await history(disabled.id), []);
    });

    it('delivers an idempotent publish once', async () => {
      await register('/idempotent');
      const first = await publish('kpi.computed', { v: 1 }, 'kpi-2025-01-15');
      const again = await publish('kpi.computed', { v: 1 }, 'kpi-2025-01-15');
      assert.deepEqual(again, first);
      await receiver.waitFor('/idempotent', 1);
      await publish('kpi.alert', { marker: true }); // a later event overtakes any late duplicate
      await eventually(() => (receiver.at('/idempotent').length === 2 ? true : undefined), 'the marker');
      assert.equal(
        receiver.at('/idempotent').filter((r) => r.headers['webhook-id'] === 'kpi-2025-01-15').length,
        1,
      );
    });

    it('runs the Test action at once and records it, success or failure, never retried', async () => {
      const hook = await register('/test-ok');
      const ok = await herald.call('POST', `${t}/webhooks/${hook.id}/test`);
      assert.equal(ok.status, 200);
      assert.equal(ok.body.status, 'succeeded');
      assert.equal(ok.body.statusCode, 200);
      assert.equal(ok.body.event, 'webhook.test');
      assert.equal(ok.body.trigger, 'test');
      assert.equal(typeof ok.body.responseTimeMs, 'number');
      const [sent] = receiver.at('/test-ok');
      assert.equal(JSON.parse(String(sent?.body)).event, 'webhook.test');

      receiver.reply('/test-fail', { status: 503, body: 'maintenance' });
      const failing = await register('/test-fail');
      const failed = await herald.call('POST', `${t}/webhooks/${failing.id}/test`);
      assert.equal(failed.status, 200);
      assert.deepEqual(
        [failed.body.status, failed.body.statusCode, failed.body.error],
        ['failed', 503, 'HTTP 503'],
      );
      assert.equal(failed.body.nextAttemptAt, null);
      await new Promise((resolve) => setTimeout(resolve, 500)); // three retry intervals: none may come
      assert.equal(receiver.at('/test-fail').length, 1);
      assert.deepEqual(await deadLetters(failing.id), []);
      const rows = await history(failing.id);
      assert.deepEqual(
        rows.map((row) => [row.trigger, row.status]),
        [['test', 'failed']],
      );
      const detail = await herald.call('GET', `${t}/deliveries/${rows[0].id}`);
      assert.equal(detail.body.responseBody, 'maintenance');
      assert.equal(detail.body.request.url, receiver.url('/test-fail'));
      assert.equal(detail.body.request.headers['webhook-id'], rows[0].eventId);
      assert.equal(JSON.parse(detail.body.request.body).event, 'webhook.test');
    });

    it('retries a failing receiver on the schedule, then moves the event to the DLQ with its error', async () => {
      receiver.reply('/flaky', { status: 500, body: 'boom' });
      const hook = await register('/flaky', { secret: SECRET });
      const event = await publish('ingestion.failed', { jobId: 'job_1' });
      const attempts = await receiver.waitFor('/flaky', 4);
      const gaps = attempts
        .slice(1)
        .map((a, i) => a.receivedAt - (attempts[i] as ReceivedRequest).receivedAt);
      for (const gap of gaps)
        assert.ok(gap >= 140, `retry came ${gap} ms after the attempt before: the schedule says 150`);
      assert.ok(
        attempts.every((a) => a.headers['webhook-id'] === event.id),
        'one webhook-id on every attempt',
      );
      assert.equal(
        new Set(attempts.map((a) => a.body.toString())).size,
        1,
        'the same bytes on every attempt',
      );
      const [letter] = await eventually(async () => {
        const letters = await deadLetters(hook.id);
        return letters.length === 1 ? letters : undefined;
      }, 'the dead letter');
      assert.equal(letter.error, 'HTTP 500');
      assert.equal(letter.attempts, 4);
      assert.equal(letter.eventId, event.id);
      assert.equal(letter.event, 'ingestion.failed');
      assert.equal(letter.url, receiver.url('/flaky'));
      assert.equal(letter.payload, undefined);
      const withPayload = await herald.call('GET', `${t}/dlq/${letter.id}`);
      assert.equal(withPayload.body.payload, attempts[0]?.body.toString());
      const rows = await history(hook.id);
      assert.deepEqual(
        rows.map((row) => [row.attempt, row.status, row.statusCode, row.error, row.nextAttemptAt === null]),
        [
          [4, 'failed', 500, 'HTTP 500', true],
          [3, 'failed', 500, 'HTTP 500', false],
          [2, 'failed', 500, 'HTTP 500', false],
          [1, 'failed', 500, 'HTTP 500', false],
        ],
      );
      assert.equal(receiver.at('/flaky').length, 4, 'nothing after the last attempt');
      const failedOnly = await history(hook.id, '?status=failed&limit=2');
      assert.equal(failedOnly.length, 2);

      // Replay: a fresh delivery with the full schedule, the same webhook-id, and the entry leaves the DLQ.
      receiver.reply('/flaky', { status: 204 });
      const replay = await herald.call('POST', `${t}/dlq/${letter.id}/replay`);
      assert.equal(replay.status, 202);
      assert.equal(replay.body.id, letter.id);
      const redelivered = await receiver.waitFor('/flaky', 5);
      assert.equal(redelivered[4]?.headers['webhook-id'], event.id);
      assert.equal(redelivered[4]?.body.toString(), attempts[0]?.body.toString());
      assert.ok(docsSnippetAccepts(SECRET, redelivered[4] as ReceivedRequest));
      assert.deepEqual(await deadLetters(hook.id), []);
      const newest = await eventually(async () => {
        const [row] = await history(hook.id);
        return row?.status === 'succeeded' ? row : undefined;
      }, 'the replayed delivery to succeed');
      assert.deepEqual([newest.trigger, newest.attempt, newest.statusCode], ['replay', 1, 204]);
      assertError404(await herald.call('POST', `${t}/dlq/${letter.id}/replay`));
    });

    it('replays all dead letters of a webhook at once, and a replay that fails again comes back', async () => {
      receiver.reply('/many', { status: 500 });
      const hook = await register('/many');
      for (let i = 0; i < 3; i++) await publish('kpi.alert', { i });
      await eventually(
        async () => ((await deadLetters(hook.id)).length === 3 ? true : undefined),
        'three dead letters',
      );

      const again = await herald.call('POST', `${t}/dlq/replay-all`, { body: { webhookId: hook.id } });
      assert.deepEqual([again.status, again.body.replayed], [202, 3]);
      await eventually(
        async () => ((await deadLetters(hook.id)).length === 3 ? true : undefined),
        'back in the DLQ',
        15_000,
      );
      assert.equal(receiver.at('/many').length, 24, 'four attempts each, twice');

      receiver.reply('/many', { status: 200 });
      // Without a webhook id, Replay All covers the tenant's whole DLQ (other tests' failures too).
      const whole = (await herald.call('GET', `${t}/dlq?limit=500`)).body.data.length;
      assert.ok(whole >= 3);
      const all = await herald.call('POST', `${t}/dlq/replay-all`);
      assert.equal(all.body.replayed, whole);
      await receiver.waitFor('/many', 27);
      await eventually(
        async () => ((await deadLetters(hook.id)).length === 0 ? true : undefined),
        'an empty DLQ',
      );
    });

    it('names the failure: connection refused, timeout, redirect', async () => {
      receiver.reply('/slow', { status: 200, delayMs: 2_000 });
      receiver.reply('/moved', { status: 302, headers: { location: 'http://127.0.0.1:9/elsewhere' } });
      const closedPort = await register('/x'); // re-pointed below at a port nobody listens on
      await herald.call('PATCH', `${t}/webhooks/${closedPort.id}`, {
        body: { url: 'http://127.0.0.1:9/closed' },
      });
      const slow = await register('/slow');
      const moved = await register('/moved');
      for (const [hook, expected] of [
        [closedPort, 'connection refused'],
        [slow, 'timed out after 500ms'],
        [moved, 'HTTP 302 redirect to http://127.0.0.1:9/elsewhere (redirects are not followed)'],
      ] as const) {
        const result = await herald.call('POST', `${t}/webhooks/${hook.id}/test`);
        assert.equal(result.body.status, 'failed');
        assert.equal(result.body.error, expected);
      }
      assert.equal(receiver.at('/elsewhere').length, 0);
    });

    it('hears the receiver: 410 Gone disables the webhook with its reason and tells the tenant', async () => {
      receiver.reply('/gone', { status: 410, body: 'no such endpoint' });
      const gone = await register('/gone');
      const watcher = await register('/watch-disabled', { events: ['webhook.disabled'] });
      const event = await publish('kpi.alert', { value: 1 });
      const [notice] = await receiver.waitFor('/watch-disabled', 1);
      const told = JSON.parse(notice?.body.toString() ?? '{}');
      assert.equal(told.event, 'webhook.disabled');
      assert.equal(told.data.webhookId, gone.id);
      assert.equal(told.data.url, receiver.url('/gone'));
      const shown = (await herald.call('GET', `${t}/webhooks/${gone.id}`)).body;
      assert.equal(shown.status, 'disabled');
      assert.equal(shown.disabledReason, 'The receiver answered 410 Gone: it asked for no more deliveries.');
      assert.equal(told.data.reason, shown.disabledReason);
      const [letter] = await deadLetters(gone.id);
      assert.deepEqual([letter?.eventId, letter?.error, letter?.attempts], [event.id, 'HTTP 410', 1]);
      assert.equal(receiver.at('/gone').length, 1, 'never retried');
      // Enabled again by a person, it is active with no reason left, and the DLQ entry replays.
      receiver.reply('/gone', { status: 200 });
      const enabled = await herald.call('PATCH', `${t}/webhooks/${gone.id}`, { body: { status: 'active' } });
      assert.deepEqual([enabled.body.status, enabled.body.disabledReason], ['active', null]);
      assert.equal(
        (await herald.call('POST', `${t}/dlq/replay-all`, { body: { webhookId: gone.id } })).status,
        202,
      );
      await receiver.waitFor('/gone', 2);
      assert.equal(receiver.at('/watch-disabled').length, 1);
      assert.equal((await herald.call('GET', `${t}/webhooks/${watcher.id}`)).body.status, 'active');
    });

    it('hears the receiver: Retry-After on 429 and 503 postpones the retry past the schedule', async () => {
      for (const [path, status] of [
        ['/busy', 429],
        ['/unavailable', 503],
      ] as const) {
        receiver.reply(path, { status, headers: { 'retry-after': '1' } });
        const hook = await register(path);
        await publish('kpi.computed', { path });
        await receiver.waitFor(path, 1);
        receiver.reply(path, { status: 200 });
        const [first, second] = await receiver.waitFor(path, 2, 5_000);
        const gap = (second?.receivedAt ?? 0) - (first?.receivedAt ?? 0);
        assert.ok(
          gap >= 950,
          `${status}: the retry came ${gap} ms later; Retry-After asked for 1 s, the schedule 150 ms`,
        );
        const rows = await eventually(async () => {
          const found = await history(hook.id);
          return found[0]?.status === 'succeeded' ? found : undefined;
        }, 'the retry to succeed');
        assert.deepEqual(
          rows.map((row) => [row.attempt, row.status, row.statusCode]),
          [
            [2, 'succeeded', 200],
            [1, 'failed', status],
          ],
        );
        const planned = Date.parse(rows[1].timestamp) + 1_000;
        assert.ok(
          Date.parse(rows[0].timestamp) >= planned - 5,
          'attempt 2 no sooner than Retry-After allowed',
        );
      }
    });

    it('resends one delivery as a new delivery of the same event', async () => {
      const hook = await register('/resend');
      const event = await publish('analysis.completed', { id: 'inv_1' });
      const [first] = await receiver.waitFor('/resend', 1);
      const [row] = await eventually(async () => {
        const rows = await history(hook.id);
        return rows[0]?.status === 'succeeded' ? rows : undefined;
      }, 'the first delivery');
      const resent = await herald.call('POST', `${t}/deliveries/${row.id}/resend`);
      assert.equal(resent.status, 202);
      assert.notEqual(resent.body.id, row.id);
      assert.deepEqual(
        [resent.body.trigger, resent.body.attempt, resent.body.eventId],
        ['resend', 1, event.id],
      );
      const [, second] = await receiver.waitFor('/resend', 2);
      assert.equal(second?.headers['webhook-id'], event.id);
      assert.equal(second?.body.toString(), first?.body.toString());

      await herald.call('PATCH', `${t}/webhooks/${hook.id}`, { body: { status: 'disabled' } });
      const refused = await herald.call('POST', `${t}/deliveries/${row.id}/resend`);
      assert.equal(refused.status, 409);
      assert.equal(refused.body.error.code, 'WEBHOOK_DISABLED');
    });

    it('stops delivering to a deleted webhook', async () => {
      receiver.reply('/deleted', { status: 500 });
      const hook = await register('/deleted');
      await publish('kpi.alert', { n: 1 });
      await receiver.waitFor('/deleted', 1);
      assert.equal((await herald.call('DELETE', `${t}/webhooks/${hook.id}`)).status, 204);
      const count = receiver.at('/deleted').length;
      await new Promise((resolve) => setTimeout(resolve, 700)); // past every retry interval
      assert.ok(receiver.at('/deleted').length <= count + 1, 'at most the attempt already in flight');
    });

    it('refuses, at delivery time, addresses outside the allow list', async () => {
      const strict = await startTestHerald(backend, { allowNetworks: [] });
      try {
        await strict.call('POST', '/v1/tenants', { body: { id: tenant } });
        // Registered while the address was acceptable (or the name resolved elsewhere): written
        // straight to the store, as a DNS change after registration would leave it.
        for (const [id, url] of [
          ['wh_literal', receiver.url('/literal')],
          ['wh_named', `http://localhost:${receiver.port}/named`],
        ]) {
          await strict.herald.store.createWebhook({
            id: id as string,
            tenantId: tenant,
            url: url as string,
            description: '',
            events: [],
            status: 'active',
            secret: null,
            createdAt: Date.now(),
            updatedAt: Date.now(),
          });
        }
        const literal = await strict.call('POST', `${t}/webhooks/wh_literal/test`);
        assert.equal(literal.body.status, 'failed');
        assert.match(literal.body.error, /^refused: 127\.0\.0\.1 is a loopback address/);
        const named = await strict.call('POST', `${t}/webhooks/wh_named/test`);
        assert.equal(named.body.status, 'failed');
        assert.match(named.body.error, /^refused: localhost resolves to/);
        assert.equal(receiver.at('/literal').length + receiver.at('/named').length, 0);
        const registration = await strict.call('POST', `${t}/webhooks`, {
          body: { url: receiver.url('/x') },
        });
        assert.equal(registration.body.error.code, 'URL_NOT_ALLOWED');
      } finally {
        await strict.stop();
      }
    });
  });
}

function assertError404(response: { status: number; body: any }): void {
  assert.equal(response.status, 404);
  assert.equal(response.body.error.code, 'DEAD_LETTER_NOT_FOUND');
}
