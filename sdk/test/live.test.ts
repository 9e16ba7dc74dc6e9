import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { TEST_BACKENDS } from '../../test/support/backends.js';
import { eventually } from '../../test/support/eventually.js';
import { startTestHerald, type TestHerald } from '../../test/support/herald.js';
import { type ReceivedRequest, Receiver } from '../../test/support/receiver.js';
import {
  createHeraldClient,
  type HeraldClient,
  verifyWebhook,
  WebhookVerificationError,
} from '../src/index.js';

const TENANT = 'tenant_sdk';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const PLAIN_SECRET = 'a plain shared secret';

/** The headers of a received request with the Standard Webhooks ones left out. */
function legacyOnly(request: ReceivedRequest): Record<string, string | string[] | undefined> {
  const { 'webhook-signature': _s, 'webhook-timestamp': _t, 'webhook-id': _i, ...rest } = request.headers;
  return rest;
}

for (const backend of TEST_BACKENDS) {
  describe(`the SDK against a running Herald (${backend})`, () => {
    let herald: TestHerald;
    let receiver: Receiver;
    let client: HeraldClient;

    /** Each test subscribes its own event type, so that it sees only its own deliveries. */
    async function register(path: string, secret: string, event: string): Promise<string> {
      const { data, error } = await client.POST('/v1/tenants/{tenantId}/webhooks', {
        params: { path: { tenantId: TENANT } },
        body: { url: receiver.url(path), secret, events: [event] },
      });
      assert.ok(data, JSON.stringify(error));
      return data.id;
    }

    before(async () => {
      receiver = await new Receiver().start();
      herald = await startTestHerald(backend);
      client = createHeraldClient({ baseUrl: herald.url, apiKey: herald.adminKey });
      const { response } = await client.POST('/v1/tenants', { body: { id: TENANT } });
      assert.equal(response.status, 201);
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    it('verifies live deliveries signed with a whsec_ secret and with a plain one', async () => {
      await register('/whsec', SECRET, 'kpi.alert');
      await register('/plain', PLAIN_SECRET, 'kpi.alert');
      const published = await client.publish(TENANT, 'kpi.alert', { kpi: 'revenue', value: 12.5 });
      assert.equal(published.deliveries, 2);

      for (const [path, secret] of [
        ['/whsec', SECRET],
        ['/plain', PLAIN_SECRET],
      ] as const) {
        const [request] = await receiver.waitFor(path, 1);
        assert.ok(request);
        const verified = verifyWebhook(request.body, request.headers, secret);
        assert.deepEqual(verified.payload, {
          event: 'kpi.alert',
          timestamp: published.timestamp,
          tenantId: TENANT,
          data: { kpi: 'revenue', value: 12.5 },
        });
        assert.equal(verified.id, published.id);
        assert.equal(verified.timestamp, Number(request.headers['webhook-timestamp']));
        // The legacy header alone verifies too, as the docs' snippet does.
        assert.deepEqual(verifyWebhook(request.body, legacyOnly(request), secret).payload, verified.payload);
        assert.throws(
          () => verifyWebhook(request.body, request.headers, 'another-secret-entirely'),
          (error: unknown) => error instanceof WebhookVerificationError && error.reason === 'bad_signature',
        );
        // Hours later the same request is a replay.
        const later = { now: (verified.timestamp ?? 0) * 1000 + 3_600_000 };
        assert.throws(
          () => verifyWebhook(request.body, request.headers, secret, later),
          (error: unknown) =>
            error instanceof WebhookVerificationError && error.reason === 'timestamp_too_old',
        );
      }
      const [whsec] = receiver.at('/whsec');
      assert.ok(whsec);
      const standard = new StandardWebhook(SECRET).verify(whsec.body.toString('utf8'), {
        'webhook-id': String(whsec.headers['webhook-id']),
        'webhook-timestamp': String(whsec.headers['webhook-timestamp']),
        'webhook-signature': String(whsec.headers['webhook-signature']),
      });
      assert.deepEqual(standard, verifyWebhook(whsec.body, whsec.headers, SECRET).payload);
    });

    it('verifies with the old or the new secret while a rotation signs with both', async () => {
      const id = await register('/rotated', SECRET, 'kpi.computed');
      const rotated = await client.POST('/v1/tenants/{tenantId}/webhooks/{id}/rotate-secret', {
        params: { path: { tenantId: TENANT, id } },
        body: {},
      });
      assert.ok(rotated.data, JSON.stringify(rotated.error));
      const newSecret = rotated.data.secret;
      await client.publish(TENANT, 'kpi.computed', { rotation: true });
      const [request] = await receiver.waitFor('/rotated', 1);
      assert.ok(request);
      assert.equal(String(request.headers['webhook-signature']).split(' ').length, 2);
      for (const secret of [SECRET, newSecret]) {
        assert.deepEqual(verifyWebhook(request.body, request.headers, secret).payload.data, {
          rotation: true,
        });
      }
    });

    it('a publish whose answer was lost is retried with its key and delivered once', async () => {
      const id = await register('/once', SECRET, 'dashboard.ready');
      let lostAnswers = 0;
      // The first publish reaches Herald, but its answer is replaced by a 503 as a failing proxy would.
      const flaky = createHeraldClient({
        baseUrl: herald.url,
        apiKey: herald.adminKey,
        fetch: async (request) => {
          const response = await fetch(request);
          if (request.url.endsWith('/events') && lostAnswers++ === 0) {
            await response.body?.cancel();
            return new Response('upstream went away', { status: 503, headers: { 'retry-after': '0' } });
          }
          return response;
        },
      });
      const published = await flaky.publish(TENANT, 'dashboard.ready', { once: true });
      assert.equal(lostAnswers, 2, 'published, answer lost, published again');
      assert.equal(published.deliveries, 1, "the retry answers with the first publish's result");
      const attempts = await eventually(async () => {
        const { data } = await client.GET('/v1/tenants/{tenantId}/webhooks/{id}/deliveries', {
          params: { path: { tenantId: TENANT, id } },
        });
        return data?.data.some((row) => row.status === 'succeeded') ? data.data : undefined;
      }, 'the delivery succeeded');
      assert.deepEqual(
        attempts.map((row) => row.eventId),
        [published.id],
      );
      assert.equal(receiver.at('/once').length, 1);
    });
  });
}
