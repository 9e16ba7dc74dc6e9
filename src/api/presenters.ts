import { HeraldError } from '../core/errors.js';
import { fromPublicId } from '../core/public-ids.js';
import type { ApiKey, DeadLetter, Delivery, Tenant, Webhook } from '../core/types.js';
import type { ApiKeyT, DeadLetterT, DeliveryT, TenantT, WebhookT } from './schemas.js';
import { effectiveLimits, type Limits } from './tenant-limits.js';

/** Domain records as the API shows them: ISO times, secrets reduced to `hasSecret`. */

const iso = (ms: number): string => new Date(ms).toISOString();

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
