import type { Clock } from '../core/clock.js';
import type { BackgroundWork, Retention } from '../store/store.js';

/** The pause between two sweeps of old history: the window's edge moves on meanwhile, a few minutes' worth. */
export const RETENTION_SWEEP_PAUSE_MS = 5 * 60_000;

/**
 * The pause after a prune of idempotency records found none past the window. Records age over
 * hours, so looking every poll interval only cost a statement per look (on PostgreSQL, a round trip).
 */
export const IDEMPOTENCY_PRUNE_PAUSE_MS = 60_000;

export interface BackgroundWorkerOptions {
  store: BackgroundWork & Pick<Retention, 'pruneHistory'>;
  clock: Clock;
  /** Longest sleep when nothing announces work (HERALD_POLL_INTERVAL). */
  pollIntervalMs: number;
  /** How long history is kept (HERALD_RETENTION). */
  retentionMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Does what requests leave to the background (big fan-outs, deleted webhooks' and tenants' rows,
 * idempotency records past their window), and prunes history older than the retention window, one
 * chunk at a time, letting the event loop turn between chunks so that requests and deliveries go on.
 * Woken by the commits that leave such work; otherwise it looks every poll interval.
 */
export class BackgroundWorker {
  private running = false;
  private working: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  /** Where the sweep of old history under way has come (0: the next starts from the oldest event). */
  private sweptTo = 0;
  private nextSweepAt = Number.NEGATIVE_INFINITY;
  private nextKeyPruneAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: BackgroundWorkerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.options.store.onBackgroundWorkQueued(() => this.wakeUp?.());
    this.working = this.work();
  }

  /** Stops after the chunk under way. */
  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    this.wakeUp?.();
    await this.working;
  }

  /** Runs chunks until none is left, letting the event loop turn between them as work() does; for tests. */
  async drain(): Promise<void> {
    while ((await this.step()) > 0) await new Promise((resolve) => setImmediate(resolve));
  }

  private async work(): Promise<void> {
    while (this.running) {
      let done = 0;
      try {
        done = await this.step();
      } catch (error) {
        this.options.onError?.(error);
      }
      if (done > 0) await new Promise((resolve) => setImmediate(resolve));
      else await this.sleep();
    }
  }

  /** One chunk of each kind of work; how many did anything. */
  private async step(): Promise<number> {
    const expanded = await this.options.store.expandFanouts(this.options.clock.now());
    const purged = await this.options.store.purgeDeletedWebhooks();
    const tenantsPurged = await this.options.store.purgeDeletedTenants();
    const keysPruned = await this.pruneIdempotencyKeys();
    const pruned = await this.pruneHistory();
    const chunksDone = [expanded, purged, tenantsPurged, keysPruned].filter((done) => done !== null);
    return chunksDone.length + (pruned ? 1 : 0);
  }

  /** The next chunk of idempotency records past the window, unless the last look found none a pause ago. */
  private async pruneIdempotencyKeys(): Promise<number | null> {
    const now = this.options.clock.now();
    if (now < this.nextKeyPruneAt) return null;
    const pruned = await this.options.store.pruneIdempotencyKeys(now);
    if (pruned === null) this.nextKeyPruneAt = now + IDEMPOTENCY_PRUNE_PAUSE_MS;
    return pruned;
  }

  /** The next chunk of the sweep under way, or of a new one once the pause is over; whether it did one. */
  private async pruneHistory(): Promise<boolean> {
    const now = this.options.clock.now();
    if (now < this.nextSweepAt) return false;
    const progress = await this.options.store.pruneHistory(now - this.options.retentionMs, this.sweptTo);
    if (progress === null) {
      this.sweptTo = 0;
      this.nextSweepAt = now + RETENTION_SWEEP_PAUSE_MS;
      return false;
    }
    this.sweptTo = progress.after;
    return true;
  }

  /** Until a commit announces background work, or the poll interval passes. */
  private sleep(): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(wake, this.options.pollIntervalMs);
      timer.unref();
      this.wakeUp = wake;
    });
  }
}
