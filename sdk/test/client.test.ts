import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHeraldClient, HeraldApiError, type RetryOptions, retryAfterMs } from '../src/index.js';

interface Sent {
  url: string;
  method: string;
  authorization: string | null;
  body: string;
}

const PUBLISHED = { id: 'evt_1', event: 'kpi.alert', timestamp: '2026-12-01T12:00:00.000Z', deliveries: 2 };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });
}

const busy = (headers: Record<string, string> = {}) =>
  json(429, { error: { code: 'RATE_LIMITED', message: 'Too many publishes.' } }, headers);

/** A client whose fetch answers from `answers` in turn and whose waits are recorded, not slept. */
function scripted(answers: Response[], retry: RetryOptions = {}) {
  const sent: Sent[] = [];
  const waits: number[] = [];
  const client = createHeraldClient({
    baseUrl: 'http://herald.test/',
    apiKey: 'hk_test',
    fetch: async (request) => {
      sent.push({
        url: request.url,
        method: request.method,
        authorization: request.headers.get('authorization'),
        body: await request.text(),
      });
      const answer = answers.shift();
      if (!answer) throw new Error('no scripted answer left');
      return answer;
    },
    retry: {
      sleep: async (ms) => {
        waits.push(ms);
      },
      random: () => 0.5,
      now: () => Date.parse('2026-12-01T12:00:00Z'),
      ...retry,
    },
  });
  return { client, sent, waits };
}

describe('createHeraldClient().publish', () => {
  it('POSTs the event with the bearer key and answers the published event', async () => {
    const { client, sent } = scripted([json(202, PUBLISHED)]);
    assert.deepEqual(await client.publish('t1', 'kpi.alert', { value: 3 }, { id: 'order-42' }), PUBLISHED);
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.url, 'http://herald.test/v1/tenants/t1/events');
    assert.equal(sent[0]?.method, 'POST');
    assert.equal(sent[0]?.authorization, 'Bearer hk_test');
    assert.deepEqual(JSON.parse(sent[0]?.body ?? ''), {
      event: 'kpi.alert',
      data: { value: 3 },
      id: 'order-42',
    });
  });

  it('generates an idempotency key when none is given, a new one per call', async () => {
    const { client, sent } = scripted([json(202, PUBLISHED), json(202, PUBLISHED)]);
    await client.publish('t1', 'kpi.alert', {});
    await client.publish('t1', 'kpi.alert', {});
    const ids = sent.map((request) => JSON.parse(request.body).id as string);
    for (const id of ids) assert.match(id, /^evt_[0-9a-f-]{36}$/);
    assert.notEqual(ids[0], ids[1]);
  });

  it('retries 429 and 503 with the same idempotency key, waiting as Retry-After says', async () => {
    const { client, sent, waits } = scripted([
      busy({ 'retry-after': '2' }),
      json(
        503,
        { error: { code: 'UNAVAILABLE', message: 'Shutting down.' } },
        {
          'retry-after': 'Tue, 01 Dec 2026 12:00:07 GMT',
        },
      ),
      json(202, PUBLISHED),
    ]);
    assert.deepEqual(await client.publish('t1', 'kpi.alert', { value: 3 }), PUBLISHED);
    assert.equal(sent.length, 3);
    const ids = new Set(sent.map((request) => JSON.parse(request.body).id));
    assert.equal(ids.size, 1, 'every attempt carries the key generated once');
    assert.deepEqual(waits, [2_000, 7_000]);
  });

  it('backs off exponentially with jitter when no Retry-After is given', async () => {
    const waitsWith = async (random: number) => {
      const { client, waits } = scripted([busy(), busy(), busy(), json(202, PUBLISHED)], {
        initialDelayMs: 100,
        random: () => random,
      });
      await client.publish('t1', 'kpi.alert', {});
      return waits;
    };
    assert.deepEqual(await waitsWith(0), [50, 100, 200]);
    assert.deepEqual(await waitsWith(0.5), [75, 150, 300]);
  });

  it('never backs off longer than maxDelayMs', async () => {
    const { client, waits } = scripted([busy(), busy(), busy(), json(202, PUBLISHED)], {
      initialDelayMs: 100,
      maxDelayMs: 250,
      random: () => 0.999,
    });
    await client.publish('t1', 'kpi.alert', {});
    assert.deepEqual(waits.map(Math.round), [100, 200, 250]);
  });

  it('gives up after the retries allowed and throws the last answer as a HeraldApiError', async () => {
    const { client, sent } = scripted([busy(), busy(), busy()], { retries: 2 });
    await assert.rejects(client.publish('t1', 'kpi.alert', {}), (error: unknown) => {
      assert.ok(error instanceof HeraldApiError);
      assert.equal(error.status, 429);
      assert.equal(error.code, 'RATE_LIMITED');
      assert.equal(error.message, 'Too many publishes.');
      return true;
    });
    assert.equal(sent.length, 3);
  });

  it('does not wait when Retry-After asks for longer than maxDelayMs: it answers at once', async () => {
    const { client, sent, waits } = scripted([busy({ 'retry-after': '3600' })], { maxDelayMs: 60_000 });
    await assert.rejects(client.publish('t1', 'kpi.alert', {}), { name: 'HeraldApiError', status: 429 });
    assert.equal(sent.length, 1);
    assert.deepEqual(waits, []);
  });

  it('never retries other errors', async () => {
    const { client, sent } = scripted([
      json(409, {
        error: { code: 'IDEMPOTENCY_CONFLICT', message: 'order-42 was published with other data.' },
      }),
    ]);
    await assert.rejects(client.publish('t1', 'kpi.alert', {}, { id: 'order-42' }), {
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    assert.equal(sent.length, 1);
  });

  it("names an error answer without Herald's error body by its status", async () => {
    const { client } = scripted([new Response('Bad Gateway', { status: 502 })]);
    await assert.rejects(client.publish('t1', 'kpi.alert', {}), { status: 502, code: 'HTTP_502' });
  });
});

describe('createHeraldClient: every route, typed', () => {
  it('retries any request turned away with 429 and sends it unchanged', async () => {
    const webhook = { url: 'https://example.com/hook', events: ['kpi.alert'] };
    const { client, sent } = scripted([busy({ 'retry-after': '0' }), json(201, { id: 'wh_1' })]);
    const { response } = await client.POST('/v1/tenants/{tenantId}/webhooks', {
      params: { path: { tenantId: 't1' } },
      body: webhook,
    });
    assert.equal(response.status, 201);
    assert.deepEqual(
      sent.map((request) => JSON.parse(request.body)),
      [webhook, webhook],
    );
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-12-01T12:00:00Z');
  it('reads seconds and HTTP dates, and nothing else', () => {
    assert.equal(retryAfterMs('120', now), 120_000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 12:01:00 GMT', now), 60_000);
    assert.equal(retryAfterMs('Tue, 01 Dec 2026 11:00:00 GMT', now), 0, 'a past date means now');
    assert.equal(retryAfterMs(null, now), null);
    assert.equal(retryAfterMs('soon', now), null);
  });
});
