import { DEAD_LETTER_PREFIX, DELIVERY_PREFIX, toPublicId } from '../core/public-ids.js';
import type { SecretBox } from '../core/secret-box.js';
import type {
  AttemptStatus,
  ClaimedDelivery,
  DeadLetter,
  DeadLetterAttempt,
  Delivery,
  DeliveryTrigger,
  EventType,
  JsonObject,
  Webhook,
  WebhookOrdering,
  WebhookStatus,
} from '../core/types.js';

/**
 * Rows as both backends' SQL selects them (same column names, times as epoch-ms numbers), and the
 * one mapping from each to the domain record.
 */

export interface WebhookRow {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  status: WebhookStatus;
  disabled_reason: string | null;
  failing_since: number | null;
  ordering: WebhookOrdering;
  rate_limit: number | null;
  secret: string | null;
  previous_secret_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface DeliveryRow {
  id: number;
  tenant_id: string;
  webhook_id: string;
  event_id: string;
  event: string;
  attempt: number;
  trigger: DeliveryTrigger;
  status: AttemptStatus;
  status_code: number | null;
  response_time_ms: number | null;
  response_body: string | null;
  error: string | null;
  created_at: number;
  attempted_at: number | null;
  next_attempt_at: number | null;
}

export interface ClaimRow {
  id: number;
  tenant_id: string;
  webhook_id: string;
  attempt: number;
  trigger: DeliveryTrigger;
  url: string;
  secret: string | null;
  previous_secret: string | null;
  previous_secret_until: number | null;
  ordering: WebhookOrdering;
  rate_limit: number | null;
  event_id: string;
  event: string;
  payload: Buffer;
}

export interface DeadLetterRow {
  id: number;
  tenant_id: string;
  webhook_id: string;
  url: string;
  event_id: string;
  event: string;
  error: string;
  attempts: number;
  failed_at: number;
  last_delivery_id: number | null;
  last_status_code: number | null;
  last_response_body?: string | null;
  payload?: Buffer;
}

export const DELIVERY_COLUMNS = `d.id, d.tenant_id, d.webhook_id, e.id AS event_id, e.event, d.attempt, d.trigger, d.status,
  d.status_code, d.response_time_ms, d.response_body, d.error, d.created_at, d.attempted_at, d.next_attempt_at`;

/** Read from dead_letters l joined with its webhook w, its event e and its last attempt (LEFT JOIN) ld. */
export const DEAD_LETTER_COLUMNS = `l.id, l.tenant_id, l.webhook_id, w.url, e.id AS event_id, e.event, l.error, l.attempts,
  l.failed_at, ld.id AS last_delivery_id, ld.status_code AS last_status_code`;

/** A stored secret as it signs: opened from its sealed form (SecretBox), or null for none. */
export function openSecret(secrets: SecretBox, stored: string | null): string | null {
  return stored === null ? null : secrets.open(stored);
}

/** A secret as it is stored: sealed (SecretBox), or null for none. */
export function sealSecret(secrets: SecretBox, secret: string | null): string | null {
  return secret === null ? null : secrets.seal(secret);
}

/** The secret a rotation replaced, opened while it still signs at `now`; else null. */
export function openPreviousSecret(
  secrets: SecretBox,
  row: Pick<ClaimRow, 'previous_secret' | 'previous_secret_until'>,
  now: number,
): string | null {
  const signs = row.previous_secret_until !== null && row.previous_secret_until > now;
  return signs ? openSecret(secrets, row.previous_secret) : null;
}

/** `events` is stored as JSON text by SQLite and as text[] by PostgreSQL: each backend decodes it. */
export function toWebhook(row: WebhookRow, events: string[], secrets: SecretBox): Webhook {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    description: row.description,
    events,
    status: row.status,
    disabledReason: row.disabled_reason,
    failingSince: row.failing_since,
    ordering: row.ordering,
    rateLimit: row.rate_limit,
    secret: openSecret(secrets, row.secret),
    previousSecretUntil: row.previous_secret_until,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** Request headers as both backends store them: JSON text, or null. */
export function storedHeaders(headers: Record<string, string> | null): string | null {
  return headers === null ? null : JSON.stringify(headers);
}

export function toDelivery(row: DeliveryRow): Delivery {
  return {
    id: toPublicId(DELIVERY_PREFIX, row.id),
    tenantId: row.tenant_id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    event: row.event,
    attempt: row.attempt,
    status: row.status,
    statusCode: row.status_code,
    responseTimeMs: row.response_time_ms,
    timestamp: row.attempted_at ?? row.created_at,
    error: row.error,
    nextAttemptAt: row.next_attempt_at,
    trigger: row.trigger,
    responseBody: row.response_body,
  };
}

function toDeadLetterAttempt(row: DeadLetterRow, deliveryKey: number): DeadLetterAttempt {
  const attempt: DeadLetterAttempt = {
    deliveryId: toPublicId(DELIVERY_PREFIX, deliveryKey),
    statusCode: row.last_status_code,
  };
  if (row.last_response_body !== undefined) attempt.responseBody = row.last_response_body;
  return attempt;
}

export function toDeadLetter(row: DeadLetterRow): DeadLetter {
  const letter: DeadLetter = {
    id: toPublicId(DEAD_LETTER_PREFIX, row.id),
    tenantId: row.tenant_id,
    webhookId: row.webhook_id,
    url: row.url,
    eventId: row.event_id,
    event: row.event,
    error: row.error,
    attempts: row.attempts,
    failedAt: row.failed_at,
    lastAttempt: row.last_delivery_id === null ? null : toDeadLetterAttempt(row, row.last_delivery_id),
  };
  if (row.payload) letter.payload = row.payload;
  return letter;
}

/** `now`: when it was claimed, which decides whether the previous secret still signs. */
export function toClaimed(row: ClaimRow, lease: string, secrets: SecretBox, now: number): ClaimedDelivery {
  return {
    id: toPublicId(DELIVERY_PREFIX, row.id),
    lease,
    tenantId: row.tenant_id,
    webhookId: row.webhook_id,
    url: row.url,
    secret: openSecret(secrets, row.secret),
    previousSecret: openPreviousSecret(secrets, row, now),
    ordering: row.ordering,
    rateLimit: row.rate_limit,
    eventId: row.event_id,
    event: row.event,
    attempt: row.attempt,
    trigger: row.trigger,
    payload: row.payload,
  };
}

export function subscribes(events: readonly string[], eventType: string): boolean {
  return events.length === 0 || events.includes(eventType);
}

/** An event type as both backends store it: schema and example as JSON text, keys in written order. */
export interface EventTypeRow {
  name: string;
  description: string;
  schema: string | null;
  example: string | null;
  enforce_schema: boolean | number;
}

export const EVENT_TYPE_COLUMNS = 'name, description, schema, example, enforce_schema';

export function toEventType(row: EventTypeRow): EventType {
  return {
    name: row.name,
    description: row.description,
    schema: row.schema === null ? null : (JSON.parse(row.schema) as JsonObject),
    example: row.example === null ? null : (JSON.parse(row.example) as JsonObject),
    enforceSchema: Boolean(row.enforce_schema),
  };
}

/** The values both backends write for a type, in the order of EVENT_TYPE_COLUMNS. */
export function eventTypeValues(type: EventType): [string, string, string | null, string | null, boolean] {
  return [
    type.name,
    type.description,
    type.schema === null ? null : JSON.stringify(type.schema),
    type.example === null ? null : JSON.stringify(type.example),
    type.enforceSchema,
  ];
}
