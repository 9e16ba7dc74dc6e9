import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ManualClock } from '../../src/core/clock.js';
import { HeraldError } from '../../src/core/errors.js';
import type { AttemptOutcome, ClaimedDelivery } from '../../src/core/types.js';
import { logAttempt } from '../../src/observability/attempt-log.js';
import { ErrorLog } from '../../src/observability/error-log.js';
import { HeraldMetrics } from '../../src/observability/metrics.js';
import { whyNotReady } from '../../src/observability/readiness.js';
import { openStore } from '../../src/store/open-store.js';
import type { QueueStats } from '../../src/store/store.js';
import { TEST_BACKENDS } from '../support/backends.js';
import { eventually } from '../support/eventually.js';
import { capturedLogger, LOG_LEVEL, type LogLine } from '../support/log-lines.js';
import { dropSchemas, POSTGRES_TEST_URL, uniqueSchemaName } from '../support/postgres.js';
import { parsePrometheus, sampleValue } from '../support/prometheus.js';
import { testSecretBox } from '../support/secrets.js';

const delivery = {
  id: 'dlv_1',
  lease: 'lease',
  tenantId: 'tenant_a',
  webhookId: 'wh_1',
  url: 'https://example.com/hook',
  secret: null,
  previousSecret: null,
  ordering: 'none',
  rateLimit: null,
  eventId: 'evt_1',
  event: 'kpi.alert',
  attempt: 3,
  trigger: 'event',
  payload: Buffer.from('{}'),
} as ClaimedDelivery;

function outcome(fields: Partial<AttemptOutcome> & Pick<AttemptOutcome, 'verdict'>): AttemptOutcome {
  return {
    statusCode: 200,
    responseTimeMs: 120,
    attemptedAt: 0,
    error: null,
    responseBody: null,
    requestHeaders: null,
    deliveryId: delivery.id,
    lease: delivery.lease,
    ...fields,
  } as AttemptOutcome;
}

describe('attempt log lines', () => {
  it('logs a failure with its ids, status, error and next attempt; a success only at debug', () => {
    const { logger, lines } = capturedLogger('info');
    logAttempt(logger, delivery, outcome({ verdict: 'succeeded' }));
    assert.equal(lines.length, 0, 'nothing at info for a success');
    const nextAttemptAt = Date.UTC(2026, 0, 1, 12, 0, 0);
    logAttempt(
      logger,
      delivery,
      outcome({ verdict: 'retry', statusCode: 503, error: 'HTTP 503', nextAttemptAt }),
    );
    assert.equal(lines.length, 1);
    const line = lines[0] as LogLine;
    const { time, pid, ...fields } = line;
    assert.equal(pid, process.pid);
    assert.equal(typeof time, 'number');
    assert.deepEqual(fields, {
      level: LOG_LEVEL.warn,
      msg: 'delivery attempt failed',
      tenantId: 'tenant_a',
      webhookId: 'wh_1',
      deliveryId: 'dlv_1',
      eventId: 'evt_1',
      attempt: 3,
      statusCode: 503,
      error: 'HTTP 503',
      nextAttemptAt: '2026-01-01T12:00:00.000Z',
    });

    const debug = capturedLogger('debug');
    logAttempt(debug.logger, delivery, outcome({ verdict: 'succeeded' }));
    assert.deepEqual(
      debug.lines.map((line) => [line.level, line.msg, line.deliveryId, line.statusCode]),
      [[LOG_LEVEL.debug, 'delivery attempt succeeded', 'dlv_1', 200]],
    );
  });

  it('logs a move to the dead letter queue and a webhook its receiver disabled', () => {
    const { logger, lines } = capturedLogger('info');
    logAttempt(
      logger,
      delivery,
      outcome({ verdict: 'dead', statusCode: 410, error: 'HTTP 410', disableWebhook: 'gone' }),
    );
    assert.deepEqual(
      lines.map((line) => [line.msg, line.deliveryId ?? null, line.webhookId, line.error ?? null]),
      [
        ['delivery attempt failed', 'dlv_1', 'wh_1', 'HTTP 410'],
        ['delivery moved to the dead letter queue', 'dlv_1', 'wh_1', 'HTTP 410'],
        ['gone', null, 'wh_1', null],
      ],
    );
    assert.ok(lines.every((line) => line.level === LOG_LEVEL.warn));
  });
});

describe('ErrorLog', () => {
  const away = new HeraldError('SERVICE_UNAVAILABLE', 'The database is unavailable; try again shortly.');

  it('logs an outage once when it starts and once when the database is back', async () => {
    const { logger, lines } = capturedLogger('info');
    let reachable = false;
    let probes = 0;
    const errors = new ErrorLog({
      logger,
      probe: async () => {
        probes += 1;
        if (!reachable) throw away;
      },
      probeIntervalMs: 5,
    });
    for (let poll = 0; poll < 50; poll++) errors.report(away, 'delivery worker error');
    assert.equal(errors.databaseAway, true);
    await eventually(() => (probes >= 3 ? true : undefined), 'a few failed probes');
    assert.deepEqual(
      lines.map((line) => [line.level, line.msg]),
      [[LOG_LEVEL.error, 'database unreachable: workers back off and retry until it answers']],
    );
    reachable = true;
    await eventually(() => (errors.databaseAway ? undefined : true), 'the probe to find the database');
    assert.deepEqual(
      lines.slice(1).map((line) => [line.level, line.msg]),
      [[LOG_LEVEL.info, 'database reachable again']],
    );

    errors.report(away, 'delivery worker error');
    assert.equal(lines.length, 3, 'a new outage is a new line');
    errors.stop();
  });

  it('logs any other error every time, with its stack', () => {
    const { logger, lines } = capturedLogger('info');
    const errors = new ErrorLog({ logger, probe: async () => undefined, probeIntervalMs: 5 });
    errors.report(new Error('boom'), 'background work error');
    errors.report(new Error('boom'), 'background work error');
    assert.equal(lines.length, 2);
    assert.equal(lines[0]?.msg, 'background work error');
    assert.match(String((lines[0]?.err as { stack?: string } | undefined)?.stack), /boom/);
    assert.equal(errors.databaseAway, false);
  });
});

describe('HeraldMetrics', () => {
  const stats: QueueStats = {
    due: 4,
    inFlight: 2,
    retryScheduled: 1,
    oldestDueAt: null,
    deadLetters: 7,
    disabledWebhooks: 1,
    failingWebhooks: 0,
  };

  it('counts attempts by outcome and status class, and reads the queue once per cache period', async () => {
    const clock = new ManualClock();
    let reads = 0;
    const metrics = new HeraldMetrics({
      store: {
        queueStats: async (now) => {
          reads += 1;
          return { ...stats, oldestDueAt: now - 90_000 };
        },
      },
      clock,
      onStatsError: (error) => assert.fail(String(error)),
    });
    metrics.attempted(outcome({ verdict: 'failed', statusCode: null, error: 'timeout' }));
    metrics.attempted(outcome({ verdict: 'retry', statusCode: 404, nextAttemptAt: 1 }));
    metrics.attempted(outcome({ verdict: 'succeeded', statusCode: 302 }));
    metrics.attempted(outcome({ verdict: 'succeeded', statusCode: 204 }));
    metrics.eventsPublished(5);
    const samples = parsePrometheus(await metrics.render());
    const attempts = (outcome: string, statusClass: string) =>
      sampleValue(samples, 'herald_delivery_attempts_total', { outcome, status_class: statusClass });
    assert.equal(attempts('failed', 'none'), 1);
    assert.equal(attempts('retry', '4xx'), 1);
    assert.equal(attempts('succeeded', '3xx'), 1);
    assert.equal(attempts('succeeded', '2xx'), 1);
    assert.equal(attempts('dead_lettered', '5xx'), 0);
    assert.equal(sampleValue(samples, 'herald_events_published_total'), 5);
    assert.equal(sampleValue(samples, 'herald_deliveries_due'), 4);
    assert.equal(sampleValue(samples, 'herald_dead_letters'), 7);
    assert.equal(sampleValue(samples, 'herald_queue_lag_seconds'), 90);
    assert.equal(reads, 1, 'one read for every queue gauge of a scrape');

    await metrics.render();
    assert.equal(reads, 1, 'a scrape within the cache period reads nothing');
    clock.advance(5_000);
    await metrics.render();
    assert.equal(reads, 2);
  });

  it('reads a slow queue less often: at most a tenth of the time', async () => {
    const clock = new ManualClock();
    let reads = 0;
    const metrics = new HeraldMetrics({
      store: {
        queueStats: async () => {
          reads += 1;
          clock.advance(2_000); // a read over a big backlog
          return stats;
        },
      },
      clock,
      onStatsError: (error) => assert.fail(String(error)),
    });
    await metrics.render();
    clock.advance(5_000);
    await metrics.render();
    assert.equal(reads, 1, 'a 2 s read is not repeated 5 s later');
    clock.advance(13_000);
    await metrics.render();
    assert.equal(reads, 2, 'but is 20 s after it started');
  });

  it('says the database is down when the read fails, and keeps the last numbers', async () => {
    const clock = new ManualClock();
    let failing = false;
    const reported: unknown[] = [];
    const metrics = new HeraldMetrics({
      store: {
        queueStats: async () => {
          if (failing) throw new HeraldError('SERVICE_UNAVAILABLE', 'The database is unavailable.');
          return stats;
        },
      },
      clock,
      onStatsError: (error) => reported.push(error),
    });
    assert.equal(sampleValue(parsePrometheus(await metrics.render()), 'herald_database_up'), 1);
    failing = true;
    clock.advance(5_000);
    const samples = parsePrometheus(await metrics.render());
    assert.equal(sampleValue(samples, 'herald_database_up'), 0);
    assert.equal(sampleValue(samples, 'herald_deliveries_due'), 4, 'the last numbers read');
    assert.equal(reported.length, 1, 'one report per failed read, not one per gauge');
  });
});

for (const backend of TEST_BACKENDS) {
  describe(`readiness (${backend})`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-ready-'));
    const schemas: string[] = [];
    let files = 0;
    const database = () => {
      if (backend === 'sqlite') return join(dir, `${++files}.db`);
      const schema = uniqueSchemaName();
      schemas.push(schema);
      return `${POSTGRES_TEST_URL}?schema=${schema}`;
    };
    after(async () => {
      rmSync(dir, { recursive: true, force: true });
      if (backend === 'postgres') await dropSchemas(schemas);
    });

    it('is ready once migrated, and says which version a schema not migrated is at', async () => {
      const store = await openStore(database(), { secrets: testSecretBox() });
      try {
        assert.match(String(await whyNotReady(store)), /schema is at version 0; this Herald needs \d+/);
        await store.migrate();
        assert.equal(await whyNotReady(store), null);
      } finally {
        await store.close();
      }
    });

    it('is not ready when the database cannot be reached', async () => {
      const unreachable =
        backend === 'sqlite' ? database() : 'postgres://postgres@127.0.0.1:1/herald?schema=nowhere';
      const store = await openStore(unreachable, { secrets: testSecretBox() });
      if (backend === 'sqlite') await store.close();
      try {
        assert.equal(await whyNotReady(store), 'The database is unavailable.');
      } finally {
        if (backend === 'postgres') await store.close();
      }
    });
  });
}
