import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { startHerald } from '../../src/app.js';
import { ManualClock } from '../../src/core/clock.js';
import { parseEncryptionKey } from '../../src/core/secret-box.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { type ReceivedRequest, Receiver } from '../support/receiver.js';

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const NEWER = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;

/** Whether a receiver holding `secret` accepts the request, with the standardwebhooks library. */
function standardWebhooksAccepts(secret: string, request: ReceivedRequest): boolean {
  try {
    new StandardWebhook(secret).verify(request.body.toString('utf8'), {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    });
    return true;
  } catch {
    return false;
  }
}

/** Whether the product docs' snippet, holding `secret`, accepts X-Webhook-Signature. */
function docsSnippetAccepts(secret: string, request: ReceivedRequest): boolean {
  const signature = createHmac('sha256', secret).update(request.body).digest('hex');
  return `sha256=${signature}` === request.headers['x-webhook-signature'];
}

for (const backend of TEST_BACKENDS) {
  describe(`webhook secrets (${backend})`, () => {
    let herald: TestHerald;
    let receiver: Receiver;
    const t = '/v1/tenants/tenant_secrets';

    async function register(path: string, secret: string | undefined): Promise<{ id: string }> {
      const created = await herald.call('POST', `${t}/webhooks`, {
        body: { url: receiver.url(path), ...(secret === undefined ? {} : { secret }) },
      });
      assert.equal(created.status, 201, JSON.stringify(created.body));
      return created.body;
    }

    // Near the real time: the standardwebhooks library refuses timestamps 5 minutes off its clock.
    const clock = new ManualClock(Date.now());

    before(async () => {
      receiver = await new Receiver().start();
      herald = await startTestHerald(backend, {}, { clock });
      assert.equal(
        (await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_secrets' } })).status,
        201,
      );
    });
    after(async () => {
      await herald.stop();
      await receiver.close();
    });

    describe('whsec_ secrets must decode', () => {
      const undecodable: [string, RegExp][] = [
        ['whsec_!!!notbase64!!!', /base64/],
        ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwA', /base64/],
        ['whsec_c2hvcnQta2V5', /at least 24 bytes; this one has 9/],
      ];

      it('refuses them at creation with 422 VALIDATION_FAILED naming the problem', async () => {
        for (const [secret, problem] of undecodable) {
          const answer = await herald.call('POST', `${t}/webhooks`, {
            body: { url: receiver.url('/refused'), secret },
          });
          assert.equal(answer.status, 422, secret);
          assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
          assert.match(answer.body.error.message, /^body\.secret: /);
          assert.match(answer.body.error.message, problem);
        }
      });

      it('refuses them in a change, leaving the secret as it was', async () => {
        const hook = await register('/patched', SECRET);
        for (const [secret, problem] of undecodable) {
          const answer = await herald.call('PATCH', `${t}/webhooks/${hook.id}`, { body: { secret } });
          assert.equal(answer.status, 422, secret);
          assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
          assert.match(answer.body.error.message, problem);
        }
        const fine = await herald.call('PATCH', `${t}/webhooks/${hook.id}`, {
          body: { secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' },
        });
        assert.equal(fine.status, 200);
      });

      it('accepts whsec_ keys with or without padding, and secrets without the prefix', async () => {
        for (const secret of [
          SECRET,
          'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAQ==',
          'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwAQ',
          'a plain shared secret, not base64!',
        ]) {
          await register('/accepted', secret);
        }
      });
    });

    describe('rotation', () => {
      let published = 0;

      /** Publishes one event and returns the request the receiver at `path` got for it. */
      async function deliverOne(path: string): Promise<ReceivedRequest> {
        // Counted before publishing: the request may arrive before the publish's answer.
        const seen = receiver.at(path).length;
        const answer = await herald.call('POST', `${t}/events`, {
          body: { event: 'kpi.alert', data: { n: published } },
        });
        assert.equal(answer.status, 202, JSON.stringify(answer.body));
        published += 1;
        const requests = await receiver.waitFor(path, seen + 1);
        const request = requests.find((r) => r.headers['webhook-id'] === answer.body.id);
        assert.ok(request, 'the receiver got the event');
        return request;
      }

      it('signs with the new and the old secret during the grace period, then with the new only', async () => {
        const hook = await register('/rotating', SECRET);
        const rotated = await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, { body: {} });
        assert.equal(rotated.status, 200, JSON.stringify(rotated.body));
        const generated: string = rotated.body.secret;
        assert.match(generated, /^whsec_[A-Za-z0-9+/]{43}=$/, 'whsec_ and 32 random bytes in base64');
        assert.equal(
          rotated.body.webhook.previousSecretExpiresAt,
          new Date(clock.now() + 86_400_000).toISOString(),
          'a day of grace by default',
        );
        const shown = await herald.call('GET', `${t}/webhooks/${hook.id}`);
        assert.ok(!JSON.stringify(shown.body).includes(generated), 'the new secret is shown once');

        const during = await deliverOne('/rotating');
        const signatures = String(during.headers['webhook-signature']).split(' ');
        assert.equal(signatures.length, 2);
        assert.ok(signatures.every((signature) => signature.startsWith('v1,')));
        assert.ok(standardWebhooksAccepts(generated, during), 'a receiver holding the new secret verifies');
        assert.ok(standardWebhooksAccepts(SECRET, during), 'a receiver holding the old secret verifies');
        assert.equal(standardWebhooksAccepts(NEWER, during), false);
        const newFirst = { ...during, headers: { ...during.headers, 'webhook-signature': signatures[0] } };
        assert.ok(standardWebhooksAccepts(generated, newFirst), 'the new secret signs first');
        assert.ok(docsSnippetAccepts(generated, during), 'X-Webhook-Signature uses the new secret');
        assert.equal(docsSnippetAccepts(SECRET, during), false);

        // A second rotation with a minute of grace: the first secret stops, the second is now the old one.
        const again = await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, {
          body: { secret: NEWER, gracePeriod: 60 },
        });
        assert.equal(again.status, 200, JSON.stringify(again.body));
        assert.equal(again.body.secret, NEWER);
        const second = await deliverOne('/rotating');
        assert.ok(standardWebhooksAccepts(NEWER, second));
        assert.ok(standardWebhooksAccepts(generated, second));
        assert.equal(
          standardWebhooksAccepts(SECRET, second),
          false,
          'a secret replaced twice no longer signs',
        );

        clock.advance(60_000);
        const after = await deliverOne('/rotating');
        assert.equal(String(after.headers['webhook-signature']).split(' ').length, 1);
        assert.ok(standardWebhooksAccepts(NEWER, after), 'after the grace period the new secret verifies');
        assert.equal(standardWebhooksAccepts(generated, after), false, 'and the old one does not');
        assert.ok(docsSnippetAccepts(NEWER, after));
      });

      it('stops the old secret at once with gracePeriod 0 or DELETE previous-secret', async () => {
        const hook = await register('/early', SECRET);
        const none = await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, {
          body: { secret: NEWER, gracePeriod: 0 },
        });
        assert.equal(none.body.webhook.previousSecretExpiresAt, null);
        const atOnce = await deliverOne('/early');
        assert.ok(standardWebhooksAccepts(NEWER, atOnce));
        assert.equal(standardWebhooksAccepts(SECRET, atOnce), false);

        await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, { body: { secret: SECRET } });
        const dropped = await herald.call('DELETE', `${t}/webhooks/${hook.id}/previous-secret`);
        assert.equal(dropped.status, 200, JSON.stringify(dropped.body));
        assert.equal(dropped.body.previousSecretExpiresAt, null);
        const afterDrop = await deliverOne('/early');
        assert.ok(standardWebhooksAccepts(SECRET, afterDrop));
        assert.equal(standardWebhooksAccepts(NEWER, afterDrop), false);
      });

      it('reveals the current secret to the tenant, never to another, and null when there is none', async () => {
        const webhook = await register('/reveal', SECRET);
        const rotated = await herald.call('POST', `${t}/webhooks/${webhook.id}/rotate-secret`, { body: {} });
        assert.equal(rotated.status, 200);
        const revealed = await herald.call('GET', `${t}/webhooks/${webhook.id}/secret`);
        assert.equal(revealed.status, 200);
        assert.deepEqual(revealed.body, { secret: rotated.body.secret });
        assert.equal(revealed.headers['cache-control'], 'no-store');

        const unsigned = await register('/unsigned', undefined);
        assert.deepEqual((await herald.call('GET', `${t}/webhooks/${unsigned.id}/secret`)).body, {
          secret: null,
        });

        const other = await herald.call('GET', `/v1/tenants/tenant_other/webhooks/${webhook.id}/secret`);
        assert.equal(other.status, 404);
      });

      it('refuses an undecodable secret, a bad grace period and an unknown webhook', async () => {
        const hook = await register('/refusals', SECRET);
        for (const body of [{ secret: 'whsec_!!!notbase64!!!' }, { gracePeriod: -1 }, { gracePeriod: 1.5 }]) {
          const answer = await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, { body });
          assert.equal(answer.status, 422, JSON.stringify(body));
          assert.equal(answer.body.error.code, 'VALIDATION_FAILED');
        }
        const unknown = await herald.call('POST', `${t}/webhooks/wh_nope/rotate-secret`, { body: {} });
        assert.equal(unknown.status, 404);
        assert.equal(unknown.body.error.code, 'WEBHOOK_NOT_FOUND');
        const unknownDrop = await herald.call('DELETE', `${t}/webhooks/wh_nope/previous-secret`);
        assert.equal(unknownDrop.status, 404);
      });

      it('shows in the delivery detail the headers the receiver got, even after a rotation', async () => {
        const hook = await register('/detail', SECRET);
        const before = await deliverOne('/detail');
        await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, { body: { gracePeriod: 3600 } });
        const during = await deliverOne('/detail');
        await herald.call('POST', `${t}/webhooks/${hook.id}/rotate-secret`, { body: { gracePeriod: 0 } });

        for (const received of [before, during]) {
          const row = await eventually(
            async () =>
              (await herald.call('GET', `${t}/webhooks/${hook.id}/deliveries`)).body.data.find(
                (d: any) => d.eventId === received.headers['webhook-id'] && d.status === 'succeeded',
              ),
            `the attempt of ${received.headers['webhook-id']} recorded`,
          );
          const detail = await herald.call('GET', `${t}/deliveries/${row.id}`);
          assert.equal(detail.status, 200, JSON.stringify(detail.body));
          assert.equal(detail.body.request.headersSent, true);
          const shown: Record<string, string> = detail.body.request.headers;
          assert.deepEqual(Object.keys(shown).sort(), [
            'content-type',
            'user-agent',
            'webhook-id',
            'webhook-signature',
            'webhook-timestamp',
            'x-webhook-signature',
          ]);
          for (const [name, value] of Object.entries(shown)) {
            assert.equal(value, received.headers[name], `${name} as the receiver got it`);
          }
        }
      });

      it('lists the routes in the OpenAPI document', async () => {
        const doc = await herald.call('GET', '/openapi.json', { key: null });
        const rotate = doc.body.paths['/v1/tenants/{tenantId}/webhooks/{id}/rotate-secret'];
        assert.ok(rotate?.post?.responses['200']);
        assert.ok(doc.body.paths['/v1/tenants/{tenantId}/webhooks/{id}/previous-secret']?.delete);
      });
    });
  });
}

describe('starting with the wrong encryption key', () => {
  it('refuses to start, naming the key the secrets need, rather than failing every claim', async () => {
    const first = await startTestHerald('sqlite');
    const database = first.herald.config.database;
    await first.call('POST', '/v1/tenants', { body: { id: 'tenant_keys' } });
    await first.call('POST', '/v1/tenants/tenant_keys/webhooks', {
      body: { url: 'http://127.0.0.1:9/keys', secret: SECRET },
    });
    const sealedUnder = first.herald.config.encryptionKey;
    await first.herald.stop();
    try {
      assert.equal(sealedUnder, null, 'the key was generated beside the database');
      const other = parseEncryptionKey(Buffer.alloc(32, 4).toString('base64'));
      await assert.rejects(
        startHerald({
          config: { database, port: 0, encryptionKey: other, logLevel: 'silent' },
          announce: () => {},
        }),
        /webhook secrets are encrypted under key [0-9a-f]{12}, which is neither HERALD_ENCRYPTION_KEY/,
      );
    } finally {
      await first.stop();
    }
  });
});
