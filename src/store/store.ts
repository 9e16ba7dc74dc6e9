import type {
  ApiKey,
  AttemptOutcome,
  AttemptStatus,
  ClaimedDelivery,
  DeadLetter,
  Delivery,
  DeliveryDetail,
  EventType,
  NewEvent,
  PublishedEvent,
  Tenant,
  Webhook,
} from '../core/types.js';

/** A worker that takes deliveries straight from the publishes of its own process (see setDeliveryTaker). */
export interface DeliveryTaker {
  /** Names the worker in the leases. */
  readonly owner: string;
  readonly leaseMs: number;
  /** How many more deliveries to this webhook the worker has room for now; 0 leaves them to claims. */
  roomFor(webhookId: string): number;
  /** The deliveries leased to the worker, once their transaction has committed. */
  take(deliveries: ClaimedDelivery[]): void;
}

/**
 * The one port between Herald and its database. The API and the workers speak only to this; each
 * backend (SQLite, PostgreSQL) implements it and passes the same conformance suite
 * (test/store/store-contract.ts). Times are passed in, never read from the database's clock, so
 * tests control time. Ids are the public ones (`dlv_…`, `dlq_…`); backends map them to their keys.
 */
export interface Store {
  readonly backend: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;

  /** Throws HeraldError TENANT_EXISTS when the id is taken. */
  createTenant(tenant: Tenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;
  createApiKey(key: ApiKey, keyHash: string): Promise<void>;
  findApiKeyByHash(keyHash: string): Promise<ApiKey | null>;

  listEventTypes(): Promise<EventType[]>;
  /** Throws HeraldError EVENT_TYPE_EXISTS when the name is taken. */
  addEventType(type: EventType): Promise<void>;
  removeEventType(name: string): Promise<boolean>;

  createWebhook(webhook: Webhook): Promise<void>;
  getWebhook(tenantId: string, id: string): Promise<Webhook | null>;
  /** Oldest first, ids greater than `after`. */
  listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]>;
  updateWebhook(webhook: Webhook): Promise<void>;
  /** Removes the webhook with its queued deliveries, history and dead letters. */
  deleteWebhook(tenantId: string, id: string): Promise<boolean>;

  /**
   * Stores each event with one pending delivery per active webhook of its tenant subscribed to its
   * type, durably, before resolving (the outbox). An id already stored in the tenant is a duplicate:
   * its first result comes back and nothing new is queued.
   */
  publishEvents(events: NewEvent[], now: number): Promise<PublishedEvent[]>;
  /** Stores a test event and one delivery of it already leased to `owner`, for sending at once. */
  startTestDelivery(
    event: NewEvent,
    webhookId: string,
    lease: { owner: string; until: number },
    now: number,
  ): Promise<ClaimedDelivery>;
  /** Queues attempt 1 of a new delivery of the same event to the same webhook. */
  resendDelivery(tenantId: string, deliveryId: string, now: number): Promise<Delivery | null>;

  /**
   * Leases up to `limit` due pending deliveries of active webhooks until `leaseUntil`: at most
   * `perWebhookLimit` of one webhook, each webhook's oldest due first, none of those in
   * `skipWebhookIds`, so one webhook's backlog cannot fill a batch or hold back the others. A lease
   * that expires makes the delivery due again.
   */
  claimDueDeliveries(claim: {
    owner: string;
    now: number;
    leaseUntil: number;
    limit: number;
    perWebhookLimit: number;
    skipWebhookIds: readonly string[];
  }): Promise<ClaimedDelivery[]>;
  /**
   * Records the outcomes in one transaction. An outcome whose lease is no longer the delivery's
   * (it expired and another worker claimed it) is ignored. Returns how many were applied.
   */
  completeDeliveries(outcomes: readonly AttemptOutcome[], now: number): Promise<number>;
  /** Gives leased deliveries back unsent, due at `now` (shutdown). */
  releaseDeliveries(leases: readonly { deliveryId: string; lease: string }[], now: number): Promise<void>;
  /** When the earliest pending delivery of an active webhook falls due, or null when none is queued. */
  nextDueAt(): Promise<number | null>;
  /**
   * Calls `listener` after a commit that queued deliveries due at once (publish, resend, replay), by
   * this process or, where the backend can tell, by another. Wake-ups may be coalesced; workers
   * still poll as the fallback. Returns the unsubscribe function.
   */
  onDeliveriesQueued(listener: () => void): () => void;
  /**
   * Registers (or, with null, removes) the worker of this process that publishes hand their new
   * deliveries to: each is created already leased to it, in the publish's own transaction, so the
   * worker need not claim it back. Deliveries it has no room for are queued as usual. Optional: a
   * backend without the shortcut leaves every delivery to claims.
   */
  setDeliveryTaker?(taker: DeliveryTaker | null): void;

  /** Newest first, ids older than `before`. */
  listDeliveries(
    tenantId: string,
    webhookId: string,
    page: { limit: number; before?: string; status?: AttemptStatus },
  ): Promise<Delivery[]>;
  getDelivery(tenantId: string, id: string): Promise<DeliveryDetail | null>;

  /** Newest first, ids older than `before`. */
  listDeadLetters(
    tenantId: string,
    page: { limit: number; before?: string; webhookId?: string; includePayload?: boolean },
  ): Promise<DeadLetter[]>;
  /** With its payload. */
  getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null>;
  /**
   * Queues attempt 1 of a fresh delivery for each selected dead letter whose webhook is active and
   * removes those entries. Returns the new deliveries' ids.
   */
  replayDeadLetters(
    tenantId: string,
    selection: { ids?: readonly string[]; webhookId?: string },
    now: number,
  ): Promise<string[]>;
}
