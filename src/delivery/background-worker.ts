import type { Clock } from '../core/clock.js';
import type { BackgroundWork } from '../store/store.js';

export interface BackgroundWorkerOptions {
  store: BackgroundWork;
  clock: Clock;
  /** Longest sleep when nothing announces work (HERALD_POLL_INTERVAL). */
  pollIntervalMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Does what requests leave to the background (big fan-outs, deleted webhooks' and tenants' rows,
 * idempotency records past their window) one chunk at a time, letting the event loop turn between chunks so that requests and deliveries go on.
 * Woken by the commits that leave such work; otherwise it looks every poll interval.
 */
export class BackgroundWorker {
  private running = false;
  private working: Promise<void> = Promise.resolve();
  private wakeUp: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;

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
    const pruned = await this.options.store.pruneIdempotencyKeys(this.options.clock.now());
    return [expanded, purged, tenantsPurged, pruned].filter((done) => done !== null).length;
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
