/** How long a publisher-chosen event id is remembered by default (HERALD_IDEMPOTENCY_WINDOW): Stripe's 24 h. */
export const DEFAULT_IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;

/** What a store is told at opening, beside where its database is. */
export interface StoreSettings {
  /**
   * How long an event id the publisher chose is remembered: within it a repeat is a duplicate, after
   * it the same id is a new event, and the record is pruned (pruneIdempotencyKeys).
   */
  idempotencyWindowMs?: number;
}
