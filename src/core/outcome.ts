import { judgeAttempt, type RetrySchedule } from './retry-policy.js';
import type { AttemptOutcome, AttemptResult, ClaimedDelivery } from './types.js';

/**
 * Turns what the sender saw into what the store records: success, a retry on the schedule, or the
 * dead letter queue. A Test is never retried and never dead-lettered: its failure just stands.
 */
export function decideOutcome(
  delivery: ClaimedDelivery,
  result: AttemptResult,
  schedule: RetrySchedule,
  now: number,
): AttemptOutcome {
  const base = { ...result, deliveryId: delivery.id, lease: delivery.lease };
  const succeeded = result.error === null;
  if (delivery.trigger === 'test') return { ...base, verdict: succeeded ? 'succeeded' : 'failed' };
  const verdict = judgeAttempt(schedule, delivery.attempt, succeeded, now);
  return verdict.kind === 'retry'
    ? { ...base, verdict: 'retry', nextAttemptAt: verdict.nextAttemptAt }
    : { ...base, verdict: verdict.kind };
}
