import type {
  ApiKey,
  AttemptOutcome,
  AttemptStatus,
  ClaimedDelivery,
  DeadLetter,
  Delivery,
  DeliveryDetail,
  EventType,
  NewApiKey,
  NewEvent,
  NewTenant,
  NewWebhook,
  PublishedEvent,
  Tenant,
  TenantBranding,
  TenantLimits,
  Webhook,
  WebhookAttemptStats,
  WebhookStatus,
} from '../core/types.js';
import type { QueuedWorkSubscriber } from './queued-work.js';

/**
 * The ports between Herald and its database, one per role, so that each caller depends on what it
 * uses: the dispatcher on the DeliveryQueue, the publish routes on the Publisher, the history
 * screens on History, the admin routes on the Directory. Each backend (SQLite, PostgreSQL)
 * implements all of them and passes the same conformance suite (test/store/store-contract.ts).
 * Times are passed in, never read from the database's clock, so tests control time. Ids are the
 * public ones (`dlv_…`, `dlq_…`); backends map them to their keys.
 */

/** A worker that takes deliveries straight from the publishes of its own process (see setDeliveryTaker). */
export interface DeliveryTaker {
  /** Names the worker in the leases. */
  readonly owner: string;
  readonly leaseMs: number;
  /** How many more deliveries to this webhook the worker has room for now; 0 leaves them to claims. */
  roomFor(webhookId: string): number;
  /** How many more deliveries of this tenant, to all its webhooks together. */
  tenantRoomFor(tenantId: string): number;
  /** The deliveries leased to the worker, once their transaction has committed. */
  take(deliveries: ClaimedDelivery[]): void;
}

/** What tidyQueue did, and when the next pending delivery falls due (null: none is pending). */
export interface TidiedQueue {
  changed: number;
  nextDueAt: number | null;
}

/** What a claim asks for; see DeliveryQueue.claimDueDeliveries. */
export interface DeliveryClaim {
  owner: string;
  now: number;
  leaseUntil: number;
  /** Most deliveries in all. */
  limit: number;
  /** Most deliveries of one webhook not in `webhookRooms`. */
  perWebhookLimit: number;
  /** Most deliveries of the webhooks listed, instead of perWebhookLimit; 0 passes one over. */
  webhookRooms?: ReadonlyMap<string, number>;
  /** Most deliveries of one tenant not in `tenantRooms`; no bound when absent. */
  perTenantLimit?: number;
  /** Most deliveries of the tenants listed, instead of perTenantLimit; 0 passes one over. */
  tenantRooms?: ReadonlyMap<string, number>;
}

/** The queue as the dispatcher sees it: what is due, leased, sent and recorded. */
export interface DeliveryQueue {
  /**
   * Leases up to `limit` due pending deliveries of active webhooks until `leaseUntil`, visiting the
   * webhooks round-robin and taking each one's oldest due first: at most its room of one webhook and
   * of one tenant (see DeliveryClaim), so one webhook's backlog or one tenant's many webhooks cannot
   * fill a batch or hold back the others. A lease that expires makes the delivery due again.
   */
  claimDueDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]>;
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
   * The safety net for what a crash or a change of settings leaves behind, run by a worker each time
   * it aims its due timer: opens what waits blocked with no reason left (an ordered webhook with
   * nothing open; a webhook no longer ordered), and ends as failed a Test delivery whose sender went
   * away (workers never claim one: a Test is never sent twice). Returns how many deliveries it
   * changed and, in the same round trip, when the earliest pending delivery falls due (nextDueAt);
   * a delivery the tidying opened may be left out of that time, since its opening is announced.
   */
  tidyQueue(now: number): Promise<TidiedQueue>;
  /**
   * Calls `listener` after a commit that queued deliveries due at once (publish, resend, replay), by
   * this process or, where the backend can tell, by another, with the tenants whose deliveries they
   * are when the writer knows them. Wake-ups may be coalesced; workers still poll as the fallback.
   * Returns the unsubscribe function.
   */
  onDeliveriesQueued(listener: QueuedWorkSubscriber): () => void;
  /**
   * Registers (or, with null, removes) the worker of this process that publishes hand their new
   * deliveries to: each is created already leased to it, in the publish's own transaction, so the
   * worker need not claim it back. Deliveries it has no room for are queued as usual. Optional: a
   * backend without the shortcut leaves every delivery to claims.
   */
  setDeliveryTaker?(taker: DeliveryTaker | null): void;
}

/** Everything that puts deliveries in the queue. */
export interface Publisher {
  /**
   * Stores each event with one pending delivery per active webhook of its tenant subscribed to its
   * type, durably, before resolving (the outbox). An event with a bodyHash (its id chosen by the
   * publisher) whose id the tenant published within the store's idempotency window is a duplicate:
   * the first result comes back with the hash stored for the id, and nothing new is queued. After
   * the window the id is forgotten and starts a new event.
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
   * Queues attempt 1 of a fresh delivery for each selected dead letter whose webhook is active, the
   * oldest `limit` of them, and removes those entries. Returns the new deliveries' ids.
   */
  replayDeadLetters(
    tenantId: string,
    selection: DeadLetterFilter,
    now: number,
    limit: number,
  ): Promise<string[]>;
}

/** The attempts of a webhook's history a list shows: those that match every filter given. */
export interface DeliveryFilter {
  status?: AttemptStatus;
  /** The event type. */
  event?: string;
  /** The event's id, which is also every attempt's `webhook-id` header. */
  eventId?: string;
  /** Attempted (pending: scheduled) at or after this time. */
  attemptedFrom?: number;
  /** Attempted (pending: scheduled) before this time. */
  attemptedBefore?: number;
}

/** An event as published, with the attempts of its deliveries to every webhook, oldest first. */
export interface EventTimeline {
  id: string;
  event: string;
  timestamp: number;
  payload: Buffer;
  /** The first `limit` attempts asked for. */
  deliveries: Delivery[];
  /** How many attempts the event has in all. */
  totalDeliveries: number;
}

/** Attempts and dead letters, as people read them. */
export interface History {
  /** Newest first, ids older than `before`. */
  listDeliveries(
    tenantId: string,
    webhookId: string,
    page: DeliveryFilter & { limit: number; before?: string },
  ): Promise<Delivery[]>;
  /** How many attempts of the webhook's history match `filter`, for a list's total. */
  countDeliveries(tenantId: string, webhookId: string, filter: DeliveryFilter): Promise<number>;
  getDelivery(tenantId: string, id: string): Promise<DeliveryDetail | null>;
  /**
   * The tenant's event with this id, with its first `limit` attempts; when the id came back after
   * the idempotency window, the latest event of that id. Null when the tenant has none.
   */
  getEventTimeline(tenantId: string, eventId: string, limit: number): Promise<EventTimeline | null>;
  /** Newest first, ids older than `before`, those the filter selects (`ids` aside). */
  listDeadLetters(
    tenantId: string,
    page: { limit: number; before?: string; includePayload?: boolean } & DeadLetterQuery,
  ): Promise<DeadLetter[]>;
  /** With its payload and its last attempt's response. */
  getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null>;
  /**
   * What the attempts of the tenant's webhooks (or of the one given) tell of them, ordered by webhook
   * id: one entry per webhook, with its hours from `since`'s hour on (kept up by completeDeliveries,
   * so this reads a few rows per webhook however long its history).
   */
  webhookAttemptStats(
    tenantId: string,
    query: { since: number; webhookId?: string },
  ): Promise<WebhookAttemptStats[]>;
  /**
   * How many dead letters the filter selects, per webhook with the webhook's state, so that a caller
   * can tell what a replay would skip (a webhook that is not active) before asking for it.
   */
  countDeadLetters(tenantId: string, filter: DeadLetterFilter): Promise<DeadLetterCount[]>;
  /** Every attempt of the dead letter's event to its webhook, oldest first; null for no such letter. */
  deadLetterAttempts(tenantId: string, id: string): Promise<Delivery[] | null>;
  /**
   * Replays still under way: a replayed dead letter's pending attempt (first or a retry), newest first,
   * with how many there are in all. Each leaves when it succeeds or fails back into the DLQ.
   */
  listReplays(
    tenantId: string,
    page: { limit: number; webhookId?: string },
  ): Promise<{ deliveries: Delivery[]; total: number }>;
}

/** The dead letters of one webhook a filter selects. */
export interface DeadLetterCount {
  webhookId: string;
  url: string;
  description: string;
  webhookStatus: WebhookStatus;
  disabledReason: string | null;
  count: number;
}

/** A change to a tenant: a new name, and its own limits and branding as merge patches (null removes one). */
export interface TenantChange {
  name?: string;
  limits?: { [K in keyof TenantLimits]?: number | null };
  branding?: { [K in keyof TenantBranding]?: string | null };
}

/** Tenants and their API keys. */
export interface TenantDirectory {
  /** Throws HeraldError TENANT_EXISTS when the id is taken, or still held by a deleted tenant's purge. */
  createTenant(tenant: NewTenant): Promise<void>;
  getTenant(id: string): Promise<Tenant | null>;
  /** Applies `change` in one statement; the tenant as it now is, or null when there is none. */
  updateTenant(id: string, change: TenantChange): Promise<Tenant | null>;
  listTenants(): Promise<Tenant[]>;
  /**
   * Removes the tenant, its API keys and its webhooks in one transaction, so that from its commit
   * nothing of it can be read or used; the webhooks' queues and history and the tenant's events
   * are left to the background (purgeDeletedWebhooks, purgeDeletedTenants). False when there was none.
   */
  deleteTenant(id: string): Promise<boolean>;
  createApiKey(key: NewApiKey, keyHash: string): Promise<void>;
  /** Expired keys too: whether a key still works is the caller's to judge, by its clock. */
  findApiKeyByHash(keyHash: string): Promise<ApiKey | null>;
  /** Oldest first. */
  listApiKeys(tenantId: string): Promise<ApiKey[]>;
  /** Deletes the key; false when the tenant has no such key. */
  revokeApiKey(tenantId: string, id: string): Promise<boolean>;
  /** Records that the key was used at `now`. */
  touchApiKey(id: string, now: number): Promise<void>;
  /**
   * Calls `listener` after a commit that revoked a key or deleted a tenant, by this process or, where
   * the backend can tell, by another (PostgreSQL: NOTIFY), and whenever such news may have been
   * missed (the notification connection came back). Returns the unsubscribe function.
   */
  onCredentialsChanged(listener: () => void): () => void;
}

/** The part of the tenant directory that keeps API keys, each backend's in a file of its own. */
export type ApiKeyDirectory = Pick<
  TenantDirectory,
  | 'createApiKey'
  | 'findApiKeyByHash'
  | 'listApiKeys'
  | 'revokeApiKey'
  | 'touchApiKey'
  | 'onCredentialsChanged'
>;

/** The event catalogue. */
export interface EventTypeDirectory {
  /** In the catalogue's order: the documentation's types first, then the others as they were added. */
  listEventTypes(): Promise<EventType[]>;
  /** Adds the type at the end of the catalogue; throws HeraldError EVENT_TYPE_EXISTS when the name is taken. */
  addEventType(type: EventType): Promise<void>;
  /** Replaces the type's description, schema, example and enforcement; false when it is not in the catalogue. */
  updateEventType(type: EventType): Promise<boolean>;
  /**
   * Removes the type unless webhooks name it in their filters; counting and removing are one
   * transaction. `webhooks`: how many name it (nothing removed then).
   */
  removeEventType(name: string): Promise<EventTypeRemoval>;
}

export type EventTypeRemoval =
  | { outcome: 'removed' }
  | { outcome: 'absent' }
  | { outcome: 'in-use'; webhooks: number };

/** Each tenant's webhooks. */
export interface WebhookDirectory {
  /**
   * Stores the webhook unless `limit` is given and its tenant already has `limit.maxWebhooks`
   * webhooks: false then, and nothing stored. Counting and storing are one atomic step, so
   * concurrent creates cannot pass the limit together.
   */
  createWebhook(webhook: NewWebhook, limit?: { maxWebhooks: number }): Promise<boolean>;
  getWebhook(tenantId: string, id: string): Promise<Webhook | null>;
  /** Oldest first, ids greater than `after`. */
  listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]>;
  /** Writes every field but `previousSecretUntil`, which only the two below change. */
  updateWebhook(webhook: Webhook): Promise<void>;
  /**
   * Replaces the webhook's secret. The one it replaces (if any) goes on signing beside it until
   * `previousUntil`; with null it stops at once. A secret replaced earlier stops either way. The
   * webhook as it now is, or null when there is none.
   */
  rotateWebhookSecret(
    tenantId: string,
    id: string,
    rotation: { secret: string; previousUntil: number | null; now: number },
  ): Promise<Webhook | null>;
  /** Stops the secret the last rotation replaced signing, before its time; null when there is no webhook. */
  dropPreviousSecret(tenantId: string, id: string, now: number): Promise<Webhook | null>;
  /** Removes the webhook with its queued deliveries, history and dead letters. */
  deleteWebhook(tenantId: string, id: string): Promise<boolean>;
}

/**
 * Work that requests leave to the background so that each stays short (see bounded-work.ts), done
 * by the workers one small transaction at a time.
 */
export interface BackgroundWork {
  /**
   * Creates the deliveries of the next chunk of a big fan-out: to the webhooks active now that
   * existed at its publish and subscribe to its type. Returns how many it created, or null when no
   * fan-out waits.
   */
  expandFanouts(now: number): Promise<number | null>;
  /** Deletes the next chunk of a deleted webhook's deliveries and dead letters: how many, or null when none waits. */
  purgeDeletedWebhooks(): Promise<number | null>;
  /** Deletes the next chunk of a deleted tenant's events and ids: how many, or null when none waits. */
  purgeDeletedTenants(): Promise<number | null>;
  /** Deletes the next chunk of idempotency records past the window at `now`: how many, or null when none. */
  pruneIdempotencyKeys(now: number): Promise<number | null>;
  /**
   * Calls `listener` after a commit that left background work (by this process or, where the
   * backend can tell, another). Returns the unsubscribe function.
   */
  onBackgroundWorkQueued(listener: () => void): () => void;
}

/** How far a sweep of old history has come (see Retention.pruneHistory). */
export interface PruneProgress {
  /** Where the next chunk of the sweep starts. */
  after: number;
  /** Rows (events and deliveries) the chunk deleted. */
  removed: number;
}

/** Dead letters of a tenant as people look for them: those that match every field given. */
export interface DeadLetterQuery {
  webhookId?: string;
  /** The event type. */
  event?: string;
  /** Failed at or after this time. */
  failedFrom?: number;
  /** Failed before this time. */
  failedBefore?: number;
}

/** The dead letters a replay or discard acts on: those that match every field given. */
export interface DeadLetterFilter extends DeadLetterQuery {
  ids?: readonly string[];
}

/** What leaves the database for good: history older than HERALD_RETENTION, dead letters people discard. */
export interface Retention {
  /**
   * Deletes the next chunk of history older than `cutoff`, in one short transaction: events
   * published before it whose deliveries all finished before it, with those deliveries. An event
   * stays while anything needs it: a delivery queued or leased, a dead letter, a fan-out still to
   * create. Once the events are done, the hourly attempt counts of hours older than `cutoff` go
   * too, a chunk at a time. A sweep starts with `after` 0 and passes each chunk's `after` to the
   * next; null when nothing older than the window is left to remove.
   */
  pruneHistory(cutoff: number, after: number): Promise<PruneProgress | null>;
  /**
   * Removes up to `limit` of the tenant's dead letters that match `filter`, oldest first, in one
   * transaction, durably; how many it removed. Their deliveries stay in the history and age out
   * with their event.
   */
  discardDeadLetters(tenantId: string, filter: DeadLetterFilter, limit: number): Promise<number>;
}

/** What attempts tell of a webhook: its failure clock is kept with the outcomes (completeDeliveries). */
export interface WebhookHealth {
  /**
   * Disables an active webhook and records why; in the same transaction `notice` (a webhook.disabled
   * event of its tenant) is published to the tenant's active webhooks that subscribe to it. False, and
   * nothing published, when the webhook was not active.
   */
  disableWebhook(
    tenantId: string,
    webhookId: string,
    reason: string,
    notice: NewEvent,
    now: number,
  ): Promise<boolean>;
  /** Active webhooks whose every attempt since `cutoff` or earlier has failed, longest failing first. */
  listWebhooksFailingSince(cutoff: number, limit: number): Promise<Webhook[]>;
}

/** Webhook secrets at rest, sealed by the store's SecretBox. */
export interface SecretKeeping {
  /**
   * Seals again, under the current key, up to `limit` stored secrets that do not start with
   * `keep` (a prefix of sealed values: any sealed value, or those of the current key), in one
   * short transaction; a secret changed meanwhile is left as it now is. Returns how many it sealed:
   * 0 once none is left.
   */
  resealSecrets(keep: string, limit: number): Promise<number>;
  /** The ids of the keys the stored secrets are sealed under (one look at every webhook: for start-up). */
  sealingKeyIds(): Promise<string[]>;
}

/** The queue and its failures in numbers, for operators' metrics (all tenants together). */
export interface QueueStats {
  /** Pending deliveries of active webhooks whose time has come (an expired lease included). */
  due: number;
  /** Pending deliveries a worker holds a live lease on: being sent, or waiting in its lanes. */
  inFlight: number;
  /** Retries (attempt 2 and later) waiting for their time on the schedule. */
  retryScheduled: number;
  /** When the oldest due delivery fell due, or null when none is due. */
  oldestDueAt: number | null;
  deadLetters: number;
  disabledWebhooks: number;
  /** Active webhooks whose every attempt since some time has failed (failing_since set). */
  failingWebhooks: number;
}

/** What operators' probes read: the queue in numbers, and whether the database is there and ready. */
export interface Operations {
  /** One aggregate read of the queue's pending rows, the dead letters and the webhooks. */
  queueStats(now: number): Promise<QueueStats>;
  /** The schema version the database is at, and the one this Herald needs; throws when it cannot be read. */
  schemaVersion(): Promise<{ applied: number; expected: number }>;
}

/** What the admin routes manage. */
export interface Directory extends TenantDirectory, EventTypeDirectory, WebhookDirectory {}

/** Every role of one database, for wiring a process together: open it, migrate it, close it. */
export interface Store
  extends DeliveryQueue,
    Publisher,
    History,
    Directory,
    WebhookHealth,
    BackgroundWork,
    Retention,
    SecretKeeping,
    Operations {
  readonly backend: 'sqlite' | 'postgres';
  migrate(): Promise<void>;
  close(): Promise<void>;
}
