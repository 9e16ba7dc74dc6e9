import { HeraldError } from '../core/errors.js';
import { isSubscribable, SENT_BY_HERALD } from '../core/event-catalog.js';
import { fromPublicId } from '../core/public-ids.js';
import type {
  ApiKey,
  DeadLetter,
  Delivery,
  EventType,
  Tenant,
  Webhook,
  WebhookAttemptStats,
} from '../core/types.js';
import type { ApiKeyT } from './schemas/access.js';
import type { DeadLetterT } from './schemas/dead-letters.js';
import type { DeliveryT } from './schemas/deliveries.js';
import type { EventTypeT } from './schemas/event-types.js';
import type { TenantT } from './schemas/tenants.js';
import type { WebhookStatsT, WebhookT } from './schemas/webhooks.js';
import { effectiveLimits, type Limits } from './tenant-limits.js';

/** Domain records as the API shows them: ISO times, secrets reduced to `hasSecret`. */

const iso = (ms: number): string => new Date(ms).toISOString();

/** With what the catalogue's rules make of it: who sends it, and whether webhooks may subscribe. */
export function presentEventType(type: EventType): EventTypeT {
  return { ...type, subscribable: isSubscribable(type.name), sentByHerald: SENT_BY_HERALD.has(type.name) };
}

/** With the limits the admin set for it, and those in force (`defaults` for the others). */
export function presentTenant(tenant: Tenant, defaults: Limits): TenantT {
  return {
    id: tenant.id,
    name: tenant.name,
    createdAt: iso(tenant.createdAt),
    limits: tenant.limits,
    effectiveLimits: effectiveLimits(tenant.limits, defaults),
    branding: tenant.branding,
  };
}

/** Never its hash: the key itself was shown once, at its creation. */
export function presentApiKey(key: ApiKey): ApiKeyT {
  return {
    id: key.id,
    tenantId: key.tenantId,
    name: key.name,
    prefix: key.prefix,
    createdAt: iso(key.createdAt),
    expiresAt: key.expiresAt === null ? null : iso(key.expiresAt),
    lastUsedAt: key.lastUsedAt === null ? null : iso(key.lastUsedAt),
  };
}

export function presentWebhook(webhook: Webhook): WebhookT {
  return {
    id: webhook.id,
    tenantId: webhook.tenantId,
    url: webhook.url,
    description: webhook.description,
    events: webhook.events,
    status: webhook.status,
    disabledReason: webhook.disabledReason,
    failingSince: webhook.failingSince === null ? null : iso(webhook.failingSince),
    ordering: webhook.ordering,
    rateLimit: webhook.rateLimit,
    hasSecret: webhook.secret !== null,
    previousSecretExpiresAt: webhook.previousSecretUntil === null ? null : iso(webhook.previousSecretUntil),
    createdAt: iso(webhook.createdAt),
    updatedAt: iso(webhook.updatedAt),
  };
}

/**
 * A webhook's health over `hourStarts` (consecutive clock hours, oldest first): every hour is
 * listed, those without an attempt as zeros, so that a chart's x axis is the window itself.
 */
export function presentWebhookStats(
  stats: WebhookAttemptStats,
  hourStarts: readonly number[],
): WebhookStatsT {
  const counted = new Map(stats.hours.map((hour) => [hour.hour, hour]));
  let succeeded = 0;
  let failed = 0;
  let responseMs = 0;
  const hours = hourStarts.map((start) => {
    const hour = counted.get(start);
    succeeded += hour?.succeeded ?? 0;
    failed += hour?.failed ?? 0;
    responseMs += hour?.responseMs ?? 0;
    return { start: iso(start), succeeded: hour?.succeeded ?? 0, failed: hour?.failed ?? 0 };
  });
  const attempts = succeeded + failed;
  return {
    webhookId: stats.webhookId,
    since: iso(hourStarts[0] ?? 0),
    attempts,
    succeeded,
    failed,
    successRate: attempts === 0 ? null : succeeded / attempts,
    averageResponseMs: attempts === 0 ? null : Math.round(responseMs / attempts),
    lastSuccessAt: stats.lastSuccessAt === null ? null : iso(stats.lastSuccessAt),
    lastFailureAt: stats.lastFailureAt === null ? null : iso(stats.lastFailureAt),
    hours,
  };
}

export function presentDelivery(delivery: Delivery): DeliveryT {
  return {
    id: delivery.id,
    webhookId: delivery.webhookId,
    eventId: delivery.eventId,
    event: delivery.event,
    attempt: delivery.attempt,
    status: delivery.status,
    statusCode: delivery.statusCode,
    responseTimeMs: delivery.responseTimeMs,
    timestamp: iso(delivery.timestamp),
    error: delivery.error,
    nextAttemptAt: delivery.nextAttemptAt === null ? null : iso(delivery.nextAttemptAt),
    trigger: delivery.trigger,
  };
}

export function presentDeadLetter(letter: DeadLetter): DeadLetterT {
  const shown: DeadLetterT = {
    id: letter.id,
    webhookId: letter.webhookId,
    url: letter.url,
    eventId: letter.eventId,
    event: letter.event,
    error: letter.error,
    attempts: letter.attempts,
    failedAt: iso(letter.failedAt),
    lastAttempt: letter.lastAttempt,
  };
  if (letter.payload) shown.payload = letter.payload.toString('utf8');
  return shown;
}

/** A page of at most `limit` items, fetched as `limit + 1` to know whether another page follows. */
export function toPage<T extends { id: string }, U>(
  rows: T[],
  limit: number,
  present: (row: T) => U,
): { data: U[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const shown = more ? rows.slice(0, limit) : rows;
  return { data: shown.map(present), nextCursor: more ? (shown.at(-1)?.id ?? null) : null };
}

/** A `cursor` must be an id of the list it pages (`dlv_…`, `dlq_…`), as a previous page's nextCursor is. */
export function requireCursor(prefix: string, cursor: string | undefined): string | undefined {
  if (cursor !== undefined && fromPublicId(prefix, cursor) === null) {
    throw new HeraldError(
      'INVALID_CURSOR',
      `"${cursor}" is not a cursor of this list; pass a nextCursor it returned.`,
    );
  }
  return cursor;
}
