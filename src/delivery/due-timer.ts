import type { Clock } from '../core/clock.js';
import type { DeliveryQueue } from '../store/store.js';

/** How soon to look again when due work was left unclaimed while nothing is held. */
const DUE_BUT_UNCLAIMED_RETRY_MS = 20;

export interface DueTimerOptions {
  queue: Pick<DeliveryQueue, 'tidyQueue'>;
  clock: Clock;
  /** The longest it sleeps (HERALD_POLL_INTERVAL). */
  pollIntervalMs: number;
  fire: () => void;
}

/**
 * The dispatcher's due timer (see the floor plan in dispatcher.ts): it finds what falls due with no
 * announcement, aimed at the next due time the store reports, at most the poll interval away. Each
 * aim first tidies the queue (ordered webhooks left blocked, abandoned Tests).
 */
export class DueTimer {
  private timer: NodeJS.Timeout | null = null;
  /** When the armed timer fires (clock time). */
  private firesAt = Number.POSITIVE_INFINITY;

  constructor(private readonly options: DueTimerOptions) {}

  get armed(): boolean {
    return this.timer !== null;
  }

  /**
   * Aims at the next due time. `held`: how many deliveries the worker holds, whose sends wake it
   * anyway; `lookedAt`: the time as of which the worker last looked for due work (its last claim).
   */
  async aim(held: number, lookedAt: number): Promise<void> {
    const { queue, clock, pollIntervalMs } = this.options;
    const { nextDueAt: dueAt } = await queue.tidyQueue(clock.now());
    const wait = dueAt === null ? pollIntervalMs : dueAt - clock.now();
    if (wait > 0) this.aimIn(Math.min(wait, pollIntervalMs));
    // Due work a look could not claim belongs to lanes that want nothing more (their sends prompt a
    // look when they do) or is locked by another worker for a moment. Holding nothing, look again
    // soon; busy, at the poll interval, not in a tight loop of claims. Work that fell due only after
    // the last look (a timer fires up to a busy turn of the event loop early, and that look came
    // too soon) is looked for soon either way: else a retry would wait a whole poll interval.
    else {
      const seenDue = dueAt !== null && dueAt <= lookedAt;
      this.aimIn(held > 0 && seenDue ? pollIntervalMs : DUE_BUT_UNCLAIMED_RETRY_MS);
    }
  }

  aimIn(ms: number): void {
    this.stop();
    this.firesAt = this.options.clock.now() + ms;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.options.fire();
    }, ms);
    this.timer.unref();
  }

  /** Brings the timer forward to `at` (clock time) if it would fire later; never pushes it back. */
  aimNoLaterThan(at: number): void {
    if (this.timer && this.firesAt <= at) return;
    this.aimIn(Math.max(0, at - this.options.clock.now()));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
