import { closeSync, fdatasync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { HeraldError } from '../../core/errors.js';
import { DEFAULT_EVENT_TYPES } from '../../core/event-catalog.js';
import type {
  ApiKey,
  AttemptOutcome,
  AttemptStatus,
  ClaimedDelivery,
  DeadLetter,
  Delivery,
  DeliveryDetail,
  DeliveryTrigger,
  EventType,
  NewEvent,
  PublishedEvent,
  Tenant,
  Webhook,
} from '../../core/types.js';
import { DEAD_LETTER_PREFIX, DELIVERY_PREFIX, fromPublicId, toPublicId } from '../public-ids.js';
import {
  type ClaimRow,
  DEAD_LETTER_COLUMNS,
  DELIVERY_COLUMNS,
  type DeadLetterRow,
  type DeliveryRow,
  subscribes,
  toClaimed,
  toDeadLetter,
  toDelivery,
  toWebhook,
  type WebhookRow,
} from '../rows.js';
import type { DeliveryTaker, Store } from '../store.js';
import { SQLITE_MIGRATIONS } from './migrations.js';

/** SQLite keeps a webhook's event filter as JSON text. */
type StoredWebhookRow = WebhookRow & { events: string };

function webhookFromRow(row: StoredWebhookRow): Webhook {
  return toWebhook(row, JSON.parse(row.events) as string[]);
}

/** An active webhook of a tenant, with what sending needs, read once per flush of publishes. */
interface Subscriber {
  id: string;
  url: string;
  secret: string | null;
  events: string[];
}

/**
 * The deliveries one flush of publishes hands to the local worker: how much room it has left per
 * webhook, and what it has been given so far.
 */
class Handoff {
  private readonly room = new Map<string, number>();
  private readonly taken: ClaimedDelivery[] = [];
  readonly leaseUntil: number;

  constructor(
    private readonly taker: DeliveryTaker,
    readonly lease: string,
    now: number,
  ) {
    this.leaseUntil = now + taker.leaseMs;
  }

  /** Whether the worker takes one more delivery to this webhook (and counts it if so). */
  takesOne(webhookId: string): boolean {
    const room = this.room.get(webhookId) ?? this.taker.roomFor(webhookId);
    this.room.set(webhookId, Math.max(0, room - 1));
    return room > 0;
  }

  /** Records the first attempt of `event` to `webhook`, stored as row `id` under this handoff's lease. */
  add(id: number, event: NewEvent, webhook: Subscriber): void {
    this.taken.push({
      id: toPublicId(DELIVERY_PREFIX, id),
      lease: this.lease,
      tenantId: event.tenantId,
      webhookId: webhook.id,
      url: webhook.url,
      secret: webhook.secret,
      eventId: event.id,
      event: event.event,
      attempt: 1,
      trigger: 'event',
      payload: event.payload,
    });
  }

  give(): void {
    if (this.taken.length > 0) this.taker.take(this.taken);
  }
}

interface PendingPublish {
  events: NewEvent[];
  now: number;
  resolve: (results: PublishedEvent[]) => void;
  reject: (error: unknown) => void;
}

/**
 * The embedded backend: one file in WAL mode. A write the API acknowledges is on disk before the
 * answer: the commit writes the WAL (`synchronous=NORMAL`, which survives a process crash) and the
 * answer waits for an fdatasync of the WAL, which is what `synchronous=FULL` would do inside the
 * commit. Doing it here instead lets it run on libuv's thread pool while this thread goes on, and
 * one sync serves every commit written before it started (group commit). Concurrent publishes are
 * also committed together: one transaction for every request that arrived in the same turn.
 *
 * Writes whose loss in a power cut costs at most a repeated attempt (claims, outcomes, releases)
 * do not wait for a sync; a process crash still loses nothing, and the next sync covers them too,
 * since the WAL is written in order.
 */
export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private pendingPublishes: PendingPublish[] = [];
  private leaseCounter = 0;
  /** The webhook the last claim stopped at: the next one starts after it, so every webhook gets a turn. */
  private claimCursor = '';
  private readonly queuedListeners = new Set<() => void>();
  private deliveryTaker: DeliveryTaker | null = null;
  /** The WAL file, opened once it exists; null for an in-memory database, which has nothing to sync. */
  private readonly walPath: string | null;
  private walFd: number | null = null;
  private syncInFlight = false;
  /** Callers whose writes are in the WAL and who wait for the next sync to start and finish. */
  private syncWaiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(path: string) {
    this.walPath = path === ':memory:' ? null : `${path}-wal`;
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
  }

  /** Resolves after an fdatasync of the WAL that started after this call, so it covers every commit so far. */
  private walSynced(): Promise<void> {
    if (this.walPath === null) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.syncWaiters.push({ resolve, reject });
      if (!this.syncInFlight) this.startWalSync();
    });
  }

  private startWalSync(): void {
    const waiters = this.syncWaiters;
    this.syncWaiters = [];
    this.syncInFlight = true;
    try {
      // The WAL keeps its inode for the life of the connection (a checkpoint rewinds it, never replaces it).
      this.walFd ??= openSync(this.walPath as string, 'r');
    } catch (error) {
      this.syncInFlight = false;
      for (const waiter of waiters) waiter.reject(error);
      return;
    }
    fdatasync(this.walFd, (error) => {
      this.syncInFlight = false;
      for (const waiter of waiters) {
        if (error) waiter.reject(error);
        else waiter.resolve();
      }
      if (this.syncWaiters.length > 0) this.startWalSync();
    });
  }

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  async migrate(): Promise<void> {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    SQLITE_MIGRATIONS.slice(current).forEach((migration, index) => {
      const version = current + index + 1;
      this.db.transaction(() => {
        this.db.exec(migration);
        if (version === 1) {
          for (const type of DEFAULT_EVENT_TYPES) {
            this.sql('INSERT INTO event_types (name, description) VALUES (?, ?)').run(
              type.name,
              type.description,
            );
          }
        }
        this.db.pragma(`user_version = ${version}`);
      })();
    });
  }

  async close(): Promise<void> {
    if (this.pendingPublishes.length > 0) this.flushPublishes();
    if (this.syncInFlight || this.syncWaiters.length > 0) await this.walSynced();
    if (this.walFd !== null) closeSync(this.walFd);
    this.db.close();
  }

  async createTenant(tenant: Tenant): Promise<void> {
    const result = this.sql(
      'INSERT INTO tenants (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
    ).run(tenant.id, tenant.name, tenant.createdAt);
    if (result.changes === 0) {
      throw new HeraldError('TENANT_EXISTS', `A tenant with id ${tenant.id} already exists.`);
    }
    await this.walSynced();
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const row = this.sql('SELECT id, name, created_at AS createdAt FROM tenants WHERE id = ?').get(id);
    return (row as Tenant | undefined) ?? null;
  }

  async listTenants(): Promise<Tenant[]> {
    return this.sql(
      'SELECT id, name, created_at AS createdAt FROM tenants ORDER BY created_at, id',
    ).all() as Tenant[];
  }

  async createApiKey(key: ApiKey, keyHash: string): Promise<void> {
    this.sql('INSERT INTO api_keys (id, tenant_id, name, key_hash, created_at) VALUES (?, ?, ?, ?, ?)').run(
      key.id,
      key.tenantId,
      key.name,
      keyHash,
      key.createdAt,
    );
    await this.walSynced();
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
    const row = this.sql(
      'SELECT id, tenant_id AS tenantId, name, created_at AS createdAt FROM api_keys WHERE key_hash = ?',
    ).get(keyHash);
    return (row as ApiKey | undefined) ?? null;
  }

  async listEventTypes(): Promise<EventType[]> {
    return this.sql('SELECT name, description FROM event_types ORDER BY name').all() as EventType[];
  }

  async addEventType(type: EventType): Promise<void> {
    const result = this.sql(
      'INSERT INTO event_types (name, description) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',
    ).run(type.name, type.description);
    if (result.changes === 0) {
      throw new HeraldError('EVENT_TYPE_EXISTS', `Event type ${type.name} is already in the catalogue.`);
    }
    await this.walSynced();
  }

  async removeEventType(name: string): Promise<boolean> {
    const removed = this.sql('DELETE FROM event_types WHERE name = ?').run(name).changes > 0;
    await this.walSynced();
    return removed;
  }

  async createWebhook(webhook: Webhook): Promise<void> {
    this.sql(
      `INSERT INTO webhooks (id, tenant_id, url, description, events, status, secret, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      webhook.id,
      webhook.tenantId,
      webhook.url,
      webhook.description,
      JSON.stringify(webhook.events),
      webhook.status,
      webhook.secret,
      webhook.createdAt,
      webhook.updatedAt,
    );
    await this.walSynced();
  }

  async getWebhook(tenantId: string, id: string): Promise<Webhook | null> {
    const row = this.sql('SELECT * FROM webhooks WHERE tenant_id = ? AND id = ?').get(tenantId, id);
    return row ? webhookFromRow(row as StoredWebhookRow) : null;
  }

  async listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]> {
    const rows = this.sql('SELECT * FROM webhooks WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?').all(
      tenantId,
      page.after ?? '',
      page.limit,
    ) as StoredWebhookRow[];
    return rows.map(webhookFromRow);
  }

  async updateWebhook(webhook: Webhook): Promise<void> {
    this.sql(
      `UPDATE webhooks SET url = ?, description = ?, events = ?, status = ?, secret = ?, updated_at = ?
       WHERE tenant_id = ? AND id = ?`,
    ).run(
      webhook.url,
      webhook.description,
      JSON.stringify(webhook.events),
      webhook.status,
      webhook.secret,
      webhook.updatedAt,
      webhook.tenantId,
      webhook.id,
    );
    await this.walSynced();
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    const deleted = this.db.transaction(() => {
      const removed = this.sql('DELETE FROM webhooks WHERE tenant_id = ? AND id = ?').run(tenantId, id);
      if (removed.changes === 0) return false;
      this.sql('DELETE FROM deliveries WHERE webhook_id = ?').run(id);
      this.sql('DELETE FROM dead_letters WHERE webhook_id = ?').run(id);
      return true;
    })();
    await this.walSynced();
    return deleted;
  }

  publishEvents(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
    return new Promise((resolve, reject) => {
      this.pendingPublishes.push({ events, now, resolve, reject });
      if (this.pendingPublishes.length === 1) setImmediate(() => this.flushPublishes());
    });
  }

  /** Commits every publish queued since the last flush in one transaction; answers them once it is synced. */
  private flushPublishes(): void {
    const batch = this.pendingPublishes;
    this.pendingPublishes = [];
    if (batch.length === 0) return;
    const taker = this.deliveryTaker;
    const now = (batch[batch.length - 1] as PendingPublish).now;
    const handoff = taker ? new Handoff(taker, this.nextLease(taker.owner), now) : null;
    let queued = false;
    let results: PublishedEvent[][];
    try {
      results = this.db
        .transaction(() => {
          const subscribers = new Map<string, Subscriber[]>();
          return batch.map((publish) =>
            publish.events.map((event) => {
              const published = this.insertEvent(event, publish.now, subscribers, handoff);
              queued ||= published.queued;
              return published.event;
            }),
          );
        })
        .immediate();
    } catch (error) {
      for (const publish of batch) publish.reject(error);
      return;
    }
    this.walSynced().then(
      () => {
        batch.forEach((publish, index) => {
          publish.resolve(results[index] ?? []);
        });
      },
      (error: unknown) => {
        for (const publish of batch) publish.reject(error);
      },
    );
    // Sending may start before the sync ends: a power cut in between loses an event whose publisher
    // got no answer and publishes again, so at worst it is delivered twice, never lost.
    handoff?.give();
    if (queued) this.announceQueued();
  }

  setDeliveryTaker(taker: DeliveryTaker | null): void {
    this.deliveryTaker = taker;
  }

  onDeliveriesQueued(listener: () => void): () => void {
    this.queuedListeners.add(listener);
    return () => this.queuedListeners.delete(listener);
  }

  private announceQueued(): void {
    for (const listener of this.queuedListeners) listener();
  }

  /**
   * Inserts the event and a delivery to each subscribed webhook: leased to the local worker where
   * the handoff has room, else queued for claims (`queued`).
   */
  private insertEvent(
    event: NewEvent,
    now: number,
    subscribers: Map<string, Subscriber[]>,
    handoff: Handoff | null,
  ): { event: PublishedEvent; queued: boolean } {
    let webhooks = subscribers.get(event.tenantId);
    if (!webhooks) {
      const rows = this.sql(
        "SELECT id, url, secret, events FROM webhooks WHERE tenant_id = ? AND status = 'active'",
      ).all(event.tenantId) as Pick<StoredWebhookRow, 'id' | 'url' | 'secret' | 'events'>[];
      webhooks = rows.map((row) => ({ ...row, events: JSON.parse(row.events) as string[] }));
      subscribers.set(event.tenantId, webhooks);
    }
    const targets = webhooks.filter((webhook) => subscribes(webhook.events, event.event));
    const inserted = this.sql(
      `INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (tenant_id, id) DO NOTHING`,
    ).run(event.tenantId, event.id, event.event, event.payload, event.timestamp, targets.length);
    if (inserted.changes === 0) {
      const first = this.sql(
        'SELECT id, event, timestamp, deliveries FROM events WHERE tenant_id = ? AND id = ?',
      ).get(event.tenantId, event.id) as Omit<PublishedEvent, 'duplicate'>;
      return { event: { ...first, duplicate: true }, queued: false };
    }
    const eventSeq = Number(inserted.lastInsertRowid);
    let queued = false;
    for (const webhook of targets) {
      const takenBy = handoff?.takesOne(webhook.id) ? handoff : null;
      const id = this.insertPendingDelivery(
        event.tenantId,
        webhook.id,
        eventSeq,
        1,
        'event',
        takenBy ? takenBy.leaseUntil : now,
        takenBy ? takenBy.lease : null,
        now,
      );
      if (takenBy) takenBy.add(id, event, webhook);
      else queued = true;
    }
    const published = {
      id: event.id,
      event: event.event,
      timestamp: event.timestamp,
      deliveries: targets.length,
      duplicate: false,
    };
    return { event: published, queued };
  }

  private insertPendingDelivery(
    tenantId: string,
    webhookId: string,
    eventSeq: number,
    attempt: number,
    trigger: DeliveryTrigger,
    dueAt: number,
    lease: string | null = null,
    now = dueAt,
  ): number {
    const result = this.sql(
      `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at, lease)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    ).run(tenantId, webhookId, eventSeq, attempt, trigger, now, dueAt, lease);
    return Number(result.lastInsertRowid);
  }

  async startTestDelivery(
    event: NewEvent,
    webhookId: string,
    lease: { owner: string; until: number },
    now: number,
  ): Promise<ClaimedDelivery> {
    const leaseId = this.nextLease(lease.owner);
    const id = this.db.transaction(() => {
      const inserted = this.sql(
        'INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries) VALUES (?, ?, ?, ?, ?, 1)',
      ).run(event.tenantId, event.id, event.event, event.payload, event.timestamp);
      return this.insertPendingDelivery(
        event.tenantId,
        webhookId,
        Number(inserted.lastInsertRowid),
        1,
        'test',
        lease.until,
        leaseId,
        now,
      );
    })();
    const [claimed] = this.claimedRows(JSON.stringify([id]), leaseId);
    if (!claimed) throw new Error(`test delivery ${id} vanished after insert`);
    await this.walSynced();
    return claimed;
  }

  async resendDelivery(tenantId: string, deliveryId: string, now: number): Promise<Delivery | null> {
    const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
    if (key === null) return null;
    const original = this.sql(
      'SELECT webhook_id, event_seq FROM deliveries WHERE id = ? AND tenant_id = ?',
    ).get(key, tenantId) as { webhook_id: string; event_seq: number } | undefined;
    if (!original) return null;
    const id = this.insertPendingDelivery(
      tenantId,
      original.webhook_id,
      original.event_seq,
      1,
      'resend',
      now,
    );
    this.announceQueued();
    await this.walSynced();
    return this.deliveryById(id);
  }

  private deliveryById(id: number): Delivery | null {
    const row = this.sql(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = ?`,
    ).get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : null;
  }

  private nextLease(owner: string): string {
    this.leaseCounter += 1;
    return `${owner}:${this.leaseCounter}`;
  }

  /** The leased rows (`ids`, a JSON array) with what sending needs: URL and secret of the webhook, the event's bytes. */
  private claimedRows(ids: string, lease: string): ClaimedDelivery[] {
    const rows = this.sql(
      `SELECT d.id, d.tenant_id, d.webhook_id, d.attempt, d.trigger, w.url, w.secret, e.id AS event_id, e.event, e.payload
       FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq
       WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at, d.id`,
    ).all(ids) as ClaimRow[];
    return rows.map((row) => toClaimed(row, lease));
  }

  async claimDueDeliveries(claim: {
    owner: string;
    now: number;
    leaseUntil: number;
    limit: number;
    perWebhookLimit: number;
    skipWebhookIds: readonly string[];
  }): Promise<ClaimedDelivery[]> {
    const lease = this.nextLease(claim.owner);
    return this.relaxed(() => {
      const chosen = this.chooseDueDeliveries(claim);
      if (chosen.length === 0) return [];
      const ids = JSON.stringify(chosen);
      this.sql(
        'UPDATE deliveries SET lease = ?, next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))',
      ).run(lease, claim.leaseUntil, ids);
      return this.claimedRows(ids, lease);
    });
  }

  /**
   * Visits the webhooks that have pending deliveries round-robin, starting after where the last
   * claim stopped, and takes up to `perWebhookLimit` of each one's oldest due deliveries. Each step
   * is an index seek, so one webhook's deep backlog costs nothing to the others: there is no window
   * of the global queue to scan past it.
   */
  private chooseDueDeliveries(claim: {
    now: number;
    limit: number;
    perWebhookLimit: number;
    skipWebhookIds: readonly string[];
  }): number[] {
    const nextWebhook = this.sql(
      "SELECT webhook_id FROM deliveries WHERE status = 'pending' AND webhook_id > ? ORDER BY webhook_id LIMIT 1",
    ).pluck();
    const isActive = this.sql("SELECT 1 FROM webhooks WHERE id = ? AND status = 'active'").pluck();
    const dueOf = this.sql(
      `SELECT id FROM deliveries WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ?
       ORDER BY next_attempt_at LIMIT ?`,
    ).pluck();
    const skip = new Set(claim.skipWebhookIds);
    const start = this.claimCursor;
    const chosen: number[] = [];
    let cursor = start;
    let wrapped = false;
    while (chosen.length < claim.limit) {
      const webhookId = nextWebhook.get(cursor) as string | undefined;
      if (webhookId === undefined || (wrapped && webhookId > start)) {
        if (wrapped || start === '') break;
        wrapped = true;
        cursor = '';
        continue;
      }
      cursor = webhookId;
      if (skip.has(webhookId) || !isActive.get(webhookId)) continue;
      const take = Math.min(claim.perWebhookLimit, claim.limit - chosen.length);
      chosen.push(...(dueOf.all(webhookId, claim.now, take) as number[]));
    }
    this.claimCursor = cursor;
    return chosen;
  }

  async completeDeliveries(outcomes: readonly AttemptOutcome[], now: number): Promise<number> {
    const record = this.sql(
      `UPDATE deliveries SET status = ?, status_code = ?, response_time_ms = ?, response_body = ?, error = ?,
         attempted_at = ?, next_attempt_at = ?, lease = NULL
       WHERE id = ? AND lease = ? AND status = 'pending'`,
    );
    const scheduleRetry = this.sql(
      `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
       SELECT tenant_id, webhook_id, event_seq, attempt + 1, trigger, 'pending', ?, ? FROM deliveries WHERE id = ?`,
    );
    const deadLetter = this.sql(
      `INSERT INTO dead_letters (tenant_id, webhook_id, event_seq, error, attempts, failed_at)
       SELECT tenant_id, webhook_id, event_seq, ?, attempt, ? FROM deliveries WHERE id = ?`,
    );
    return this.relaxed(() => {
      let applied = 0;
      for (const outcome of outcomes) {
        const key = fromPublicId(DELIVERY_PREFIX, outcome.deliveryId);
        const nextAttemptAt = outcome.verdict === 'retry' ? outcome.nextAttemptAt : null;
        const changed = record.run(
          outcome.verdict === 'succeeded' ? 'succeeded' : 'failed',
          outcome.statusCode,
          outcome.responseTimeMs,
          outcome.responseBody,
          outcome.error,
          outcome.attemptedAt,
          nextAttemptAt,
          key,
          outcome.lease,
        ).changes;
        if (changed === 0) continue;
        applied += 1;
        if (outcome.verdict === 'retry') scheduleRetry.run(now, nextAttemptAt, key);
        if (outcome.verdict === 'dead') deadLetter.run(outcome.error ?? 'failed', outcome.attemptedAt, key);
      }
      return applied;
    });
  }

  async releaseDeliveries(
    leases: readonly { deliveryId: string; lease: string }[],
    now: number,
  ): Promise<void> {
    const release = this.sql(
      "UPDATE deliveries SET lease = NULL, next_attempt_at = ? WHERE id = ? AND lease = ? AND status = 'pending'",
    );
    this.relaxed(() => {
      for (const { deliveryId, lease } of leases)
        release.run(now, fromPublicId(DELIVERY_PREFIX, deliveryId), lease);
    });
  }

  /**
   * A write whose loss in a power cut costs at most a repeated attempt (a lease, an outcome): it
   * does not wait for a sync of its own (see the class comment).
   */
  private relaxed<T>(write: () => T): T {
    return this.db.transaction(write).immediate();
  }

  async nextDueAt(): Promise<number | null> {
    const row = this.sql(
      `SELECT min((
         SELECT d.next_attempt_at FROM deliveries d WHERE d.webhook_id = w.id AND d.status = 'pending'
         ORDER BY d.next_attempt_at LIMIT 1
       )) AS dueAt
       FROM webhooks w WHERE w.status = 'active'`,
    ).get() as { dueAt: number | null } | undefined;
    return row?.dueAt ?? null;
  }

  async listDeliveries(
    tenantId: string,
    webhookId: string,
    page: { limit: number; before?: string; status?: AttemptStatus },
  ): Promise<Delivery[]> {
    const before =
      page.before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(DELIVERY_PREFIX, page.before);
    if (before === null) return [];
    const rows = this.sql(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq
       WHERE d.webhook_id = :webhookId AND d.tenant_id = :tenantId AND d.id < :before
         AND (:status IS NULL OR d.status = :status)
       ORDER BY d.id DESC LIMIT :limit`,
    ).all({ webhookId, tenantId, before, status: page.status ?? null, limit: page.limit }) as DeliveryRow[];
    return rows.map(toDelivery);
  }

  async getDelivery(tenantId: string, id: string): Promise<DeliveryDetail | null> {
    const key = fromPublicId(DELIVERY_PREFIX, id);
    if (key === null) return null;
    const row = this.sql(
      `SELECT ${DELIVERY_COLUMNS}, e.payload, e.timestamp AS event_timestamp
       FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = ? AND d.tenant_id = ?`,
    ).get(key, tenantId) as (DeliveryRow & { payload: Buffer; event_timestamp: number }) | undefined;
    return row ? { ...toDelivery(row), payload: row.payload, eventTimestamp: row.event_timestamp } : null;
  }

  async listDeadLetters(
    tenantId: string,
    page: { limit: number; before?: string; webhookId?: string; includePayload?: boolean },
  ): Promise<DeadLetter[]> {
    const before =
      page.before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(DEAD_LETTER_PREFIX, page.before);
    if (before === null) return [];
    const rows = this.sql(
      `SELECT ${DEAD_LETTER_COLUMNS}${page.includePayload ? ', e.payload' : ''}
       FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
       WHERE l.tenant_id = :tenantId AND l.id < :before AND (:webhookId IS NULL OR l.webhook_id = :webhookId)
       ORDER BY l.id DESC LIMIT :limit`,
    ).all({ tenantId, before, webhookId: page.webhookId ?? null, limit: page.limit }) as DeadLetterRow[];
    return rows.map(toDeadLetter);
  }

  async getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
    const key = fromPublicId(DEAD_LETTER_PREFIX, id);
    if (key === null) return null;
    const row = this.sql(
      `SELECT ${DEAD_LETTER_COLUMNS}, e.payload
       FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
       WHERE l.id = ? AND l.tenant_id = ?`,
    ).get(key, tenantId) as DeadLetterRow | undefined;
    return row ? toDeadLetter(row) : null;
  }

  async replayDeadLetters(
    tenantId: string,
    selection: { ids?: readonly string[]; webhookId?: string },
    now: number,
  ): Promise<string[]> {
    const keys = selection.ids
      ?.map((id) => fromPublicId(DEAD_LETTER_PREFIX, id))
      .filter((key) => key !== null);
    const replayed = this.db
      .transaction(() => {
        const letters = this.sql(
          `SELECT l.id, l.webhook_id, l.event_seq FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id
           WHERE l.tenant_id = :tenantId AND w.status = 'active'
             AND (:webhookId IS NULL OR l.webhook_id = :webhookId)
             AND (:keys IS NULL OR l.id IN (SELECT value FROM json_each(:keys)))
           ORDER BY l.id`,
        ).all({
          tenantId,
          webhookId: selection.webhookId ?? null,
          keys: keys ? JSON.stringify(keys) : null,
        }) as {
          id: number;
          webhook_id: string;
          event_seq: number;
        }[];
        const remove = this.sql('DELETE FROM dead_letters WHERE id = ?');
        return letters.map((letter) => {
          remove.run(letter.id);
          const deliveryKey = this.insertPendingDelivery(
            tenantId,
            letter.webhook_id,
            letter.event_seq,
            1,
            'replay',
            now,
          );
          return toPublicId(DELIVERY_PREFIX, deliveryKey);
        });
      })
      .immediate();
    if (replayed.length > 0) this.announceQueued();
    await this.walSynced();
    return replayed;
  }
}
