/** Domain records as the Store hands them out. Times are epoch milliseconds; the API formats them. */

export interface Tenant {
  id: string;
  name: string;
  createdAt: number;
}

export interface ApiKey {
  id: string;
  tenantId: string;
  name: string;
  createdAt: number;
}

export interface EventType {
  name: string;
  description: string;
}

export type WebhookStatus = 'active' | 'disabled';

export interface Webhook {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  /** Empty means every event type. */
  events: string[];
  status: WebhookStatus;
  secret: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface NewEvent {
  id: string;
  tenantId: string;
  event: string;
  /** The exact bytes every attempt sends: serialized once, at publish. */
  payload: Buffer;
  timestamp: number;
}

export interface PublishedEvent {
  id: string;
  event: string;
  timestamp: number;
  deliveries: number;
  /** True when an event with this id already existed: nothing new was stored or delivered. */
  duplicate: boolean;
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
  /** Present when asked for: payloads can be large and lists rarely need them. */
  payload?: Buffer;
}

/** A pending attempt a worker has leased: everything needed to send it without another query. */
export interface ClaimedDelivery {
  id: string;
  lease: string;
  tenantId: string;
  webhookId: string;
  url: string;
  secret: string | null;
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
}

export type AttemptOutcome = AttemptResult &
  (
    | { verdict: 'succeeded' }
    | { verdict: 'retry'; nextAttemptAt: number }
    | { verdict: 'dead' }
    /** A failure that ends the chain without a dead letter: the Test action is never retried. */
    | { verdict: 'failed' }
  ) & { deliveryId: string; lease: string };

export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}
