import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { ManualClock } from '../../src/core/clock.js';
import { QUEUE_STATS_CACHE_MS } from '../../src/observability/metrics.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { startTestHerald, type TestHerald } from '../support/herald.js';
import { capturedLogger, LOG_LEVEL, type LogLine } from '../support/log-lines.js';
import { parsePrometheus, type Sample, sampleValue } from '../support/prometheus.js';
import { Receiver } from '../support/receiver.js';

const RETRY_MS = 60_000;
const TENANT = 'tenant_obs';
const t = `/v1/tenants/${TENANT}`;

async function scrape(herald: TestHerald): Promise<Sample[]> {
  const answer = await herald.call('GET', '/metrics');
  assert.equal(answer.status, 200, String(answer.body));
  assert.match(String(answer.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(answer.body as string);
}

const attempts = (samples: Sample[], outcome: string, statusClass: string) =>
  sampleValue(samples, 'herald_delivery_attempts_total', { outcome, status_class: statusClass });

async function createWebhook(herald: TestHerald, url: string): Promise<string> {
  const created = await herald.call('POST', `${t}/webhooks`, { body: { url } });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body.id;
}

for (const backend of TEST_BACKENDS) {
  describe(`metrics and logs of deliveries (${backend})`, () => {
    const clock = new ManualClock();
    const start = clock.now();
    const { logger, lines } = capturedLogger('info');
    let herald: TestHerald;
    let receiver: Receiver;
    let okHook: string;
    let failHook: string;

    before(async () => {
      receiver = await new Receiver().start();
      receiver.reply('/fail', { status: 500, body: 'down' });
      // One retry, a minute after the first failure; the second failure is a dead letter.
      herald = await startTestHerald(backend, { retrySchedule: [RETRY_MS] }, { clock, logger });
      assert.equal((await herald.call('POST', '/v1/tenants', { body: { id: TENANT } })).status, 201);
      okHook = await createWebhook(herald, receiver.url('/ok'));
      failHook = await createWebhook(herald, receiver.url('/fail'));
    });
    after(async () => {
      await herald?.stop();
      await receiver?.close();
    });

    it('counts a publish, a success, a retry and a move to the dead letter queue', async () => {
      const before = await scrape(herald);
      assert.equal(sampleValue(before, 'herald_events_published_total'), 0);
      assert.equal(attempts(before, 'succeeded', '2xx'), 0);
      assert.ok(sampleValue(before, 'nodejs_eventloop_lag_seconds') >= 0, 'default metrics are there');

      // The publisher names the event, so a repeat is recognised (idempotency).
      const event = { id: 'evt_obs_1', event: 'kpi.alert', data: { n: 1 } };
      assert.equal((await herald.call('POST', `${t}/events`, { body: event })).status, 202);
      const firstTry = await eventually(async () => {
        const samples = await scrape(herald);
        return attempts(samples, 'retry', '5xx') === 1 && attempts(samples, 'succeeded', '2xx') === 1
          ? samples
          : undefined;
      }, 'the first attempts to be counted');
      assert.equal(sampleValue(firstTry, 'herald_events_published_total'), 1);
      assert.equal(attempts(firstTry, 'dead_lettered', '5xx'), 0);
      assert.equal(sampleValue(firstTry, 'herald_delivery_attempt_duration_seconds_count'), 2);

      // A repeat of the same id is not a new event.
      const repeat = await herald.call('POST', `${t}/events`, { body: event });
      assert.deepEqual([repeat.status, repeat.headers['idempotent-replayed']], [202, 'true']);
      assert.equal(sampleValue(await scrape(herald), 'herald_events_published_total'), 1);

      // The queue gauges are read again once the cache has expired; the retry waits for its time.
      await eventually(
        async () =>
          (await herald.call('GET', `${t}/webhooks/${failHook}/deliveries`)).body.data.length === 2 ||
          undefined,
        'the retry to be queued',
      );
      clock.advance(QUEUE_STATS_CACHE_MS);
      const waiting = await scrape(herald);
      assert.equal(sampleValue(waiting, 'herald_deliveries_retry_scheduled'), 1);
      assert.equal(sampleValue(waiting, 'herald_deliveries_due'), 0);
      assert.equal(sampleValue(waiting, 'herald_deliveries_in_flight'), 0);
      assert.equal(sampleValue(waiting, 'herald_dead_letters'), 0);
      assert.equal(sampleValue(waiting, 'herald_webhooks_failing'), 1);

      clock.advance(RETRY_MS);
      await eventually(
        async () => (attempts(await scrape(herald), 'dead_lettered', '5xx') === 1 ? true : undefined),
        'the retry to fail into the dead letter queue',
      );
      await eventually(async () => {
        clock.advance(QUEUE_STATS_CACHE_MS);
        return sampleValue(await scrape(herald), 'herald_dead_letters') === 1 || undefined;
      }, 'the dead letter to be counted');
      const settled = await scrape(herald);
      assert.equal(sampleValue(settled, 'herald_deliveries_retry_scheduled'), 0);
      assert.equal(sampleValue(settled, 'herald_queue_lag_seconds'), 0);
      assert.equal(attempts(settled, 'succeeded', '2xx'), 1, 'the success was counted once');
      assert.equal(sampleValue(settled, 'herald_delivery_attempt_duration_seconds_count'), 3);
      for (const sample of settled) {
        for (const label of Object.keys(sample.labels)) {
          assert.ok(!/tenant|webhook/.test(label), `${sample.name} has no per-tenant or per-webhook label`);
        }
      }
    });

    it('logs each failed attempt and the move to the dead letter queue, not the success', () => {
      const find = (msg: string, attempt: number): LogLine => {
        const found = lines.filter((line) => line.msg === msg && line.attempt === attempt);
        assert.equal(found.length, 1, `one "${msg}" line for attempt ${attempt}: ${JSON.stringify(lines)}`);
        return found[0] as LogLine;
      };
      const first = find('delivery attempt failed', 1);
      assert.equal(first.level, LOG_LEVEL.warn);
      assert.equal(first.tenantId, TENANT);
      assert.equal(first.webhookId, failHook);
      assert.match(String(first.deliveryId), /^dlv_/);
      assert.equal(first.statusCode, 500);
      assert.equal(typeof first.error, 'string');
      assert.equal(first.nextAttemptAt, new Date(start + RETRY_MS).toISOString());

      const second = find('delivery attempt failed', 2);
      assert.equal(second.nextAttemptAt, null, 'no attempt follows the last');
      assert.notEqual(second.deliveryId, first.deliveryId, 'each attempt is a delivery row of its own');
      const moved = find('delivery moved to the dead letter queue', 2);
      assert.equal(moved.level, LOG_LEVEL.warn);
      assert.deepEqual(
        [moved.tenantId, moved.webhookId, moved.deliveryId, moved.eventId],
        [TENANT, failHook, second.deliveryId, second.eventId],
      );
      assert.ok(!lines.some((line) => line.webhookId === okHook), 'a success logs nothing at info');
    });
  });

  describe(`metrics access, the probe port and readiness (${backend})`, () => {
    const clock = new ManualClock();
    let apiOnly: TestHerald;

    before(async () => {
      // No workers: what is published stays due, and its wait is the queue's lag.
      apiOnly = await startTestHerald(backend, { metricsPort: 0 }, { clock, workers: false });
    });
    after(async () => apiOnly?.stop());

    it('reports the lag of the oldest due delivery and how many are due', async () => {
      assert.equal((await apiOnly.call('POST', '/v1/tenants', { body: { id: TENANT } })).status, 201);
      await createWebhook(apiOnly, 'http://127.0.0.1:9/nowhere');
      const published = await apiOnly.call('POST', `${t}/events`, { body: { event: 'kpi.alert', data: {} } });
      assert.equal(published.status, 202);
      clock.advance(30_000);
      const samples = await scrape(apiOnly);
      assert.equal(sampleValue(samples, 'herald_deliveries_due'), 1);
      assert.equal(sampleValue(samples, 'herald_queue_lag_seconds'), 30);
    });

    it('keeps /metrics on the API port for the admin key by default', async () => {
      const anonymous = await apiOnly.call('GET', '/metrics', { key: null });
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.body.error.code, 'UNAUTHORIZED');
    });

    it('serves /metrics without a key, /healthz and /readyz on the probe port', async () => {
      const base = apiOnly.herald.metricsUrl;
      assert.ok(base);
      const metrics = await request(`${base}/metrics`);
      assert.equal(metrics.statusCode, 200);
      assert.equal(
        sampleValue(parsePrometheus(await metrics.body.text()), 'herald_events_published_total'),
        1,
      );
      const ready = await request(`${base}/readyz`);
      assert.equal(ready.statusCode, 200);
      assert.equal(((await ready.body.json()) as { status: string }).status, 'ready');
      const health = await request(`${base}/healthz`);
      assert.equal(health.statusCode, 200);
      await health.body.dump();
      const other = await request(`${base}/v1/tenants`);
      assert.equal(other.statusCode, 404);
      assert.equal(((await other.body.json()) as any).error.code, 'ROUTE_NOT_FOUND');
    });

    it('answers /readyz on the API port without a key', async () => {
      const ready = await apiOnly.call('GET', '/readyz', { key: null });
      assert.deepEqual([ready.status, ready.body.status], [200, 'ready']);
    });
  });

  describe(`request log lines (${backend})`, () => {
    it("logs one line per request at debug, with the caller's request id, and none at info", async () => {
      const debug = capturedLogger('debug');
      const info = capturedLogger('info');
      const verbose = await startTestHerald(backend, {}, { workers: false, logger: debug.logger });
      const quiet = await startTestHerald(backend, {}, { workers: false, logger: info.logger });
      try {
        const headers = { 'x-request-id': 'req-obs-1' };
        assert.equal((await verbose.call('GET', '/healthz', { key: null, headers })).status, 200);
        assert.equal((await quiet.call('GET', '/healthz', { key: null, headers })).status, 200);
        assert.equal((await verbose.call('GET', '/v1/tenants', { key: null })).status, 401);
      } finally {
        await verbose.stop();
        await quiet.stop();
      }
      const completed = debug.lines.filter((line) => line.msg === 'request completed');
      assert.equal(completed.length, 2, JSON.stringify(debug.lines));
      const [named, generated] = completed as [LogLine, LogLine];
      assert.equal(named.level, LOG_LEVEL.debug);
      assert.equal(named.requestId, 'req-obs-1');
      assert.equal((named.res as { statusCode: number }).statusCode, 200);
      assert.match(String(generated.requestId), /^[0-9a-f-]{36}$/, 'a UUID when the caller sends none');
      assert.equal((generated.res as { statusCode: number }).statusCode, 401);
      assert.deepEqual(
        info.lines.filter((line) => line.requestId !== undefined),
        [],
        'nothing per request at info',
      );
    });
  });

  describe(`metrics switched (${backend})`, () => {
    it('serves /metrics to anyone when public, and not at all when off', async () => {
      const open = await startTestHerald(backend, { metrics: 'public' }, { workers: false });
      try {
        const answer = await open.call('GET', '/metrics', { key: null });
        assert.equal(answer.status, 200);
        parsePrometheus(answer.body);
      } finally {
        await open.stop();
      }
      const off = await startTestHerald(backend, { metrics: 'off' }, { workers: false });
      try {
        const answer = await off.call('GET', '/metrics');
        assert.equal(answer.status, 404);
        assert.equal(answer.body.error.code, 'ROUTE_NOT_FOUND');
      } finally {
        await off.stop();
      }
    });
  });
}
