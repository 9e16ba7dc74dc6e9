import type { Clock } from '../core/clock.js';
import { bearerToken, hashApiKey, type Principal } from './auth.js';
import { publishRateExceeded } from './quota-errors.js';
import type { Limits } from './tenant-limits.js';
import { TokenBuckets } from './token-buckets.js';

/** One publish request, as the publish rates count it. */
export interface Publish {
  tenantId: string;
  principal: Principal;
  /** The request's Authorization header: a tenant key's own rate is counted by the key. */
  authorization: string | undefined;
  events: number;
}

interface Budget {
  limit: 'publishRate' | 'keyPublishRate';
  rate: number;
  bucket: string;
}

/**
 * The publish rates, in events a second with a burst of one second's worth: each tenant's, whichever
 * key publishes (the admin's too), and each tenant key's own (a portal link counts as a key). They
 * are counted in this process's memory, so each API process allows the rates on its own.
 *
 * @fastify/rate-limit counts requests, one each, before the body is read; a batch must count as
 * many events as it carries, known only once the body is parsed, hence these buckets.
 */
export class PublishQuota {
  private readonly buckets = new TokenBuckets();

  constructor(private readonly clock: Clock) {}

  /**
   * Counts the publish's events against its rates; when one has not enough left, throws
   * RATE_LIMITED with the seconds until it will, and counts nothing.
   */
  charge(publish: Publish, limits: Limits): void {
    const now = this.clock.now();
    const budgets = budgetsOf(publish, limits);
    let refusal: { budget: Budget; waitMs: number } | undefined;
    for (const budget of budgets) {
      const waitMs = this.buckets.waitMs(budget.bucket, budget.rate, publish.events, now);
      if (waitMs > (refusal?.waitMs ?? 0)) refusal = { budget, waitMs };
    }
    if (refusal) {
      const { limit, rate } = refusal.budget;
      throw publishRateExceeded(publish.tenantId, limit, rate, Math.max(1, Math.ceil(refusal.waitMs / 1000)));
    }
    for (const budget of budgets) this.buckets.take(budget.bucket, budget.rate, publish.events, now);
  }
}

/** The rates that apply: 0 is no limit, and the admin key has no rate of its own. */
function budgetsOf(publish: Publish, limits: Limits): Budget[] {
  const budgets: Budget[] = [];
  if (limits.publishRate > 0) {
    budgets.push({ limit: 'publishRate', rate: limits.publishRate, bucket: `tenant ${publish.tenantId}` });
  }
  const key =
    publish.principal.role === 'tenant' && limits.keyPublishRate > 0
      ? bearerToken(publish.authorization)
      : undefined;
  if (key) {
    // By the key's hash: the buckets never hold a key.
    budgets.push({ limit: 'keyPublishRate', rate: limits.keyPublishRate, bucket: `key ${hashApiKey(key)}` });
  }
  return budgets;
}
