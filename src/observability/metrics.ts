import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../core/clock.js';
import type { AttemptOutcome } from '../core/types.js';
import type { Operations, QueueStats } from '../store/store.js';

/** How long one read of the queue's numbers serves scrapes: however often they come, the database sees one query. */
export const QUEUE_STATS_CACHE_MS = 5_000;

const OUTCOME_LABELS: Record<AttemptOutcome['verdict'], string> = {
  succeeded: 'succeeded',
  retry: 'retry',
  dead: 'dead_lettered',
  failed: 'failed',
};

/** Index 0 is "no HTTP answer" (timeout, refused connection, refused URL); then 1xx to 5xx. */
const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const;

function statusClassIndex(statusCode: number | null): number {
  if (statusCode === null) return 0;
  const index = Math.floor(statusCode / 100);
  return index >= 1 && index <= 5 ? index : 0;
}

/**
 * Reads the queue's numbers at most once per QUEUE_STATS_CACHE_MS, or per ten times what the last
 * read took if that is longer (they scan the pending deliveries: a million take about a second), so
 * scrapes never keep the database busy more than a tenth of the time. Scrapes meanwhile share the read.
 */
class CachedQueueStats {
  private last: { at: number; stats: Promise<QueueStats> } | null = null;
  private lastReadMs = 0;

  constructor(
    private readonly store: Pick<Operations, 'queueStats'>,
    private readonly clock: Clock,
  ) {}

  read(): Promise<QueueStats> {
    const now = this.clock.now();
    if (!this.last || now - this.last.at >= Math.max(QUEUE_STATS_CACHE_MS, 10 * this.lastReadMs)) {
      const stats = this.store.queueStats(now);
      void stats.then(
        () => {
          this.lastReadMs = this.clock.now() - now;
        },
        () => {},
      );
      this.last = { at: now, stats };
    }
    return this.last.stats;
  }
}

export interface MetricsOptions {
  store: Pick<Operations, 'queueStats'>;
  clock: Clock;
  /** A failed read of the queue's numbers: the gauges keep their last values meanwhile. */
  onStatsError: (error: unknown) => void;
}

/**
 * Herald's Prometheus metrics, one registry per process. Counters count what this process did
 * (sum them over processes); the queue gauges are read from the database, the same in every
 * process (take one, or max). No label names a tenant or a webhook: the series stay few.
 */
export class HeraldMetrics {
  readonly registry = new Registry();
  private readonly published: Counter;
  /** Children bound once per outcome and status class, so counting an attempt allocates nothing. */
  private readonly attemptCounters: Record<AttemptOutcome['verdict'], Counter.Internal[]>;
  private readonly attemptSeconds: Histogram;

  constructor(options: MetricsOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.published = new Counter({
      name: 'herald_events_published_total',
      help: 'Events accepted by the publish routes of this process (repeats of an idempotent id not counted).',
      registers,
    });
    const attempts = new Counter({
      name: 'herald_delivery_attempts_total',
      help: 'Delivery attempts made by this process, by outcome and by the class of the HTTP status answered.',
      labelNames: ['outcome', 'status_class'],
      registers,
    });
    // Every series exists from the start at 0, so rate() and increase() see its first attempts.
    const bind = (verdict: AttemptOutcome['verdict']) =>
      STATUS_CLASSES.map((statusClass) => {
        const series = attempts.labels(OUTCOME_LABELS[verdict], statusClass);
        series.inc(0);
        return series;
      });
    this.attemptCounters = {
      succeeded: bind('succeeded'),
      retry: bind('retry'),
      dead: bind('dead'),
      failed: bind('failed'),
    };
    this.attemptSeconds = new Histogram({
      name: 'herald_delivery_attempt_duration_seconds',
      help: 'How long delivery attempts took, from sending the request to the answer (or the failure).',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });

    const stats = new CachedQueueStats(options.store, options.clock);
    new Gauge({
      name: 'herald_database_up',
      help: 'Whether the last read of the queue numbers succeeded (1) or failed (0): the queue gauges are that old.',
      registers,
      async collect() {
        try {
          await stats.read();
          this.set(1);
        } catch (error) {
          this.set(0);
          options.onStatsError(error);
        }
      },
    });
    // A failed read is reported once, by herald_database_up; these keep their last values meanwhile.
    const queueGauge = (name: string, help: string, value: (stats: QueueStats) => number) =>
      new Gauge({
        name,
        help,
        registers,
        async collect() {
          const read = await stats.read().catch(() => null);
          if (read) this.set(value(read));
        },
      });
    queueGauge('herald_deliveries_due', 'Deliveries due now and not yet claimed by a worker.', (s) => s.due);
    queueGauge(
      'herald_deliveries_in_flight',
      'Deliveries leased by workers: being sent or waiting in a worker for a slot.',
      (s) => s.inFlight,
    );
    queueGauge(
      'herald_deliveries_retry_scheduled',
      'Retries waiting for their time on the retry schedule.',
      (s) => s.retryScheduled,
    );
    queueGauge(
      'herald_queue_lag_seconds',
      'How long the oldest due delivery has waited since it fell due (0 when none is due).',
      (s) => (s.oldestDueAt === null ? 0 : Math.max(0, options.clock.now() - s.oldestDueAt) / 1000),
    );
    queueGauge(
      'herald_dead_letters',
      'Entries in the dead letter queue, all tenants together.',
      (s) => s.deadLetters,
    );
    queueGauge(
      'herald_webhooks_disabled',
      'Webhooks disabled (by their receiver, by failing, or by hand).',
      (s) => s.disabledWebhooks,
    );
    queueGauge(
      'herald_webhooks_failing',
      'Active webhooks whose every attempt has failed for a while (they are disabled after HERALD_DISABLE_AFTER).',
      (s) => s.failingWebhooks,
    );
  }

  eventsPublished(count: number): void {
    this.published.inc(count);
  }

  attempted(outcome: AttemptOutcome): void {
    this.attemptCounters[outcome.verdict][statusClassIndex(outcome.statusCode)]?.inc();
    this.attemptSeconds.observe(outcome.responseTimeMs / 1000);
  }

  /** The exposition, in Prometheus' text format. */
  render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
