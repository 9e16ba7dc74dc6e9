import { formatDuration, parseDuration } from './duration.js';

/**
 * The delays between consecutive attempts: `[1m, 5m, 15m]` means attempt 1 at once, attempt 2 one
 * minute after attempt 1 failed, and so on: 3 retries, 4 attempts in all.
 */
export type RetrySchedule = readonly number[];

export const DEFAULT_RETRY_SCHEDULE: RetrySchedule = [60_000, 300_000, 900_000];

/** How Herald follows up a failed attempt. */
export interface RetryPolicy {
  schedule: RetrySchedule;
  /** The longest a receiver's Retry-After (on 429 or 503) may postpone the next attempt. */
  retryAfterCapMs: number;
}

export const DEFAULT_RETRY_AFTER_CAP_MS = 3_600_000;

/** Parses `1m,5m,15m`. An empty string means no retries at all. Throws with a sentence on bad input. */
export function parseRetrySchedule(text: string): RetrySchedule {
  if (text.trim() === '') return [];
  return text.split(',').map((part) => {
    const ms = parseDuration(part);
    if (ms === null) {
      throw new Error(`"${part.trim()}" is not a duration; write e.g. 30s, 1m, 1.5h or 500ms`);
    }
    return ms;
  });
}

export function formatRetrySchedule(schedule: RetrySchedule): string {
  return schedule.map(formatDuration).join(',');
}

export type AttemptVerdict =
  | { kind: 'succeeded' }
  | { kind: 'retry'; nextAttemptAt: number }
  | { kind: 'dead' };

/** What follows attempt number `attempt` (1-based) that ended at `now`. */
export function judgeAttempt(
  schedule: RetrySchedule,
  attempt: number,
  succeeded: boolean,
  now: number,
): AttemptVerdict {
  if (succeeded) return { kind: 'succeeded' };
  const delay = schedule[attempt - 1];
  return delay === undefined ? { kind: 'dead' } : { kind: 'retry', nextAttemptAt: now + delay };
}

/** Success is any 2xx; redirects are never followed and count as failures. */
export function isSuccessStatus(statusCode: number): boolean {
  return statusCode >= 200 && statusCode < 300;
}
