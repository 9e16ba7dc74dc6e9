/** Domain records as the Store hands them out. Times are epoch milliseconds; the API formats them. */

/**
 * A tenant's own quotas, set by the admin; a quota left out takes the installation's setting
 * (HERALD_TENANT_MAX_WEBHOOKS and the like).
 */
export interface TenantLimits {
  /** Webhooks the tenant may have. */
  maxWebhooks?: number;
  /** Events one batch publish may carry. */
  maxBatchEvents?: number;
  /** Events published per second for the tenant, whichever key publishes them (a batch counts its events). */
  publishRate?: number;
  /** Events published per second through any one of its API keys. */
  keyPublishRate?: number;
}

/**
 * How the console looks to the tenant's own people (API keys, portal links), set by the admin so an
 * embedded console reads as part of their product; each left out keeps Herald's own.
 */
export interface TenantBranding {
  /** `#rrggbb`, dark enough for white text on it. */
  accentColor?: string;
  /** An https image URL or a `data:image/…` URL. */
  logoUrl?: string;
  /** Shown in the header instead of "Herald". */
  productName?: string;
}

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
  limits: TenantLimits;
  branding: TenantBranding;
}

/** A tenant as created: without limits or branding of its own unless given. */
export type NewTenant = Omit<Tenant, 'limits' | 'branding'> & {
  limits?: TenantLimits;
  branding?: TenantBranding;
};

export interface NewApiKey {
  id: string;
  tenantId: string;
  name: string;
  /** The key's first characters, shown to tell keys apart; null for keys made before it was kept. */
  prefix: string | null;
  createdAt: number;
  /** When the key stops working; null for never. */
  expiresAt: number | null;
}

export interface ApiKey extends NewApiKey {
  /** Roughly: written at most once a minute per key (see Authenticator). */
  lastUsedAt: number | null;
}

/** A JSON value parsed from a request or the store: what a schema or an example can hold. */
export type JsonObject = Record<string, unknown>;

export interface EventType {
  name: string;
  description: string;
  /** A JSON Schema (draft-07) of the event's `data`; null when none is published. */
  schema: JsonObject | null;
  /** A realistic `data` for the type: shown in the catalogue, sent by a Test of this type. */
  example: JsonObject | null;
  /** Publishes whose `data` does not match `schema` are refused (422 SCHEMA_MISMATCH). */
  enforceSchema: boolean;
}

export type WebhookStatus = 'active' | 'disabled';

/** `fifo`: one delivery in flight at a time, each event after the previous succeeded or was dead-lettered. */
export type WebhookOrdering = 'none' | 'fifo';

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  /** Empty means every event type. */
  events: string[];
  status: WebhookStatus;
  /** Why Herald disabled it (410 Gone, failing too long); null when active or disabled by a person. */
  disabledReason: string | null;
  /** When the first of its attempts since its last success failed; null when the last one succeeded. */
  failingSince: number | null;
  ordering: WebhookOrdering;
  /** Most deliveries per second each worker sends it; null for no limit. */
  rateLimit: number | null;
  secret: string | null;
  /**
   * Until when the secret the last rotation replaced still signs, beside `secret`; null when none
   * does. Kept by rotateWebhookSecret, not by updateWebhook.
   */
  previousSecretUntil: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A webhook as registered: healthy, and unordered and unlimited unless asked. */
export type NewWebhook = Omit<
  Webhook,
  'disabledReason' | 'failingSince' | 'ordering' | 'rateLimit' | 'previousSecretUntil'
> &
  Partial<Pick<Webhook, 'ordering' | 'rateLimit'>>;

export interface NewEvent {
  id: string;
  tenantId: string;
  event: string;
  /** The exact bytes every attempt sends: serialized once, at publish. */
  payload: Buffer;
  timestamp: number;
  /**
   * Set when the publisher chose the id (an idempotency key): the hash of the event type and data
   * (publishBodyHash), remembered with the id so that a repeat of it can be told from a reuse.
   * Absent for ids Herald generated, which never repeat.
   */
  bodyHash?: string;
}

export interface PublishedEvent {
  id: string;
  event: string;
  timestamp: number;
  deliveries: number;
  /** True when an event with this id already existed: nothing new was stored or delivered. */
  duplicate: boolean;
  /** For a duplicate, the body hash stored with the id (null: not known, any body is a repeat). */
  storedBodyHash?: string | null;
}

export type AttemptStatus = 'pending' | 'succeeded' | 'failed';

/** Why a chain of attempts exists: published, a test, a resend of a delivery, a DLQ replay. */
export type DeliveryTrigger = 'event' | 'test' | 'resend' | 'replay';

/**
 * One attempt to deliver one event to one webhook. A pending row is the queue entry for the next
 * attempt; a failed attempt with retries left is followed by a new pending row.
 */
export interface Delivery {
  id: string;
  tenantId: string;
  webhookId: string;
  eventId: string;
  event: string;
  attempt: number;
  status: AttemptStatus;
  statusCode: number | null;
  responseTimeMs: number | null;
  /** When the attempt was made; for a pending attempt, when it was scheduled. */
  timestamp: number;
  error: string | null;
  nextAttemptAt: number | null;
  trigger: DeliveryTrigger;
  responseBody: string | null;
}

export interface DeliveryDetail extends Delivery {
  payload: Buffer;
  eventTimestamp: number;
  /** The headers the attempt was sent with (AttemptResult.requestHeaders); null when none are recorded. */
  requestHeaders: Record<string, string> | null;
}

export interface DeadLetter {
  id: string;
  tenantId: string;
  webhookId: string;
  url: string;
  eventId: string;
  event: string;
  error: string;
  attempts: number;
  failedAt: number;
  /** The attempt that put it in the queue; null once the history no longer holds it. */
  lastAttempt: DeadLetterAttempt | null;
  /** Present when asked for: payloads can be large and lists rarely need them. */
  payload?: Buffer;
}

/** What a dead letter's last attempt got back. */
export interface DeadLetterAttempt {
  deliveryId: string;
  statusCode: number | null;
  /** Present when one dead letter is read: bodies are kept up to a few KB each. */
  responseBody?: string | null;
}

/** A pending attempt a worker has leased: everything needed to send it without another query. */
export interface ClaimedDelivery {
  id: string;
  lease: string;
  tenantId: string;
  webhookId: string;
  url: string;
  secret: string | null;
  /** The secret a rotation replaced, while it still signs too (as it was when this was claimed). */
  previousSecret: string | null;
  /** The webhook's delivery settings, as they were when this was claimed. */
  ordering: WebhookOrdering;
  rateLimit: number | null;
  eventId: string;
  event: string;
  attempt: number;
  trigger: DeliveryTrigger;
  payload: Buffer;
}

/** What one attempt came to, as the sender saw it. */
export interface AttemptResult {
  statusCode: number | null;
  responseTimeMs: number;
  attemptedAt: number;
  error: string | null;
  responseBody: string | null;
  /**
   * The headers of the attempt's request, signatures included, so the history shows what was sent
   * even after the secret changed; null when no request was made (a refused URL) or its fate is
   * unknown (a sender thread that died).
   */
  requestHeaders: Record<string, string> | null;
  /** What a 429 or 503 answer's Retry-After asked for, in milliseconds from the answer; else null. */
  retryAfterMs: number | null;
}

export type AttemptOutcome = Omit<AttemptResult, 'retryAfterMs'> &
  (
    | { verdict: 'succeeded' }
    | { verdict: 'retry'; nextAttemptAt: number }
    | { verdict: 'dead' }
    /** A failure that ends the chain without a dead letter: the Test action is never retried. */
    | { verdict: 'failed' }
  ) & {
    deliveryId: string;
    lease: string;
    /** Set when the answer asks Herald to stop delivering to the webhook (410 Gone): why. */
    disableWebhook?: string;
  };

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** One hour of a webhook's attempts (see WebhookStatsReader): `hour` is its start, epoch ms. */
export interface HourOfAttempts {
  hour: number;
  succeeded: number;
  failed: number;
  /** Sum of the attempts' response times: with their count, the hour's mean. */
  responseMs: number;
}

/** What a webhook's attempts tell of it: the hours asked for, and its latest success and failure ever kept. */
export interface WebhookAttemptStats {
  webhookId: string;
  /** Oldest first; hours without an attempt are left out. */
  hours: HourOfAttempts[];
  lastSuccessAt: number | null;
  lastFailureAt: number | null;
}
