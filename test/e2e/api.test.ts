import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { sendRawHttp } from '../support/raw-http.js';

const JSON_HEADERS = { 'content-type': 'application/json' };

/** The limits of a tenant without its own, from the settings' defaults. */
const DEFAULT_LIMITS = { maxWebhooks: 1000, maxBatchEvents: 1000, publishRate: 1000, keyPublishRate: 0 };

/** A JSON object `depth` levels deep, as text: JSON.stringify itself overflows the stack on deep ones. */
function nestedText(depth: number): string {
  return `${'{"a":'.repeat(depth - 1)}{}${'}'.repeat(depth - 1)}`;
}

function assertError(response: { status: number; body: any }, status: number, code: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.equal(response.body?.error?.code, code, JSON.stringify(response.body));
  assert.equal(typeof response.body.error.message, 'string');
  assert.ok(response.body.error.message.length > 10, 'the message is a sentence');
}

for (const backend of TEST_BACKENDS) {
  describe(`API v1 (${backend})`, () => {
    let herald: TestHerald;
    let tenantKey: string;
    let otherKey: string;

    before(async () => {
      herald = await startTestHerald(backend);
      for (const id of ['tenant_abc123', 'tenant_other']) {
        const created = await herald.call('POST', '/v1/tenants', { body: { id, name: `Tenant ${id}` } });
        assert.equal(created.status, 201);
      }
      tenantKey = (await herald.call('POST', '/v1/tenants/tenant_abc123/api-keys', { body: { name: 'ci' } }))
        .body.key;
      otherKey = (await herald.call('POST', '/v1/tenants/tenant_other/api-keys', {})).body.key;
    });
    after(async () => {
      await herald.stop();
    });

    describe('service routes', () => {
      it('answers /healthz without a key', async () => {
        const health = await herald.call('GET', '/healthz', { key: null });
        assert.equal(health.status, 200);
        assert.equal(health.body.status, 'ok');
      });

      it('serves an OpenAPI 3 document generated from the route schemas', async () => {
        const doc = await herald.call('GET', '/openapi.json', { key: null });
        assert.equal(doc.status, 200);
        assert.match(doc.body.openapi, /^3\./);
        for (const path of [
          '/v1/tenants',
          '/v1/tenants/{tenantId}',
          '/v1/tenants/{tenantId}/api-keys',
          '/v1/event-types',
          '/v1/tenants/{tenantId}/webhooks',
          '/v1/tenants/{tenantId}/webhooks/{id}',
          '/v1/tenants/{tenantId}/webhooks/{id}/test',
          '/v1/tenants/{tenantId}/webhooks/{id}/deliveries',
          '/v1/tenants/{tenantId}/deliveries/{id}/resend',
          '/v1/tenants/{tenantId}/events',
          '/v1/tenants/{tenantId}/dlq',
          '/v1/tenants/{tenantId}/dlq/{id}/replay',
          '/v1/tenants/{tenantId}/dlq/replay-all',
        ]) {
          assert.ok(doc.body.paths[path], `${path} missing from /openapi.json`);
        }
        const create = doc.body.paths['/v1/tenants/{tenantId}/webhooks'].post;
        const bodySchema = create.requestBody.content['application/json'].schema;
        assert.deepEqual(bodySchema, { $ref: '#/components/schemas/CreateWebhook' });
        assert.deepEqual(doc.body.components.schemas.CreateWebhook.required, ['url']);
        assert.ok(create.responses['201']);
      });

      it('answers unknown routes with ROUTE_NOT_FOUND', async () => {
        assertError(await herald.call('GET', '/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
      });
    });

    describe('portal links', () => {
      const link = (target: TestHerald, host: string) =>
        target.call('POST', '/v1/tenants/tenant_abc123/portal-links', { body: {}, headers: { host } });

      it("never take their host from the request's Host header", async () => {
        const created = await link(herald, 'evil.example');
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.ok(
          created.body.url.startsWith(`${herald.url}/portal#token=`),
          `${created.body.url} is on the address Herald listens on`,
        );
      });

      it('use HERALD_PUBLIC_URL, and need it when Herald listens on every address', async () => {
        const everywhere = await startTestHerald(backend, { host: '0.0.0.0' });
        const published = await startTestHerald(backend, {
          host: '0.0.0.0',
          publicUrl: 'https://hooks.example.com',
        });
        try {
          for (const target of [everywhere, published]) {
            assert.equal(
              (await target.call('POST', '/v1/tenants', { body: { id: 'tenant_abc123' } })).status,
              201,
            );
          }
          const refused = await link(everywhere, 'evil.example');
          assertError(refused, 409, 'PUBLIC_URL_REQUIRED');
          assert.match(refused.body.error.message, /HERALD_PUBLIC_URL/);
          const created = await link(published, 'evil.example');
          assert.equal(created.status, 201);
          assert.match(created.body.url, /^https:\/\/hooks\.example\.com\/portal#token=hpl_/);
        } finally {
          await everywhere.stop();
          await published.stop();
        }
      });
    });

    describe("Fastify's and Node's own refusals", () => {
      it('answers a malformed percent-encoding in the path with INVALID_REQUEST', async () => {
        const response = await herald.call('GET', '/v1/tenants/%zz/webhooks');
        assertError(response, 400, 'INVALID_REQUEST');
        assert.match(response.body.error.message, /percent-encoding/);
      });

      it('answers a path parameter over 100 characters with 414 URI_TOO_LONG', async () => {
        assertError(await herald.call('GET', `/v1/tenants/${'a'.repeat(101)}/webhooks`), 414, 'URI_TOO_LONG');
        assertError(
          await herald.call('GET', `/v1/tenants/${'a'.repeat(100)}/webhooks`),
          404,
          'TENANT_NOT_FOUND',
        );
      });

      it('answers a Content-Length longer than the body with INVALID_REQUEST', async () => {
        const server = herald.herald.server;
        assert.ok(server);
        const response = await server.inject({
          method: 'POST',
          url: '/v1/tenants',
          headers: { ...JSON_HEADERS, authorization: `Bearer ${herald.adminKey}`, 'content-length': '50' },
          payload: '{}',
        });
        assertError({ status: response.statusCode, body: response.json() }, 400, 'INVALID_REQUEST');
      });

      it("answers what Node's HTTP parser refuses in the catalogue shape", async () => {
        const cases: [string, number, string][] = [
          [
            `GET /v1/me HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
            431,
            'HEADERS_TOO_LARGE',
          ],
          ['NOT-HTTP\r\n\r\n', 400, 'INVALID_REQUEST'],
          ['GET /v1/me HTTP/1.1\r\n\r\n', 400, 'INVALID_REQUEST'],
          [
            'POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n{}',
            400,
            'INVALID_REQUEST',
          ],
        ];
        for (const [request, status, code] of cases) {
          const answer = await sendRawHttp(herald.url, request);
          assert.match(answer.headers['content-type'] ?? '', /^application\/json/);
          assertError({ status: answer.status, body: JSON.parse(answer.body) }, status, code);
        }
      });
    });

    describe('authentication', () => {
      it('refuses a missing, malformed or wrong key with 401', async () => {
        assertError(await herald.call('GET', '/v1/event-types', { key: null }), 401, 'UNAUTHORIZED');
        assertError(
          await herald.call('GET', '/v1/event-types', { key: null, headers: { authorization: 'Basic abc' } }),
          401,
          'UNAUTHORIZED',
        );
        assertError(
          await herald.call('GET', '/v1/event-types', { key: 'hk_not-a-key' }),
          401,
          'UNAUTHORIZED',
        );
      });

      it('checks the key before looking at the body', async () => {
        const response = await herald.call('POST', '/v1/tenants/tenant_abc123/webhooks', {
          key: null,
          raw: '{oops',
          headers: JSON_HEADERS,
        });
        assertError(response, 401, 'UNAUTHORIZED');
      });

      it('tells who a key belongs to', async () => {
        assert.deepEqual((await herald.call('GET', '/v1/me')).body, {
          role: 'admin',
          tenantId: null,
          tenantName: null,
          branding: null,
          expiresAt: null,
        });
        assert.deepEqual((await herald.call('GET', '/v1/me', { key: tenantKey })).body, {
          role: 'tenant',
          tenantId: 'tenant_abc123',
          tenantName: 'Tenant tenant_abc123',
          branding: {},
          expiresAt: null,
          effectiveLimits: DEFAULT_LIMITS,
        });
      });

      it('keeps admin routes for the admin key', async () => {
        assertError(
          await herald.call('POST', '/v1/tenants', { key: tenantKey, body: {} }),
          403,
          'ADMIN_KEY_REQUIRED',
        );
        assertError(await herald.call('GET', '/v1/tenants', { key: tenantKey }), 403, 'ADMIN_KEY_REQUIRED');
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_abc123/api-keys', { key: tenantKey, body: {} }),
          403,
          'ADMIN_KEY_REQUIRED',
        );
        assertError(
          await herald.call('POST', '/v1/event-types', { key: tenantKey, body: { name: 'x.y' } }),
          403,
          'ADMIN_KEY_REQUIRED',
        );
      });

      it("answers another tenant's resources with 404, as if absent", async () => {
        const hook = await herald.call('POST', '/v1/tenants/tenant_other/webhooks', {
          key: otherKey,
          body: { url: 'http://127.0.0.1:9/other' },
        });
        assert.equal(hook.status, 201);
        const paths = [
          '/v1/tenants/tenant_other',
          '/v1/tenants/tenant_other/webhooks',
          `/v1/tenants/tenant_other/webhooks/${hook.body.id}`,
          `/v1/tenants/tenant_other/webhooks/${hook.body.id}/deliveries`,
          '/v1/tenants/tenant_other/dlq',
        ];
        for (const path of paths)
          assertError(await herald.call('GET', path, { key: tenantKey }), 404, 'TENANT_NOT_FOUND');
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_other/events', {
            key: tenantKey,
            body: { event: 'kpi.alert', data: {} },
          }),
          404,
          'TENANT_NOT_FOUND',
        );
        // Through its own tenant's path, the other tenant's webhook does not exist either.
        assertError(
          await herald.call('GET', `/v1/tenants/tenant_abc123/webhooks/${hook.body.id}`, { key: tenantKey }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assertError(await herald.call('GET', '/v1/tenants/tenant_nope/webhooks'), 404, 'TENANT_NOT_FOUND');
      });
    });

    describe('tenants and keys', () => {
      it('creates tenants with a chosen or generated id and lists them', async () => {
        const generated = await herald.call('POST', '/v1/tenants', { body: {} });
        assert.equal(generated.status, 201);
        assert.match(generated.body.id, /^tenant_[0-9a-z]{26}$/);
        assert.equal(generated.body.name, generated.body.id);
        assert.ok(!Number.isNaN(Date.parse(generated.body.createdAt)));
        assert.deepEqual(generated.body.limits, {});
        assert.deepEqual(generated.body.effectiveLimits, DEFAULT_LIMITS);
        const noBody = await herald.call('POST', '/v1/tenants', { raw: '', headers: JSON_HEADERS });
        assert.equal(noBody.status, 201);
        const list = await herald.call('GET', '/v1/tenants');
        const ids = list.body.data.map((t: { id: string }) => t.id);
        for (const id of ['tenant_abc123', 'tenant_other', generated.body.id]) assert.ok(ids.includes(id));
      });

      it('refuses a taken id with 409 and a malformed one with 422', async () => {
        assertError(
          await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_abc123' } }),
          409,
          'TENANT_EXISTS',
        );
        assertError(
          await herald.call('POST', '/v1/tenants', { body: { id: 'has space' } }),
          422,
          'VALIDATION_FAILED',
        );
        assertError(
          await herald.call('POST', '/v1/tenants', { body: { id: 'x'.repeat(65) } }),
          422,
          'VALIDATION_FAILED',
        );
        assertError(await herald.call('POST', '/v1/tenants', { body: { id: 7 } }), 422, 'VALIDATION_FAILED');
      });

      it('shows an API key once and keeps it working', async () => {
        const created = await herald.call('POST', '/v1/tenants/tenant_abc123/api-keys', {
          body: { name: 'second' },
        });
        assert.equal(created.status, 201);
        assert.match(created.body.key, /^hk_/);
        assert.equal(created.body.name, 'second');
        assert.equal(
          (await herald.call('GET', '/v1/tenants/tenant_abc123/webhooks', { key: created.body.key })).status,
          200,
        );
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_nope/api-keys', { body: {} }),
          404,
          'TENANT_NOT_FOUND',
        );
      });
    });

    describe('event types', () => {
      it('lists the documented catalogue with descriptions', async () => {
        const list = await herald.call('GET', '/v1/event-types', { key: tenantKey });
        assert.equal(list.status, 200);
        const byName = new Map(
          list.body.data.map((t: { name: string; description: string }) => [t.name, t.description]),
        );
        assert.equal(byName.get('ingestion.completed'), 'A data ingestion job finishes');
        assert.equal(byName.get('kpi.alert'), 'A KPI anomaly is detected');
        for (const name of [
          'ingestion.failed',
          'kpi.computed',
          'analysis.completed',
          'dashboard.ready',
          'webhook.test',
        ]) {
          assert.ok(byName.has(name), name);
        }
      });

      it('lets the admin add and remove types, and publishing follows the catalogue', async () => {
        const added = await herald.call('POST', '/v1/event-types', {
          body: { name: 'invoice.paid', description: 'An invoice was paid' },
        });
        assert.equal(added.status, 201);
        assertError(
          await herald.call('POST', '/v1/event-types', { body: { name: 'invoice.paid' } }),
          409,
          'EVENT_TYPE_EXISTS',
        );
        assertError(
          await herald.call('POST', '/v1/event-types', { body: { name: 'Bad Name' } }),
          422,
          'VALIDATION_FAILED',
        );
        const published = await herald.call('POST', '/v1/tenants/tenant_abc123/events', {
          body: { event: 'invoice.paid', data: {} },
        });
        assert.equal(published.status, 202);
        assert.equal((await herald.call('DELETE', '/v1/event-types/invoice.paid')).status, 204);
        assertError(await herald.call('DELETE', '/v1/event-types/invoice.paid'), 404, 'EVENT_TYPE_NOT_FOUND');
        assertError(await herald.call('DELETE', '/v1/event-types/webhook.test'), 409, 'EVENT_TYPE_PROTECTED');
        assert.equal(
          (await herald.call('POST', '/v1/event-types', { body: { name: 'invoice.paid' } })).status,
          201,
        );
        const subscribers = [];
        for (const events of [['invoice.paid'], ['kpi.alert', 'invoice.paid'], ['kpi.alert'], []]) {
          const created = await herald.call('POST', '/v1/tenants/tenant_abc123/webhooks', {
            body: { url: 'http://127.0.0.1:9/subscriber', events },
          });
          assert.equal(created.status, 201);
          subscribers.push(created.body.id);
        }
        const inUse = await herald.call('DELETE', '/v1/event-types/invoice.paid');
        assertError(inUse, 409, 'EVENT_TYPE_IN_USE');
        assert.match(inUse.body.error.message, /^2 webhooks subscribe to invoice\.paid/);
        const stillPublished = await herald.call('POST', '/v1/tenants/tenant_abc123/events', {
          body: { event: 'invoice.paid', data: {} },
        });
        assert.equal(stillPublished.status, 202, 'a refused removal leaves the type in the catalogue');
        for (const id of subscribers) {
          await herald.call('DELETE', `/v1/tenants/tenant_abc123/webhooks/${id}`);
        }
        assert.equal((await herald.call('DELETE', '/v1/event-types/invoice.paid')).status, 204);
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_abc123/events', {
            body: { event: 'invoice.paid', data: {} },
          }),
          422,
          'UNKNOWN_EVENT_TYPE',
        );
      });
    });

    describe('webhooks', () => {
      const base = '/v1/tenants/tenant_abc123/webhooks';

      it('registers a webhook and never shows its secret', async () => {
        const created = await herald.call('POST', base, {
          key: tenantKey,
          body: {
            url: 'http://127.0.0.1:9/hook',
            secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
            events: ['kpi.alert'],
            description: 'alerts',
          },
        });
        assert.equal(created.status, 201);
        const hook = created.body;
        assert.match(hook.id, /^wh_/);
        assert.deepEqual(
          { ...hook, id: undefined, createdAt: undefined, updatedAt: undefined },
          {
            id: undefined,
            tenantId: 'tenant_abc123',
            url: 'http://127.0.0.1:9/hook',
            description: 'alerts',
            events: ['kpi.alert'],
            status: 'active',
            disabledReason: null,
            failingSince: null,
            ordering: 'none',
            rateLimit: null,
            hasSecret: true,
            previousSecretExpiresAt: null,
            createdAt: undefined,
            updatedAt: undefined,
          },
        );
        const fetched = await herald.call('GET', `${base}/${hook.id}`, { key: tenantKey });
        assert.deepEqual(fetched.body, hook);
        assert.ok(!JSON.stringify(fetched.body).includes('MfKQ9r8'));
      });

      it("answers each webhook's health: its attempts hour by hour and its latest outcomes", async () => {
        const hook = (
          await herald.call('POST', base, { key: tenantKey, body: { url: 'http://127.0.0.1:9/health' } })
        ).body;
        const fresh = await herald.call('GET', `${base}/${hook.id}/stats`, { key: tenantKey });
        assert.equal(fresh.status, 200);
        assert.equal(fresh.body.attempts, 0);
        assert.equal(fresh.body.successRate, null);
        assert.equal(fresh.body.averageResponseMs, null);
        assert.equal(fresh.body.lastFailureAt, null);
        assert.equal(fresh.body.hours.length, 24);
        assert.equal(fresh.body.since, fresh.body.hours[0].start);

        const test = await herald.call('POST', `${base}/${hook.id}/test`, { key: tenantKey });
        assert.equal(test.body.status, 'failed', 'nothing listens on port 9');
        const stats = (await herald.call('GET', `${base}/${hook.id}/stats`, { key: tenantKey })).body;
        assert.deepEqual(
          {
            attempts: stats.attempts,
            succeeded: stats.succeeded,
            failed: stats.failed,
            rate: stats.successRate,
          },
          { attempts: 1, succeeded: 0, failed: 1, rate: 0 },
        );
        assert.equal(stats.hours.at(-1).failed, 1, 'counted in the current hour');
        assert.equal(stats.lastSuccessAt, null);
        assert.ok(Date.parse(stats.lastFailureAt) <= Date.now());

        const listed = await herald.call('GET', '/v1/tenants/tenant_abc123/webhook-stats', {
          key: tenantKey,
        });
        assert.equal(listed.status, 200);
        assert.deepEqual(
          listed.body.data.find((entry: { webhookId: string }) => entry.webhookId === hook.id),
          stats,
        );
        const others = await herald.call('GET', '/v1/tenants/tenant_other/webhook-stats', { key: otherKey });
        assert.ok(!JSON.stringify(others.body).includes(hook.id), "not another tenant's to read");
        assertError(
          await herald.call('GET', `/v1/tenants/tenant_other/webhooks/${hook.id}/stats`, { key: otherKey }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assert.equal(
          (await herald.call('GET', `${base}/${hook.id}/stats`, { key: otherKey })).status,
          404,
          "a key of another tenant's: as if absent",
        );
      });

      it('refuses bad webhook input with a clear 4xx', async () => {
        const cases: [unknown, number, string][] = [
          [{ url: 'not a url' }, 422, 'INVALID_URL'],
          [{ url: 'ftp://example.com/x' }, 422, 'INVALID_URL'],
          [{ url: 'http://10.0.0.5/hook' }, 422, 'URL_NOT_ALLOWED'],
          [{ url: 'http://169.254.169.254/latest/meta-data' }, 422, 'URL_NOT_ALLOWED'],
          [{ url: 'http://[::1]:8080/' }, 422, 'URL_NOT_ALLOWED'],
          [{ url: 'http://[::ffff:10.0.0.1]/' }, 422, 'URL_NOT_ALLOWED'],
          [{ url: 'http://192.168.1.1/' }, 422, 'URL_NOT_ALLOWED'],
          [{ url: 'http://127.0.0.1:9/x', events: ['no.such.type'] }, 422, 'UNKNOWN_EVENT_TYPE'],
          [{ url: 'http://127.0.0.1:9/x', events: 'kpi.alert' }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', secret: 'short' }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', colour: 'blue' }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', ordering: 'lifo' }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', rateLimit: 0 }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', rateLimit: -1 }, 422, 'VALIDATION_FAILED'],
          [{ url: 'http://127.0.0.1:9/x', rateLimit: '5' }, 422, 'VALIDATION_FAILED'],
          [{}, 422, 'VALIDATION_FAILED'],
          [[], 422, 'VALIDATION_FAILED'],
        ];
        for (const [body, status, code] of cases) {
          assertError(await herald.call('POST', base, { key: tenantKey, body }), status, code);
        }
        const refused = await herald.call('POST', base, {
          key: tenantKey,
          body: { url: 'http://10.0.0.5/hook' },
        });
        assert.match(refused.body.error.message, /private/);
        const unknownField = await herald.call('POST', base, {
          key: tenantKey,
          body: { url: 'http://127.0.0.1:9/', colour: 1 },
        });
        assert.match(unknownField.body.error.message, /colour/);
        assertError(
          await herald.call('POST', base, { key: tenantKey, raw: '{"url": ', headers: JSON_HEADERS }),
          400,
          'INVALID_JSON',
        );
        assertError(
          await herald.call('POST', base, {
            key: tenantKey,
            raw: 'url=x',
            headers: { 'content-type': 'text/plain' },
          }),
          415,
          'UNSUPPORTED_MEDIA_TYPE',
        );
      });

      it('refuses URLs the parser would quietly rewrite, on create and on change', async () => {
        const urls = [
          ' http://127.0.0.1:9/x',
          'http://127.0.0.1:9/x ',
          'http://127.0.0.1:9/x\r\n',
          'http://127.0.0.1:9/a\nb',
          'http://127.0.0.1:9/a\u0000b',
          'http://127.0.0.1:9/a\tb',
          'http://127.0.0.1:0/x',
          'http:///127.0.0.1:9/x',
          'http:127.0.0.1:9/x',
          'http:\\\\127.0.0.1:9/x',
          'http://@127.0.0.1:9/x',
        ];
        const hook = await herald.call('POST', base, {
          key: tenantKey,
          body: { url: 'http://127.0.0.1:9/ok' },
        });
        assert.equal(hook.status, 201);
        for (const url of urls) {
          assertError(await herald.call('POST', base, { key: tenantKey, body: { url } }), 422, 'INVALID_URL');
          assertError(
            await herald.call('PATCH', `${base}/${hook.body.id}`, { key: tenantKey, body: { url } }),
            422,
            'INVALID_URL',
          );
        }
        const kept = await herald.call('GET', `${base}/${hook.body.id}`, { key: tenantKey });
        assert.equal(kept.body.url, 'http://127.0.0.1:9/ok');
      });

      it('refuses NUL in stored text alike on both backends, before the store sees it', async () => {
        const t = '/v1/tenants/tenant_abc123';
        const bodies: [string, unknown][] = [
          ['/v1/tenants', { id: 'tenant_nul', name: 'a\u0000b' }],
          [`${t}/api-keys`, { name: 'a\u0000' }],
          ['/v1/event-types', { name: 'nul.type', description: 'a\u0000' }],
          [base, { url: 'http://127.0.0.1:9/x', description: 'a\u0000' }],
          [base, { url: 'http://127.0.0.1:9/x', secret: 'abcdefgh\u0000' }],
          [`${t}/events`, { event: 'kpi.\u0000', data: {} }],
          [`${t}/dlq/replay-all`, { webhookId: 'wh_\u0000' }],
        ];
        for (const [path, body] of bodies) {
          const refused = await herald.call('POST', path, { body });
          assertError(refused, 422, 'VALIDATION_FAILED');
          assert.match(refused.body.error.message, /must not contain NUL/);
        }
        assertError(await herald.call('PATCH', t, { body: { name: '\u0000' } }), 422, 'VALIDATION_FAILED');
        for (const path of [
          '/v1/tenants/tenant%00abc/webhooks',
          `${t}/webhooks/wh%00x`,
          `${t}/deliveries/dlv%00x`,
          `${t}/dlq/dlq%00x`,
          `${t}/webhooks?cursor=a%00b`,
          `${t}/dlq?webhookId=a%00b`,
        ]) {
          const refused = await herald.call('GET', path);
          assertError(refused, 400, 'INVALID_REQUEST');
          assert.match(refused.body.error.message, /must not contain NUL/);
        }
        assertError(await herald.call('DELETE', '/v1/event-types/a%00b'), 400, 'INVALID_REQUEST');
        assert.equal((await herald.call('GET', '/v1/tenants/tenant_nul')).status, 404);
        const published = await herald.call('POST', `${t}/events`, {
          body: { event: 'kpi.alert', data: { note: 'a\u0000b' } },
        });
        assert.equal(published.status, 202, 'data is stored as bytes and may hold any JSON string');
      });

      it('sets ordering and a delivery rate limit at registration and changes them', async () => {
        const created = await herald.call('POST', base, {
          key: tenantKey,
          body: { url: 'http://127.0.0.1:9/ordered', ordering: 'fifo', rateLimit: 2.5 },
        });
        assert.equal(created.status, 201);
        assert.deepEqual([created.body.ordering, created.body.rateLimit], ['fifo', 2.5]);
        const changed = await herald.call('PATCH', `${base}/${created.body.id}`, {
          key: tenantKey,
          body: { ordering: 'none', rateLimit: null },
        });
        assert.equal(changed.status, 200);
        assert.deepEqual([changed.body.ordering, changed.body.rateLimit], ['none', null]);
        const fetched = await herald.call('GET', `${base}/${created.body.id}`, { key: tenantKey });
        assert.deepEqual(fetched.body, changed.body);
        assertError(
          await herald.call('PATCH', `${base}/${created.body.id}`, {
            key: tenantKey,
            body: { rateLimit: 0 },
          }),
          422,
          'VALIDATION_FAILED',
        );
      });

      it('pages the list with a cursor', async () => {
        const tenant = (await herald.call('POST', '/v1/tenants', { body: {} })).body.id;
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(
            (
              await herald.call('POST', `/v1/tenants/${tenant}/webhooks`, {
                body: { url: `http://127.0.0.1:9/${i}` },
              })
            ).body.id,
          );
        }
        const first = await herald.call('GET', `/v1/tenants/${tenant}/webhooks?limit=2`);
        assert.equal(first.body.data.length, 2);
        const second = await herald.call(
          'GET',
          `/v1/tenants/${tenant}/webhooks?limit=2&cursor=${first.body.nextCursor}`,
        );
        const third = await herald.call(
          'GET',
          `/v1/tenants/${tenant}/webhooks?limit=2&cursor=${second.body.nextCursor}`,
        );
        assert.equal(third.body.nextCursor, null);
        const seen = [...first.body.data, ...second.body.data, ...third.body.data].map(
          (w: { id: string }) => w.id,
        );
        assert.deepEqual(seen.sort(), [...ids].sort());
        const all = await herald.call('GET', `/v1/tenants/${tenant}/webhooks`);
        assert.equal(all.body.data.length, 5);
        assert.equal(all.body.nextCursor, null);
        assertError(
          await herald.call('GET', `/v1/tenants/${tenant}/webhooks?limit=0`),
          400,
          'INVALID_REQUEST',
        );
        assertError(
          await herald.call('GET', `/v1/tenants/${tenant}/webhooks?limit=501`),
          400,
          'INVALID_REQUEST',
        );
        assertError(
          await herald.call('GET', `/v1/tenants/${tenant}/webhooks?limit=ten`),
          400,
          'INVALID_REQUEST',
        );
        assertError(
          await herald.call('GET', `/v1/tenants/${tenant}/webhooks?sort=url`),
          400,
          'INVALID_REQUEST',
        );
      });

      it('updates, disables and deletes a webhook', async () => {
        const hook = (
          await herald.call('POST', base, {
            key: tenantKey,
            body: { url: 'http://127.0.0.1:9/a', secret: 'a-long-secret' },
          })
        ).body;
        const patched = await herald.call('PATCH', `${base}/${hook.id}`, {
          key: tenantKey,
          body: {
            url: 'http://127.0.0.1:9/b',
            events: ['kpi.alert', 'kpi.computed'],
            status: 'disabled',
            secret: null,
          },
        });
        assert.equal(patched.status, 200);
        assert.equal(patched.body.url, 'http://127.0.0.1:9/b');
        assert.deepEqual(patched.body.events, ['kpi.alert', 'kpi.computed']);
        assert.equal(patched.body.status, 'disabled');
        assert.equal(patched.body.hasSecret, false);
        assert.ok(patched.body.updatedAt >= hook.updatedAt);
        assertError(
          await herald.call('PATCH', `${base}/${hook.id}`, { key: tenantKey, body: {} }),
          422,
          'VALIDATION_FAILED',
        );
        assertError(
          await herald.call('PATCH', `${base}/${hook.id}`, { key: tenantKey, body: { status: 'paused' } }),
          422,
          'VALIDATION_FAILED',
        );
        assertError(
          await herald.call('PATCH', `${base}/${hook.id}`, {
            key: tenantKey,
            body: { url: 'http://172.16.0.1/' },
          }),
          422,
          'URL_NOT_ALLOWED',
        );
        assertError(
          await herald.call('PATCH', `${base}/${hook.id}`, {
            key: tenantKey,
            body: { events: ['nope.nope'] },
          }),
          422,
          'UNKNOWN_EVENT_TYPE',
        );
        assertError(
          await herald.call('PATCH', `${base}/wh_missing`, { key: tenantKey, body: { status: 'active' } }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assert.equal((await herald.call('DELETE', `${base}/${hook.id}`, { key: tenantKey })).status, 204);
        assertError(
          await herald.call('GET', `${base}/${hook.id}`, { key: tenantKey }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assertError(
          await herald.call('DELETE', `${base}/${hook.id}`, { key: tenantKey }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
      });
    });

    describe('events', () => {
      const events = '/v1/tenants/tenant_abc123/events';

      it('accepts an event with 202 and its stored timestamp', async () => {
        const published = await herald.call('POST', events, {
          key: tenantKey,
          body: { event: 'dashboard.ready', data: { dashboardId: 'd1' } },
        });
        assert.equal(published.status, 202);
        assert.match(published.body.id, /^evt_/);
        assert.equal(published.body.event, 'dashboard.ready');
        assert.match(published.body.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        assert.equal(typeof published.body.deliveries, 'number');
      });

      it('answers a repeated id with the first result', async () => {
        const first = await herald.call('POST', events, {
          key: tenantKey,
          body: { id: 'job_xyz-1', event: 'ingestion.completed', data: { rows: 1 } },
        });
        const again = await herald.call('POST', events, {
          key: tenantKey,
          body: { id: 'job_xyz-1', event: 'ingestion.completed', data: { rows: 1 } },
        });
        assert.equal(first.status, 202);
        assert.equal(again.status, 202);
        assert.deepEqual(again.body, first.body);
        assert.equal(again.headers['idempotent-replayed'], 'true');
        assert.equal(first.headers['idempotent-replayed'], undefined);
      });

      it('keeps webhook.test for the Test action, alone and in a batch', async () => {
        const refused = await herald.call('POST', events, {
          key: tenantKey,
          body: { event: 'webhook.test', data: {} },
        });
        assertError(refused, 422, 'EVENT_TYPE_RESERVED');
        const batch = await herald.call('POST', `${events}/batch`, {
          key: tenantKey,
          body: {
            events: [
              { event: 'webhook.test', data: {} },
              { event: 'kpi.alert', data: {} },
            ],
          },
        });
        assert.equal(batch.status, 202);
        assert.equal(batch.body.data[0].error.code, 'EVENT_TYPE_RESERVED');
        assert.match(batch.body.data[1].id, /^evt_/);
      });

      it("keeps webhook.disabled for Herald's own notices", async () => {
        const forged = await herald.call('POST', events, {
          key: tenantKey,
          body: { event: 'webhook.disabled', data: { webhookId: 'wh_other' } },
        });
        assertError(forged, 422, 'EVENT_TYPE_RESERVED');
        assert.match(forged.body.error.message, /disables/);
      });

      it('refuses malformed, unknown and oversized events', async () => {
        const cases: [unknown, number, string][] = [
          [{ event: 'kpi.alert' }, 422, 'VALIDATION_FAILED'],
          [{ data: {} }, 422, 'VALIDATION_FAILED'],
          [{ event: 'kpi.alert', data: 'text' }, 422, 'VALIDATION_FAILED'],
          [{ event: 'kpi.alert', data: [1, 2] }, 422, 'VALIDATION_FAILED'],
          [{ event: 'kpi.alert', data: {}, id: 'has space' }, 422, 'VALIDATION_FAILED'],
          [{ event: 'kpi.alert', data: {}, extra: true }, 422, 'VALIDATION_FAILED'],
          [{ event: 'kpi.unknown', data: {} }, 422, 'UNKNOWN_EVENT_TYPE'],
        ];
        for (const [body, status, code] of cases) {
          assertError(await herald.call('POST', events, { key: tenantKey, body }), status, code);
        }
        const big = { event: 'kpi.alert', data: { blob: 'x'.repeat(300 * 1024) } };
        assertError(
          await herald.call('POST', events, { key: tenantKey, body: big }),
          413,
          'PAYLOAD_TOO_LARGE',
        );
        assertError(
          await herald.call('POST', events, { key: tenantKey, raw: 'nope', headers: JSON_HEADERS }),
          400,
          'INVALID_JSON',
        );
        assertError(
          await herald.call('POST', events, { key: tenantKey, raw: '', headers: JSON_HEADERS }),
          422,
          'VALIDATION_FAILED',
        );
      });
      it('refuses data nested deeper than 64 levels, naming the limit', async () => {
        const deep = nestedText(5_000);
        const refused = await herald.call('POST', events, {
          key: tenantKey,
          raw: `{"event":"kpi.alert","data":${deep}}`,
          headers: JSON_HEADERS,
        });
        assertError(refused, 422, 'VALIDATION_FAILED');
        assert.equal(refused.body.error.message, 'body.data is nested deeper than 64 levels.');
        const atTheLimit = await herald.call('POST', events, {
          key: tenantKey,
          raw: `{"event":"kpi.alert","data":${nestedText(64)}}`,
          headers: JSON_HEADERS,
        });
        assert.equal(atTheLimit.status, 202, JSON.stringify(atTheLimit.body));
        const arrays = await herald.call('POST', events, {
          key: tenantKey,
          raw: `{"event":"kpi.alert","data":{"a":${'['.repeat(64)}${']'.repeat(64)}}}`,
          headers: JSON_HEADERS,
        });
        assertError(arrays, 422, 'VALIDATION_FAILED');
      });
    });

    describe('batch publish', () => {
      const batch = '/v1/tenants/tenant_abc123/events/batch';

      it('publishes many events with one result each, refusing bad ones on their own', async () => {
        const response = await herald.call('POST', batch, {
          key: tenantKey,
          body: {
            events: [
              { event: 'kpi.alert', data: { n: 1 }, id: 'batch-1' },
              { event: 'kpi.nope', data: {} },
              { event: 'kpi.alert', data: 'not an object' },
              { event: 'kpi.computed', data: { blob: 'x'.repeat(260 * 1024) } },
              { event: 'kpi.alert', data: { n: 1 }, id: 'batch-1' },
              { event: 'dashboard.ready', data: {} },
            ],
          },
        });
        assert.equal(response.status, 202);
        const [first, unknown, invalid, large, duplicate, last] = response.body.data;
        assert.equal(first.id, 'batch-1');
        assert.equal(first.event, 'kpi.alert');
        assert.equal(unknown.error.code, 'UNKNOWN_EVENT_TYPE');
        assert.equal(invalid.error.code, 'VALIDATION_FAILED');
        assert.match(invalid.error.message, /events\[2\]\.data must be a JSON object/);
        assert.equal(large.error.code, 'PAYLOAD_TOO_LARGE');
        assert.deepEqual(duplicate, first, 'the same id inside one batch is stored once');
        assert.match(last.id, /^evt_/);
        const single = await herald.call('POST', '/v1/tenants/tenant_abc123/events', {
          key: tenantKey,
          body: { event: 'kpi.alert', data: { n: 1 }, id: 'batch-1' },
        });
        assert.deepEqual(single.body, first, 'idempotency is shared with the single-event route');
      });

      it('refuses a too deeply nested event on its own, publishing the others', async () => {
        const response = await herald.call('POST', batch, {
          key: tenantKey,
          raw: `{"events":[{"event":"kpi.alert","data":{}},{"event":"kpi.alert","data":${nestedText(5_000)}}]}`,
          headers: JSON_HEADERS,
        });
        assert.equal(response.status, 202, JSON.stringify(response.body));
        const [published, refused] = response.body.data;
        assert.match(published.id, /^evt_/);
        assert.deepEqual(refused, {
          error: { code: 'VALIDATION_FAILED', message: 'events[1].data is nested deeper than 64 levels.' },
        });
      });

      it('refuses an empty, oversized or malformed batch as a whole', async () => {
        assertError(
          await herald.call('POST', batch, { key: tenantKey, body: { events: [] } }),
          422,
          'VALIDATION_FAILED',
        );
        assertError(await herald.call('POST', batch, { key: tenantKey, body: [] }), 422, 'VALIDATION_FAILED');
        const tooMany = { events: Array.from({ length: 1001 }, () => ({ event: 'kpi.alert', data: {} })) };
        const refused = await herald.call('POST', batch, { key: tenantKey, body: tooMany });
        assertError(refused, 422, 'QUOTA_EXCEEDED');
        assert.match(
          refused.body.error.message,
          /1001 events; tenant tenant_abc123 may publish at most 1000/,
        );
        assertError(
          await herald.call('POST', batch, { key: otherKey, body: { events: [{}] } }),
          404,
          'TENANT_NOT_FOUND',
        );
      });
    });

    describe('deliveries and the DLQ: error paths', () => {
      it('answers unknown ids with 404 and bad filters with 400', async () => {
        const t = '/v1/tenants/tenant_abc123';
        assertError(
          await herald.call('POST', `${t}/deliveries/dlv_999999/resend`),
          404,
          'DELIVERY_NOT_FOUND',
        );
        assertError(await herald.call('POST', `${t}/deliveries/garbage/resend`), 404, 'DELIVERY_NOT_FOUND');
        assertError(await herald.call('GET', `${t}/deliveries/dlv_999999`), 404, 'DELIVERY_NOT_FOUND');
        assertError(
          await herald.call('GET', `${t}/webhooks/wh_missing/deliveries`),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assertError(await herald.call('POST', `${t}/webhooks/wh_missing/test`), 404, 'WEBHOOK_NOT_FOUND');
        assertError(await herald.call('POST', `${t}/dlq/dlq_999999/replay`), 404, 'DEAD_LETTER_NOT_FOUND');
        assertError(await herald.call('GET', `${t}/dlq/dlq_999999`), 404, 'DEAD_LETTER_NOT_FOUND');
        assertError(
          await herald.call('POST', `${t}/dlq/replay-all`, { body: { webhookId: 'wh_missing' } }),
          404,
          'WEBHOOK_NOT_FOUND',
        );
        assertError(await herald.call('GET', `${t}/dlq?webhookId=wh_missing`), 404, 'WEBHOOK_NOT_FOUND');
        const hook = (await herald.call('POST', `${t}/webhooks`, { body: { url: 'http://127.0.0.1:9/f' } }))
          .body;
        assertError(
          await herald.call('GET', `${t}/webhooks/${hook.id}/deliveries?status=lost`),
          400,
          'INVALID_REQUEST',
        );
        assertError(
          await herald.call('GET', `${t}/webhooks/${hook.id}/deliveries?cursor=page2`),
          400,
          'INVALID_CURSOR',
        );
        assertError(await herald.call('GET', `${t}/dlq?cursor=dlv_12`), 400, 'INVALID_CURSOR');
        const empty = await herald.call('POST', `${t}/dlq/replay-all`, { raw: '', headers: JSON_HEADERS });
        assert.equal(empty.status, 202);
        assert.equal(typeof empty.body.replayed, 'number');
      });
    });
  });

  describe(`API v1 history search (${backend})`, () => {
    // Time stands still: each event's first attempt fails (nothing listens on port 9) and its retry
    // waits for a time that never comes, so the history holds still while the test reads it.
    const clock = new ManualClock();
    let herald: TestHerald;
    const t = '/v1/tenants/tenant_search';
    before(async () => {
      herald = await startTestHerald(backend, {}, { clock });
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_search' } })).status, 201);
    });
    after(async () => {
      await herald.stop();
    });

    it("filters a webhook's history with its total, and shows an event's attempts to its tenant only", async () => {
      const hook = (
        await herald.call('POST', `${t}/webhooks`, { body: { url: 'http://127.0.0.1:9/history' } })
      ).body;
      const published: string[] = [];
      for (const event of ['kpi.alert', 'kpi.alert', 'dashboard.ready']) {
        published.push((await herald.call('POST', `${t}/events`, { body: { event, data: {} } })).body.id);
      }
      const list = (query: string) => herald.call('GET', `${t}/webhooks/${hook.id}/deliveries?${query}`);
      await eventually(
        async () => ((await list('status=failed')).body.total === 3 ? true : undefined),
        'every first attempt failed',
      );

      const all = await list('');
      assert.equal(all.body.total, 6, 'three failed attempts and their three retries');
      const alerts = await list('event=kpi.alert&limit=1');
      assert.equal(alerts.status, 200);
      assert.equal(alerts.body.total, 4);
      assert.equal(alerts.body.data.length, 1);
      assert.equal(alerts.body.data[0].event, 'kpi.alert');
      const next = await list(`event=kpi.alert&limit=1&cursor=${alerts.body.nextCursor}`);
      assert.equal(next.body.total, 4, 'every page carries the total');
      assert.equal((await list('event=kpi.alert&status=pending')).body.total, 2);

      const one = await list(`eventId=${published[2]}`);
      assert.equal(one.body.total, 2);
      assert.deepEqual(
        one.body.data.map((d: { eventId: string; attempt: number }) => `${d.eventId}#${d.attempt}`),
        [`${published[2]}#2`, `${published[2]}#1`],
      );
      const at = (ms: number) => new Date(clock.now() + ms).toISOString();
      assert.equal((await list(`after=${at(1)}`)).body.total, 0);
      assert.equal((await list(`after=${at(0)}&before=${at(1)}`)).body.total, 6);
      assertError(await list(`after=${at(1)}&before=${at(1)}`), 422, 'VALIDATION_FAILED');
      assertError(await list('after=yesterday'), 400, 'INVALID_REQUEST');

      const timeline = await herald.call('GET', `${t}/events/${published[2]}`);
      assert.equal(timeline.status, 200);
      assert.equal(timeline.body.id, published[2]);
      assert.equal(timeline.body.event, 'dashboard.ready');
      assert.equal(JSON.parse(timeline.body.payload).event, 'dashboard.ready');
      assert.deepEqual(
        timeline.body.deliveries.map(
          (d: { webhookId: string; attempt: number }) => `${d.webhookId}#${d.attempt}`,
        ),
        [`${hook.id}#1`, `${hook.id}#2`],
      );
      assert.equal(timeline.body.totalDeliveries, 2);
      assertError(await herald.call('GET', `${t}/events/evt_missing`), 404, 'EVENT_NOT_FOUND');
      await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_elsewhere' } });
      assertError(
        await herald.call('GET', `/v1/tenants/tenant_elsewhere/events/${published[2]}`),
        404,
        'EVENT_NOT_FOUND',
      );
    });
  });

  describe(`API v1 quotas (${backend})`, () => {
    const clock = new ManualClock();
    let herald: TestHerald;
    /** Keys of tenant_q, whose limits the tests set; tenant_calm keeps the settings. */
    let qKey: string;
    let qSecondKey: string;
    let calmKey: string;

    const events = (tenant: string) => `/v1/tenants/${tenant}/events`;
    const publish = (key: string, tenant = 'tenant_q') =>
      herald.call('POST', events(tenant), { key, body: { event: 'kpi.alert', data: {} } });
    const publishBatch = (key: string, size: number) =>
      herald.call('POST', `${events('tenant_q')}/batch`, {
        key,
        body: { events: Array.from({ length: size }, (_, n) => ({ event: 'kpi.alert', data: { n } })) },
      });
    const setLimits = async (limits: Record<string, number | null>) => {
      const patched = await herald.call('PATCH', '/v1/tenants/tenant_q', { body: { limits } });
      assert.equal(patched.status, 200, JSON.stringify(patched.body));
      return patched.body;
    };

    before(async () => {
      herald = await startTestHerald(backend, {}, { clock });
      for (const id of ['tenant_q', 'tenant_calm']) {
        assert.equal((await herald.call('POST', '/v1/tenants', { body: { id } })).status, 201);
      }
      const newKey = async (tenant: string) =>
        (await herald.call('POST', `/v1/tenants/${tenant}/api-keys`, { body: {} })).body.key as string;
      qKey = await newKey('tenant_q');
      qSecondKey = await newKey('tenant_q');
      calmKey = await newKey('tenant_calm');
    });
    after(async () => {
      await herald.stop();
    });
    beforeEach(async () => {
      await setLimits({ maxWebhooks: null, maxBatchEvents: null, publishRate: null, keyPublishRate: null });
      clock.advance(60_000); // every bucket full again
    });

    describe('limits set by the admin', () => {
      it('sets, raises, lowers and removes limits; reads show its own and those in force', async () => {
        const set = await setLimits({ maxWebhooks: 3, publishRate: 50 });
        assert.deepEqual(set.limits, { maxWebhooks: 3, publishRate: 50 });
        assert.deepEqual(set.effectiveLimits, { ...DEFAULT_LIMITS, maxWebhooks: 3, publishRate: 50 });
        const changed = await setLimits({ maxWebhooks: 5_000, publishRate: 0, keyPublishRate: 10 });
        assert.deepEqual(changed.limits, { maxWebhooks: 5_000, publishRate: 0, keyPublishRate: 10 });
        const read = await herald.call('GET', '/v1/tenants/tenant_q');
        assert.deepEqual(read.body, changed);
        const listed = (await herald.call('GET', '/v1/tenants')).body.data;
        assert.deepEqual(
          listed.find((tenant: { id: string }) => tenant.id === 'tenant_q'),
          changed,
        );
        assert.deepEqual(
          listed.find((tenant: { id: string }) => tenant.id === 'tenant_calm').effectiveLimits,
          DEFAULT_LIMITS,
        );
        const me = await herald.call('GET', '/v1/me', { key: qKey });
        assert.deepEqual(me.body.effectiveLimits, changed.effectiveLimits);
        const removed = await setLimits({ maxWebhooks: null, publishRate: null });
        assert.deepEqual(removed.limits, { keyPublishRate: 10 });
        assert.deepEqual(removed.effectiveLimits, { ...DEFAULT_LIMITS, keyPublishRate: 10 });
      });

      it('renames a tenant and keeps what the patch leaves out', async () => {
        await setLimits({ maxBatchEvents: 10 });
        const renamed = await herald.call('PATCH', '/v1/tenants/tenant_q', { body: { name: 'Quota Inc' } });
        assert.equal(renamed.status, 200);
        assert.equal(renamed.body.name, 'Quota Inc');
        assert.deepEqual(renamed.body.limits, { maxBatchEvents: 10 });
      });

      it("keeps the change for the admin key: a tenant's key cannot make it", async () => {
        const change = { body: { limits: { publishRate: 0 } } };
        assertError(
          await herald.call('PATCH', '/v1/tenants/tenant_q', { key: qKey, ...change }),
          403,
          'ADMIN_KEY_REQUIRED',
        );
        assertError(
          await herald.call('PATCH', '/v1/tenants/tenant_q', { key: calmKey, ...change }),
          404,
          'TENANT_NOT_FOUND',
        );
        assertError(await herald.call('PATCH', '/v1/tenants/tenant_nope', change), 404, 'TENANT_NOT_FOUND');
        assert.deepEqual((await herald.call('GET', '/v1/tenants/tenant_q')).body.limits, {});
      });

      it('refuses limits out of range, unknown ones and an empty change', async () => {
        for (const body of [
          { limits: { maxWebhooks: -1 } },
          { limits: { maxBatchEvents: 0 } },
          { limits: { maxBatchEvents: 1001 } },
          { limits: { publishRate: 2.5 } },
          { limits: { retries: 3 } },
          { limits: 'none' },
          {},
        ]) {
          assertError(await herald.call('PATCH', '/v1/tenants/tenant_q', { body }), 422, 'VALIDATION_FAILED');
        }
      });
    });

    describe('webhooks per tenant', () => {
      const hooks = '/v1/tenants/tenant_q/webhooks';
      const create = (n: number) =>
        herald.call('POST', hooks, { key: qKey, body: { url: `http://127.0.0.1:9/h${n}` } });
      const deleteAll = async () => {
        for (const hook of (await herald.call('GET', hooks)).body.data) {
          assert.equal((await herald.call('DELETE', `${hooks}/${hook.id}`)).status, 204);
        }
      };

      it('refuses the webhook past the limit, naming it and how it is raised', async () => {
        await deleteAll();
        await setLimits({ maxWebhooks: 3 });
        for (const n of [1, 2, 3]) assert.equal((await create(n)).status, 201);
        const refused = await create(4);
        assertError(refused, 422, 'QUOTA_EXCEEDED');
        assert.match(refused.body.error.message, /tenant_q has reached its limit of 3 webhooks/);
        assert.match(refused.body.error.message, /PATCH \/v1\/tenants\/tenant_q .*maxWebhooks/);
        assert.match(refused.body.error.message, /HERALD_TENANT_MAX_WEBHOOKS/);
        const first = (await herald.call('GET', hooks)).body.data[0];
        await herald.call('DELETE', `${hooks}/${first.id}`);
        assert.equal((await create(5)).status, 201, 'a deleted webhook makes room');
        await setLimits({ maxWebhooks: 4 });
        assert.equal((await create(6)).status, 201, 'a raised limit makes room');
        assert.equal(
          (
            await herald.call('POST', '/v1/tenants/tenant_calm/webhooks', {
              key: calmKey,
              body: { url: 'http://127.0.0.1:9/calm' },
            })
          ).status,
          201,
          'other tenants are not counted',
        );
      });

      it('never passes the limit when creates race', async () => {
        await deleteAll();
        await setLimits({ maxWebhooks: 3 });
        const answers = await Promise.all(Array.from({ length: 10 }, (_, n) => create(n)));
        const statuses = answers.map((answer) => answer.status).sort();
        assert.deepEqual(statuses, [201, 201, 201, 422, 422, 422, 422, 422, 422, 422]);
        assert.equal((await herald.call('GET', hooks)).body.data.length, 3);
      });
    });

    describe('events per batch', () => {
      it("refuses a batch over the tenant's limit as a whole, naming the limit", async () => {
        await setLimits({ maxBatchEvents: 5 });
        assert.equal((await publishBatch(qKey, 5)).status, 202);
        const refused = await publishBatch(qKey, 6);
        assertError(refused, 422, 'QUOTA_EXCEEDED');
        assert.match(
          refused.body.error.message,
          /6 events; tenant tenant_q may publish at most 5 in one request/,
        );
        assert.match(refused.body.error.message, /maxBatchEvents.*HERALD_MAX_BATCH_EVENTS/);
        await setLimits({ maxBatchEvents: null });
        assert.equal((await publishBatch(qKey, 6)).status, 202);
      });
    });

    describe('publish rates', () => {
      it("answers 429 with Retry-After past the tenant's rate, not touching another tenant", async () => {
        await setLimits({ publishRate: 5 });
        for (let n = 0; n < 5; n++) assert.equal((await publish(qKey)).status, 202);
        const refused = await publish(qKey);
        assertError(refused, 429, 'RATE_LIMITED');
        assert.deepEqual(Object.keys(refused.body), ['error']);
        assert.deepEqual(Object.keys(refused.body.error).sort(), ['code', 'message']);
        assert.equal(refused.headers['retry-after'], '1');
        assert.match(refused.body.error.message, /Tenant tenant_q may publish 5 events a second/);
        assert.match(refused.body.error.message, /publishRate.*HERALD_TENANT_PUBLISH_RATE/);
        assert.equal(
          (await publish(calmKey, 'tenant_calm')).status,
          202,
          'another tenant at the same moment',
        );
        clock.advance(200);
        assert.equal((await publish(qKey)).status, 202, 'one event a fifth of a second');
        assert.equal((await publish(qKey)).status, 429);
      });

      it('counts a batch as its events', async () => {
        await setLimits({ publishRate: 100 });
        assert.equal((await publishBatch(qKey, 60)).status, 202);
        const refused = await publishBatch(qKey, 41);
        assertError(refused, 429, 'RATE_LIMITED');
        assert.equal(refused.headers['retry-after'], '1');
        assert.equal((await publishBatch(qKey, 40)).status, 202);
        clock.advance(1_000);
        assert.equal((await publishBatch(qKey, 100)).status, 202, 'the burst is one second worth');
      });

      it("counts the admin's publishes toward the tenant, never toward a key", async () => {
        await setLimits({ publishRate: 10, keyPublishRate: 2 });
        for (let n = 0; n < 8; n++) assert.equal((await publish(herald.adminKey)).status, 202);
        assert.equal((await publish(qKey)).status, 202);
        assert.equal((await publish(qSecondKey)).status, 202);
        assertError(await publish(herald.adminKey), 429, 'RATE_LIMITED');
      });

      it("limits each of a tenant's keys on its own", async () => {
        await setLimits({ keyPublishRate: 2 });
        assert.equal((await publish(qKey)).status, 202);
        assert.equal((await publish(qKey)).status, 202);
        const refused = await publish(qKey);
        assertError(refused, 429, 'RATE_LIMITED');
        assert.match(
          refused.body.error.message,
          /This API key of tenant tenant_q may publish 2 events a second/,
        );
        assert.equal((await publish(qSecondKey)).status, 202, 'another key of the same tenant');
        assert.equal((await publish(herald.adminKey)).status, 202, 'the admin key');
        clock.advance(500);
        assert.equal((await publish(qKey)).status, 202);
      });

      it('waits longer after a batch over the rate', async () => {
        await setLimits({ publishRate: 10 });
        assert.equal((await publishBatch(qKey, 50)).status, 202, 'a full bucket lets a big batch through');
        const refused = await publish(qKey);
        assertError(refused, 429, 'RATE_LIMITED');
        assert.equal(refused.headers['retry-after'], '5');
        clock.advance(4_100);
        assert.equal((await publish(qKey)).status, 202);
      });
    });
  });

  describe(`API v1 quota settings (${backend})`, () => {
    it('gives every tenant without limits of its own the settings', async () => {
      const settings = { maxWebhooks: 1, maxBatchEvents: 2, publishRate: 3, keyPublishRate: 0 };
      const herald = await startTestHerald(backend, settings, { clock: new ManualClock() });
      try {
        const created = await herald.call('POST', '/v1/tenants', { body: { id: 'tenant_s' } });
        assert.deepEqual(created.body.effectiveLimits, settings);
        const hooks = '/v1/tenants/tenant_s/webhooks';
        assert.equal(
          (await herald.call('POST', hooks, { body: { url: 'http://127.0.0.1:9/a' } })).status,
          201,
        );
        assertError(
          await herald.call('POST', hooks, { body: { url: 'http://127.0.0.1:9/b' } }),
          422,
          'QUOTA_EXCEEDED',
        );
        const batch = { events: Array.from({ length: 3 }, () => ({ event: 'kpi.alert', data: {} })) };
        assertError(
          await herald.call('POST', '/v1/tenants/tenant_s/events/batch', { body: batch }),
          422,
          'QUOTA_EXCEEDED',
        );
        const publish = () =>
          herald.call('POST', '/v1/tenants/tenant_s/events', { body: { event: 'kpi.alert', data: {} } });
        for (let n = 0; n < 3; n++) assert.equal((await publish()).status, 202);
        assertError(await publish(), 429, 'RATE_LIMITED');
      } finally {
        await herald.stop();
      }
    });
  });
}
