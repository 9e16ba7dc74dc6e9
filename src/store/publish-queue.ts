import type { NewEvent, PublishedEvent } from '../core/types.js';

/** One publish call waiting for its group commit. */
export interface PendingPublish {
  events: NewEvent[];
  now: number;
  resolve: (results: PublishedEvent[]) => void;
  reject: (error: unknown) => void;
}

/** The tenants of `events`, each once: what an announcement of their deliveries names. */
export function tenantsOf(events: readonly NewEvent[]): string[] {
  return [...new Set(events.map((event) => event.tenantId))];
}

/**
 * Publishes waiting for their group commit. The first to arrive schedules `flush` for the next turn
 * of the event loop, so every publish that arrives in the same turn shares one transaction.
 */
export class PublishQueue {
  private pending: PendingPublish[] = [];

  constructor(private readonly flush: () => void) {}

  add(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ events, now, resolve, reject });
      if (this.pending.length === 1) setImmediate(this.flush);
    });
  }

  get size(): number {
    return this.pending.length;
  }

  /**
   * Takes the oldest publishes: all of them, or as many as fit `limits` (at least one; a caller's
   * events are never split).
   */
  take(limits?: { events: number; bytes: number }): PendingPublish[] {
    let taken = this.pending.length;
    if (limits) {
      let events = 0;
      let bytes = 0;
      taken = 0;
      for (const publish of this.pending) {
        if (taken > 0 && (events >= limits.events || bytes >= limits.bytes)) break;
        events += publish.events.length;
        for (const event of publish.events) bytes += event.payload.length;
        taken += 1;
      }
    }
    return this.pending.splice(0, taken);
  }
}
