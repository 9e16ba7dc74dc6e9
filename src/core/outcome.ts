import { judgeAttempt, type RetryPolicy } from './retry-policy.js';
import type { AttemptOutcome, AttemptResult, ClaimedDelivery } from './types.js';

/** Why a webhook whose receiver answered 410 Gone is disabled. */
export const GONE_REASON = 'The receiver answered 410 Gone: it asked for no more deliveries.';

/**
 * Turns what the sender saw into what the store records: success, a retry on the schedule, or the
 * dead letter queue. A Test is never retried and never dead-lettered: its failure just stands.
 *
 * Receivers are heard: 410 Gone ends the chain in the dead letter queue (nothing is lost) and asks
 * for the webhook to be disabled; a Retry-After on 429 or 503 postpones the retry by at least that
 * much, up to the policy's cap, never sooner than the schedule says.
 */
export function decideOutcome(
  delivery: ClaimedDelivery,
  result: AttemptResult,
  policy: RetryPolicy,
  now: number,
): AttemptOutcome {
  const base = { ...result, deliveryId: delivery.id, lease: delivery.lease };
  const succeeded = result.error === null;
  if (result.statusCode === 410) {
    return { ...base, verdict: delivery.trigger === 'test' ? 'failed' : 'dead', disableWebhook: GONE_REASON };
  }
  if (delivery.trigger === 'test') return { ...base, verdict: succeeded ? 'succeeded' : 'failed' };
  const verdict = judgeAttempt(policy.schedule, delivery.attempt, succeeded, now);
  if (verdict.kind !== 'retry') return { ...base, verdict: verdict.kind };
  const askedFor = Math.min(result.retryAfterMs ?? 0, policy.retryAfterCapMs);
  return { ...base, verdict: 'retry', nextAttemptAt: Math.max(verdict.nextAttemptAt, now + askedFor) };
}
