import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { ERROR_STATUS } from '../../src/core/errors.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { sendRawHttp } from '../support/raw-http.js';

/**
 * Thousands of random and malformed requests at every route: none may answer 5xx or take Herald
 * down, and every 4xx must be `{"error": {"code", "message"}}` with a catalogue code of that status.
 * Most go through inject() (fast); the framing cases go through a real socket to Node's parser.
 */

const INJECTED_RUNS = Number(process.env.HERALD_PROPERTY_RUNS ?? 10_000);
const SOCKET_RUNS = Math.ceil(INJECTED_RUNS / 25);

interface Route {
  method: string;
  /** With `{name}` where a path parameter goes, as /openapi.json writes it. */
  path: string;
}

/** Every route Fastify serves, from the OpenAPI document it generates from the registered routes. */
function routesOf(server: FastifyInstance): Route[] {
  const paths = (server.swagger() as { paths: Record<string, Record<string, unknown>> }).paths;
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
  );
}

/** Every byte outside the unreserved set percent-encoded; lone surrogates become U+FFFD first. */
function percentEncode(text: string): string {
  return [...Buffer.from(text, 'utf8')]
    .map((byte) => {
      const char = String.fromCharCode(byte);
      return /[A-Za-z0-9_.~-]/.test(char) ? char : `%${byte.toString(16).padStart(2, '0').toUpperCase()}`;
    })
    .join('');
}

const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}{}${'}'.repeat(depth)}`;

/** Strings people and attackers type into free-text fields and URLs. */
const nastyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\r\n',
    'http://127.0.0.1:9/x\r\nX-Injected: 1',
    ' http://127.0.0.1:9/x',
    'http:///x',
    'http://127.0.0.1:0/',
    'http://[::1]/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://169.254.169.254./',
    'http://[::ffff:10.0.0.1]/',
    'javascript:alert(1)',
    'http://user:pw@127.0.0.1:9/',
    '\uD800',
    'x'.repeat(5_000),
    '%00',
    '__proto__',
  ),
);

/** Stands for an object nested `depth` deep: JSON.stringify would overflow the stack on one. */
const DEEP_MARK = 'deep-object-of-depth:';
const deepValue = fc.integer({ min: 30, max: 6_000 }).map((depth) => `${DEEP_MARK}${depth}`);

const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  nastyText,
  deepValue,
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(-1, 0, 1e308, -1e-308, 2 ** 53 + 1, 1.5, true, null, [], {}),
);

/** A well-formed body for each route that takes one, mutated field by field by the generator. */
function sampleBody(route: Route): Record<string, unknown> {
  const samples: Record<string, Record<string, unknown>> = {
    'POST /v1/tenants': { id: 'tenant_new', name: 'New' },
    'PATCH /v1/tenants/{tenantId}': { name: 'Renamed', limits: { maxWebhooks: 50 } },
    'POST /v1/tenants/{tenantId}/api-keys': { name: 'ci' },
    'POST /v1/tenants/{tenantId}/portal-links': { expiresIn: 600 },
    'POST /v1/event-types': { name: 'prop.added', description: 'added by the property test' },
    'POST /v1/tenants/{tenantId}/webhooks': { url: 'http://127.0.0.1:9/prop', events: ['kpi.alert'] },
    'PATCH /v1/tenants/{tenantId}/webhooks/{id}': { description: 'changed', rateLimit: 5 },
    'POST /v1/tenants/{tenantId}/events': { event: 'kpi.alert', data: { n: 1 } },
    'POST /v1/tenants/{tenantId}/events/batch': {
      events: [
        { event: 'kpi.alert', data: {} },
        { event: 'kpi.alert', data: `${DEEP_MARK}70` },
      ],
    },
    'POST /v1/tenants/{tenantId}/dlq/replay-all': { webhookId: 'wh_missing' },
  };
  return samples[`${route.method} ${route.path}`] ?? {};
}

function mutatedBody(route: Route): fc.Arbitrary<string> {
  const sample = sampleBody(route);
  const keys = [...Object.keys(sample), 'unknownField', 'data', 'events', 'url'];
  return fc
    .array(fc.tuple(fc.constantFrom(...keys), fc.option(nastyValue, { nil: undefined })), { maxLength: 3 })
    .map((changes) => {
      const body: Record<string, unknown> = { ...sample };
      for (const [key, value] of changes) {
        if (value === undefined) delete body[key];
        else body[key] = value;
      }
      return JSON.stringify(body).replace(new RegExp(`"${DEEP_MARK}(\\d+)"`, 'g'), (_mark, depth) =>
        deepObject(Number(depth)),
      );
    });
}

const rawBody = fc.oneof(
  fc.constant(''),
  fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.constantFrom(
    '{',
    '{"a":1,}',
    'null',
    '"text"',
    '[]',
    '{"__proto__":{"polluted":true}}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `{"event":"kpi.alert","data":${deepObject(5_000)}}`,
    `{"events":[{"event":"kpi.alert","data":${deepObject(100)}},{"event":"kpi.alert","data":{}}]}`,
    `${'['.repeat(50_000)}${']'.repeat(50_000)}`,
  ),
);

const contentType = fc.oneof(
  { weight: 12, arbitrary: fc.constant('application/json') },
  { weight: 1, arbitrary: fc.constant(undefined) },
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json; charset=latin1',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonx',
      ';;;',
      '',
    ),
  },
);

const queryString = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  fc
    .array(
      fc.tuple(
        fc.oneof(
          fc.constantFrom('limit', 'cursor', 'status', 'webhookId', 'includePayload'),
          fc.string({ maxLength: 8 }),
        ),
        fc.oneof(
          fc.constantFrom('1', '0', '-1', '501', '1e3', 'abc', 'true', 'pending', 'succeeded', '', 'wh_x'),
          fc.string({ unit: 'binary', maxLength: 30 }),
        ),
      ),
      { maxLength: 4 },
    )
    .map(
      (pairs) => `?${pairs.map(([key, value]) => `${percentEncode(key)}=${percentEncode(value)}`).join('&')}`,
    ),
  fc.constantFrom('?%zz', '?limit=%', '?cursor=%00', '?&&&=', '?limit=1&limit=2', '?a[b]=c'),
);

interface Fixtures {
  tenantKey: string;
  otherKey: string;
  /**
   * Values that exist for each path parameter (or existed: a generated DELETE may remove them), so
   * that requests get past the lookups to the deeper checks.
   */
  ids: Record<string, string[]>;
}

function pathSegment(fixtures: Fixtures, parameter: string): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...(fixtures.ids[parameter] ?? ['x'])) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map(percentEncode) },
    { weight: 1, arbitrary: fc.string({ minLength: 95, maxLength: 130 }).map(percentEncode) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '%zz',
        '%',
        '%00',
        'a%00b',
        '%C0%AE',
        '..',
        '%2F',
        '%E2%82',
        '%ff',
        'a;b',
        '*',
      ),
    },
  );
}

interface GeneratedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
}

function requestFor(
  routes: readonly Route[],
  fixtures: Fixtures,
  adminKey: string,
): fc.Arbitrary<GeneratedRequest> {
  const authorization = fc.option(
    fc.oneof(
      { weight: 12, arbitrary: fc.constantFrom(`Bearer ${adminKey}`, `Bearer ${fixtures.tenantKey}`) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(
          `Bearer ${fixtures.otherKey}`,
          'Bearer',
          'Basic YTpi',
          `bearer  ${adminKey}`,
          'Bearer hpl_x.y',
        ),
      },
      {
        weight: 1,
        arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 40 }).map((text) => `Bearer ${text}`),
      },
    ),
    { nil: undefined, freq: 20 },
  );
  const target = fc.oneof(
    { weight: 9, arbitrary: fc.constantFrom(...routes) },
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
        path: fc.webPath().map((path) => (path.startsWith('/') ? path : `/${path}`)),
      }),
    },
  );
  return target.chain((route) => {
    const segments = (route.path.match(/\{[^}]+\}/g) ?? []).map((name) =>
      pathSegment(fixtures, name.slice(1, -1)),
    );
    const payload =
      route.method === 'GET' || route.method === 'DELETE'
        ? fc.option(rawBody, { nil: undefined, freq: 4 })
        : fc.oneof(mutatedBody(route), rawBody, fc.constant(undefined));
    return fc
      .record({
        values: fc.tuple(...segments),
        query: queryString,
        authorization,
        contentType,
        payload,
        contentLength: fc.oneof(
          { weight: 19, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.nat({ max: 300 }) },
        ),
      })
      .map(({ values, query, authorization, contentType, payload, contentLength }) => {
        let index = 0;
        const path = route.path.replace(/\{[^}]+\}/g, () => values[index++] ?? '');
        const headers: Record<string, string> = {};
        if (authorization !== undefined) headers.authorization = authorization;
        if (contentType !== undefined) headers['content-type'] = contentType;
        if (contentLength !== undefined) headers['content-length'] = String(contentLength);
        return { method: route.method, url: `${path}${query}`, headers, payload };
      });
  });
}

/** The answer is no 5xx, and a 4xx is exactly the catalogue shape with a code of its status. */
function assertCleanAnswer(status: number, body: string, request: string): void {
  assert.ok(status < 500, `${status} for ${request}: ${body.slice(0, 300)}`);
  if (status < 400) return;
  const parsed = JSON.parse(body) as { error?: { code?: string; message?: string } };
  assert.deepEqual(Object.keys(parsed), ['error'], `${request}: ${body}`);
  assert.deepEqual(Object.keys(parsed.error ?? {}), ['code', 'message'], `${request}: ${body}`);
  const code = parsed.error?.code as keyof typeof ERROR_STATUS;
  assert.equal(
    ERROR_STATUS[code],
    status,
    `${code} is a catalogue code answered with its status (${request})`,
  );
  assert.ok((parsed.error?.message ?? '').length > 10, `${request}: the message is a sentence`);
}

/** Requests with odd framing, as bytes: only a real socket reaches Node's HTTP parser with them. */
function rawRequest(adminKey: string): fc.Arbitrary<string> {
  const headerLine = fc.oneof(
    fc.constantFrom(
      'Transfer-Encoding: chunked',
      'Transfer-Encoding: gzip, chunked',
      'Content-Length: 5',
      'Content-Length: -1',
      'Content-Length: 99999999999999999999',
      'Content-Type: application/json',
      'Expect: 100-continue',
      'Host:',
      'X-Folded: a\r\n b',
      ' leading-space: x',
      'No-Colon',
      `X-Big: ${'a'.repeat(17_000)}`,
    ),
    fc
      .tuple(fc.stringMatching(/^[A-Za-z-]{1,20}$/), fc.string({ unit: 'grapheme-ascii', maxLength: 40 }))
      .map(([name, value]) => `${name}: ${value}`),
  );
  const framed = fc
    .record({
      method: fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'BREW', 'get', 'POST /x'),
      target: fc.oneof(
        fc.constantFrom(
          '/v1/tenants',
          '/v1/me',
          '/v1/tenants/%zz',
          '*',
          'http://evil/v1/me',
          '/v1/tenants/a b',
        ),
        fc.webPath(),
      ),
      version: fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1 junk', ''),
      headers: fc.array(headerLine, { maxLength: 4 }),
      body: fc.string({ unit: 'binary-ascii', maxLength: 80 }),
      lengthDelta: fc.integer({ min: -4, max: 4 }),
      declareLength: fc.boolean(),
    })
    .map(({ method, target, version, headers, body, lengthDelta, declareLength }) => {
      const lines = [
        `${method} ${target} ${version}`,
        'Host: herald.test',
        `Authorization: Bearer ${adminKey}`,
      ];
      lines.push(...headers);
      if (declareLength) lines.push(`Content-Length: ${Math.max(0, Buffer.byteLength(body) + lengthDelta)}`);
      return `${lines.join('\r\n')}\r\n\r\n${body}`;
    });
  return fc.oneof(
    { weight: 5, arbitrary: framed },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
  );
}

for (const backend of TEST_BACKENDS) {
  describe(`bad input at every route (${backend}, fast-check)`, () => {
    let herald: TestHerald;
    let server: FastifyInstance;
    let routes: Route[];
    let fixtures: Fixtures;

    before(async () => {
      // No workers: what the generated requests publish stays queued instead of being sent.
      herald = await startTestHerald(backend, {}, { workers: false });
      assert.ok(herald.herald.server);
      server = herald.herald.server;
      routes = routesOf(server);
      assert.ok(routes.length >= 20, `only ${routes.length} routes found`);
      for (const id of ['tenant_a', 'tenant_b']) {
        assert.equal((await herald.call('POST', '/v1/tenants', { body: { id } })).status, 201);
      }
      const tenantKey = (await herald.call('POST', '/v1/tenants/tenant_a/api-keys', { body: {} })).body.key;
      const otherKey = (await herald.call('POST', '/v1/tenants/tenant_b/api-keys', { body: {} })).body.key;
      const hook = await herald.call('POST', '/v1/tenants/tenant_a/webhooks', {
        body: { url: 'http://127.0.0.1:9/hook' },
      });
      await herald.call('POST', '/v1/tenants/tenant_a/events', { body: { event: 'kpi.alert', data: {} } });
      const deliveries = await herald.call('GET', `/v1/tenants/tenant_a/webhooks/${hook.body.id}/deliveries`);
      const deliveryId = deliveries.body.data[0]?.id;
      assert.ok(deliveryId, 'a delivery to aim at');
      fixtures = {
        tenantKey,
        otherKey,
        ids: {
          tenantId: ['tenant_a', 'tenant_a', 'tenant_b'],
          id: [hook.body.id, hook.body.id, deliveryId, 'dlq_missing'],
          name: ['prop.added', 'kpi.alert', 'webhook.test'],
        },
      };
    });
    after(async () => {
      await herald?.stop();
    });

    it(`answers ${INJECTED_RUNS} random requests without a 5xx, every 4xx from the catalogue`, async (t) => {
      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestFor(routes, fixtures, herald.adminKey), async (request) => {
          const response = await server.inject({
            method: request.method as 'GET',
            url: request.url,
            headers: request.headers,
            ...(request.payload === undefined ? {} : { payload: request.payload }),
          });
          seen.set(response.statusCode, (seen.get(response.statusCode) ?? 0) + 1);
          assertCleanAnswer(
            response.statusCode,
            response.body,
            `${request.method} ${request.url} ${JSON.stringify(request.headers)} ${request.payload?.slice(0, 200)}`,
          );
        }),
        { numRuns: INJECTED_RUNS, includeErrorInReport: true },
      );
      t.diagnostic(`statuses: ${JSON.stringify([...seen].sort(([a], [b]) => a - b))}`);
      // The generator must reach past authentication and validation, or it proves little.
      const succeeded = [...seen]
        .filter(([status]) => status < 300)
        .reduce((sum, [, count]) => sum + count, 0);
      assert.ok(
        succeeded >= INJECTED_RUNS * 0.05,
        `only ${succeeded} successes: ${JSON.stringify([...seen])}`,
      );
      for (const status of [400, 401, 404, 415, 422]) {
        assert.ok(seen.has(status), `no ${status} among ${JSON.stringify([...seen])}`);
      }
    });

    it(`answers ${SOCKET_RUNS} malformed requests on a real socket in the catalogue shape`, async () => {
      let answered = 0;
      await fc.assert(
        fc.asyncProperty(rawRequest(herald.adminKey), async (request) => {
          const answer = await sendRawHttp(herald.url, request, 50);
          for (const status of answer.statuses)
            assert.ok(status < 500, `${status} for ${JSON.stringify(request)}`);
          if (Number.isNaN(answer.status)) return;
          answered += 1;
          assertCleanAnswer(answer.status, answer.body, JSON.stringify(request.slice(0, 300)));
        }),
        { numRuns: SOCKET_RUNS, includeErrorInReport: true },
      );
      assert.ok(answered >= SOCKET_RUNS * 0.8, `only ${answered} of ${SOCKET_RUNS} requests were answered`);
      const health = await herald.call('GET', '/healthz', { key: null });
      assert.equal(health.status, 200, 'Herald still serves after all of it');
    });
  });
}
