import { hourOf } from '../core/attempt-window.js';

/** One (webhook, hour) row of webhook_stats as a batch of outcomes adds to it. */
export interface HourTally {
  webhookId: string;
  hour: number;
  succeeded: number;
  failed: number;
  responseMs: number;
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}

/** An attempt as webhook_stats counts it. */
export interface CountedAttempt {
  webhookId: string;
  attemptedAt: number;
  succeeded: boolean;
  responseMs: number;
}

/**
 * Adds a new tally (`excluded`) to the (webhook, hour) row already there: the same SQL on both
 * backends (table-qualified for PostgreSQL; a CASE, as SQLite's max() of a NULL is NULL).
 */
export const ADD_TO_HOUR_OF_ATTEMPTS = `
  ON CONFLICT (webhook_id, hour) DO UPDATE SET
    succeeded = webhook_stats.succeeded + excluded.succeeded,
    failed = webhook_stats.failed + excluded.failed,
    response_ms = webhook_stats.response_ms + excluded.response_ms,
    last_success_at = ${latest('last_success_at')},
    last_failure_at = ${latest('last_failure_at')}`;

function latest(column: string): string {
  return `CASE WHEN excluded.${column} > coalesce(webhook_stats.${column}, 0) THEN excluded.${column} ELSE webhook_stats.${column} END`;
}

/** Sums a batch of attempts by webhook and hour, so that each bucket is written once per batch. */
export function tallyByHour(attempts: Iterable<CountedAttempt>): HourTally[] {
  const tallies = new Map<string, HourTally>();
  for (const { webhookId, attemptedAt, succeeded, responseMs } of attempts) {
    const hour = hourOf(attemptedAt);
    const key = `${webhookId}\u0000${hour}`;
    let tally = tallies.get(key);
    if (!tally) {
      tally = {
        webhookId,
        hour,
        succeeded: 0,
        failed: 0,
        responseMs: 0,
        lastSuccessAt: null,
        lastFailureAt: null,
      };
      tallies.set(key, tally);
    }
    tally.responseMs += Math.round(responseMs);
    if (succeeded) {
      tally.succeeded += 1;
      tally.lastSuccessAt = Math.max(tally.lastSuccessAt ?? attemptedAt, attemptedAt);
    } else {
      tally.failed += 1;
      tally.lastFailureAt = Math.max(tally.lastFailureAt ?? attemptedAt, attemptedAt);
    }
  }
  return [...tallies.values()];
}
