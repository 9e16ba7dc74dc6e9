import type { Clock } from '../core/clock.js';
import type { AttemptOutcome } from '../core/types.js';
import type { DeliveryQueue } from '../store/store.js';

export interface OutcomeWriterOptions {
  queue: Pick<DeliveryQueue, 'completeDeliveries'>;
  clock: Clock;
  /**
   * After each batch is recorded (or failed to be): how many outcomes it held, and when the
   * earliest retry it scheduled falls due (null: none, or the write failed).
   */
  onWritten: (count: number, earliestRetryAt: number | null) => void;
  /** Once nothing is left to write. */
  onSettled: () => void;
  onError?: (error: unknown) => void;
}

/**
 * Records attempt outcomes in batches: one write at a time, each taking everything that finished
 * while the last was written, so a busy worker writes many outcomes per transaction.
 */
export class OutcomeWriter {
  private waiting: AttemptOutcome[] = [];
  private writing: Promise<void> | null = null;

  constructor(private readonly options: OutcomeWriterOptions) {}

  add(outcome: AttemptOutcome): void {
    this.waiting.push(outcome);
    this.writeSoon();
  }

  /** Nothing waiting and nothing being written. */
  get settled(): boolean {
    return this.waiting.length === 0 && !this.writing;
  }

  private writeSoon(): void {
    if (this.writing) return;
    this.writing = this.writeAll().finally(() => {
      this.writing = null;
      if (this.waiting.length > 0) this.writeSoon();
      else this.options.onSettled();
    });
  }

  private async writeAll(): Promise<void> {
    while (this.waiting.length > 0) {
      // One turn of the event loop lets the outcomes of answers that arrived together join the batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = this.waiting;
      this.waiting = [];
      let earliestRetryAt: number | null = null;
      try {
        await this.options.queue.completeDeliveries(batch, this.options.clock.now());
        earliestRetryAt = earliestRetry(batch);
      } catch (error) {
        // The leases will expire and the deliveries be sent again: at-least-once, never lost.
        this.options.onError?.(error);
      }
      this.options.onWritten(batch.length, earliestRetryAt);
    }
  }
}

function earliestRetry(outcomes: readonly AttemptOutcome[]): number | null {
  let earliest: number | null = null;
  for (const outcome of outcomes) {
    if (outcome.verdict === 'retry' && (earliest === null || outcome.nextAttemptAt < earliest)) {
      earliest = outcome.nextAttemptAt;
    }
  }
  return earliest;
}
