import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
  toClaimed,
  toDeadLetter,
  toDelivery,
  toWebhook,
  type WebhookRow,
} from '../rows.js';
import type { Store } from '../store.js';
import { isDeadlock, isUnavailable, translateError } from './errors.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';
import { QUEUED_CHANNEL, QueuedWorkListener, queuedPayload } from './notifications.js';
import { CLAIM, COMPLETE, NEXT_DUE_SQL, type PreparedStatement, PUBLISH } from './statements.js';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 10). The LISTEN connection comes on top. */
  poolSize?: number;
  /** The schema holding Herald's tables (default `public`); created by migrate() when missing. */
  schema?: string;
  /** Shown in pg_stat_activity (default `herald`), so operators can tell Herald's connections apart. */
  applicationName?: string;
}

/** PostgreSQL keeps a webhook's event filter as text[]. */
type StoredWebhookRow = WebhookRow & { events: string[] };

function webhookFromRow(row: StoredWebhookRow): Webhook {
  return toWebhook(row, row.events);
}

interface StoredEventRow {
  tenant_id: string;
  id: string;
  event: string;
  timestamp: number;
  deliveries: number;
}

interface PendingPublish {
  events: NewEvent[];
  now: number;
  resolve: (results: PublishedEvent[]) => void;
  reject: (error: unknown) => void;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** pg_advisory_lock(namespace, hashtext(schema)): "HERA", so migrations of one schema run one at a time. */
const MIGRATION_LOCK_NAMESPACE = 0x48455241;

/**
 * A flush of concurrent publishes is one statement; past these sizes the rest waits for the next
 * flush, so one huge burst does not become one huge parameter array. A caller's events are never split.
 */
const FLUSH_MAX_EVENTS = 2_000;
const FLUSH_MAX_PAYLOAD_BYTES = 16 * 1024 * 1024;

/**
 * Until a table has statistics the planner guesses a handful of pending rows, and completing a batch
 * then scans every pending row instead of looking each one up by key. Autovacuum analyzes within
 * about a minute; a fresh install under its first burst should not wait that long.
 */
const STATISTICS_BOOTSTRAP_DELIVERIES = 1_000;

/** A deadlock can only arise between overlapping batches (a reused idempotency key, a stale lease). */
const DEADLOCK_RETRIES = 3;

/** Receivers' responses and error texts may contain NUL, which PostgreSQL text refuses; history keeps a stand-in. */
function storableText(text: string | null): string | null {
  return text?.replaceAll('\u0000', '\uFFFD') ?? null;
}

function eventKey(tenantId: string, id: string): string {
  return `${tenantId}\u0000${id}`;
}

/**
 * bigint columns hold epoch milliseconds and row keys, all far below 2^53: hand them out as numbers.
 * Scoped to this store's connections rather than set globally on pg.types.
 */
function typeParsers(): pg.CustomTypesConfig {
  const types = new pg.TypeOverrides();
  types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));
  return types;
}

/**
 * The scale-out backend: any number of API and worker processes share one database. The queue is
 * the deliveries table; workers lease rows with FOR UPDATE SKIP LOCKED; new work is announced with
 * NOTIFY. Concurrent publishes are committed together (group commit) like the SQLite store does:
 * every request that arrived in the same turn of the event loop shares one statement and one commit.
 */
export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  private readonly pool: pg.Pool;
  private readonly clientConfig: pg.ClientConfig;
  private readonly schema: string;
  /** Tags this instance's leases and notifications, so they cannot be mistaken for another's. */
  private readonly instance = randomBytes(6).toString('hex');
  private leaseCounter = 0;
  private pendingPublishes: PendingPublish[] = [];
  private readonly flushes = new Set<Promise<void>>();
  private readonly queuedListeners = new Set<() => void>();
  private listener: QueuedWorkListener | null = null;
  private closed = false;
  private queuedByThisStore = 0;
  private statisticsChecked = false;

  constructor(connectionString: string, options: PostgresStoreOptions = {}) {
    this.schema = options.schema ?? 'public';
    if (!SCHEMA_NAME.test(this.schema)) {
      throw new Error(`Schema name "${this.schema}" must be lower-case letters, digits and underscores.`);
    }
    this.clientConfig = {
      connectionString,
      application_name: options.applicationName ?? 'herald',
      // JIT pays off for long analytical queries, never for Herald's short ones; and the queue
      // functions' disabled sorts inflate plan costs past jit_above_cost, which made each claim
      // spend most of a second compiling.
      options: `-c search_path=${this.schema} -c jit=off`,
      types: typeParsers(),
      // Without a timeout a request waits forever for a database that is down; with it, it gets a 503.
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
    };
    this.pool = new pg.Pool({ ...this.clientConfig, max: options.poolSize ?? 10 });
    // An idle connection that drops (database restart, pg_terminate_backend) emits 'error' on the
    // pool; the pool has already discarded it and opens a new one on demand. Unhandled, the event
    // would crash the process.
    this.pool.on('error', () => undefined);
  }

  /** One statement on a pooled connection, retried when it lost a deadlock (it was rolled back). */
  private async query<R extends pg.QueryResultRow>(
    statement: string | PreparedStatement,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    const config = typeof statement === 'string' ? { text: statement, values } : { ...statement, values };
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.pool.query<R>(config);
      } catch (error) {
        if (attempt < DEADLOCK_RETRIES && isDeadlock(error)) continue;
        throw translateError(error);
      }
    }
  }

  /**
   * Runs `work` on one checked-out connection. A connection that dropped meanwhile, or that `work`
   * spoils (a failed rollback, a half-done migration), is destroyed instead of going back to the pool.
   */
  private async withClient<T>(
    work: (client: pg.PoolClient, spoil: (error: unknown) => void) => Promise<T>,
  ): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translateError(error);
    }
    let broken: Error | undefined;
    const spoil = (error: unknown) => {
      broken ??= error instanceof Error ? error : new Error(String(error));
    };
    // A checked-out client whose connection drops between statements emits 'error'; the pool only
    // listens while the client is idle.
    client.on('error', spoil);
    try {
      return await work(client, spoil);
    } catch (error) {
      if (isUnavailable(error)) spoil(error);
      throw translateError(error);
    } finally {
      client.off('error', spoil);
      client.release(broken);
    }
  }

  /** Several statements on one connection, committed together or not at all. */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.withClient(async (client, spoil) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(spoil);
        throw error;
      }
    });
  }

  migrate(): Promise<void> {
    return this.withClient(async (client, spoil) => {
      try {
        // Session-level lock: processes starting together migrate one after another, and the lock
        // goes away with the session if this one dies halfway.
        await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [
          MIGRATION_LOCK_NAMESPACE,
          this.schema,
        ]);
        try {
          await this.applyMigrations(client);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [
            MIGRATION_LOCK_NAMESPACE,
            this.schema,
          ]);
        }
      } catch (error) {
        // The session may still hold the lock or an open transaction: never reuse it.
        spoil(error);
        throw error;
      }
    });
  }

  private async applyMigrations(client: pg.PoolClient): Promise<void> {
    // Checked first: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${this.schema}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS herald_migrations (
         version integer PRIMARY KEY,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const { rows } = await client.query<{ version: number }>(
      'SELECT coalesce(max(version), 0) AS version FROM herald_migrations',
    );
    const current = rows[0]?.version ?? 0;
    for (const [index, migration] of POSTGRES_MIGRATIONS.slice(current).entries()) {
      const version = current + index + 1;
      await client.query('BEGIN');
      try {
        await client.query(migration);
        if (version === 1) {
          await client.query(
            'INSERT INTO event_types (name, description) SELECT * FROM unnest($1::text[], $2::text[])',
            [
              DEFAULT_EVENT_TYPES.map((type) => type.name),
              DEFAULT_EVENT_TYPES.map((type) => type.description),
            ],
          );
        }
        await client.query('INSERT INTO herald_migrations (version) VALUES ($1)', [version]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Publishes already accepted into a batch are committed (or fail) before the pool goes.
    while (this.pendingPublishes.length > 0 || this.flushes.size > 0) {
      if (this.pendingPublishes.length > 0) this.startFlush();
      await Promise.all(this.flushes);
    }
    await this.listener?.stop();
    await this.pool.end();
  }

  async createTenant(tenant: Tenant): Promise<void> {
    const result = await this.query(
      'INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING',
      [tenant.id, tenant.name, tenant.createdAt],
    );
    if (result.rowCount === 0) {
      throw new HeraldError('TENANT_EXISTS', `A tenant with id ${tenant.id} already exists.`);
    }
  }

  async getTenant(id: string): Promise<Tenant | null> {
    const { rows } = await this.query<Tenant>(
      'SELECT id, name, created_at AS "createdAt" FROM tenants WHERE id = $1',
      [id],
    );
    return rows[0] ?? null;
  }

  async listTenants(): Promise<Tenant[]> {
    const { rows } = await this.query<Tenant>(
      'SELECT id, name, created_at AS "createdAt" FROM tenants ORDER BY created_at, id',
    );
    return rows;
  }

  async createApiKey(key: ApiKey, keyHash: string): Promise<void> {
    await this.query(
      'INSERT INTO api_keys (id, tenant_id, name, key_hash, created_at) VALUES ($1, $2, $3, $4, $5)',
      [key.id, key.tenantId, key.name, keyHash, key.createdAt],
    );
  }

  async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
    const { rows } = await this.query<ApiKey>(
      'SELECT id, tenant_id AS "tenantId", name, created_at AS "createdAt" FROM api_keys WHERE key_hash = $1',
      [keyHash],
    );
    return rows[0] ?? null;
  }

  async listEventTypes(): Promise<EventType[]> {
    const { rows } = await this.query<EventType>('SELECT name, description FROM event_types ORDER BY name');
    return rows;
  }

  async addEventType(type: EventType): Promise<void> {
    const result = await this.query(
      'INSERT INTO event_types (name, description) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
      [type.name, type.description],
    );
    if (result.rowCount === 0) {
      throw new HeraldError('EVENT_TYPE_EXISTS', `Event type ${type.name} is already in the catalogue.`);
    }
  }

  async removeEventType(name: string): Promise<boolean> {
    const result = await this.query('DELETE FROM event_types WHERE name = $1', [name]);
    return (result.rowCount ?? 0) > 0;
  }

  async createWebhook(webhook: Webhook): Promise<void> {
    await this.query(
      `INSERT INTO webhooks (id, tenant_id, url, description, events, status, secret, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
      [
        webhook.id,
        webhook.tenantId,
        webhook.url,
        webhook.description,
        webhook.events,
        webhook.status,
        webhook.secret,
        webhook.createdAt,
        webhook.updatedAt,
      ],
    );
  }

  async getWebhook(tenantId: string, id: string): Promise<Webhook | null> {
    const { rows } = await this.query<StoredWebhookRow>(
      'SELECT * FROM webhooks WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return rows[0] ? webhookFromRow(rows[0]) : null;
  }

  async listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]> {
    const { rows } = await this.query<StoredWebhookRow>(
      'SELECT * FROM webhooks WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
      [tenantId, page.after ?? '', page.limit],
    );
    return rows.map(webhookFromRow);
  }

  async updateWebhook(webhook: Webhook): Promise<void> {
    await this.query(
      `UPDATE webhooks SET url = $1, description = $2, events = $3, status = $4, secret = $5, updated_at = $6
       WHERE tenant_id = $7 AND id = $8`,
      [
        webhook.url,
        webhook.description,
        webhook.events,
        webhook.status,
        webhook.secret,
        webhook.updatedAt,
        webhook.tenantId,
        webhook.id,
      ],
    );
  }

  async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
    const { rows } = await this.query<{ removed: number }>(
      `WITH removed AS (
         DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2 RETURNING id
       ), queue AS (
         DELETE FROM deliveries WHERE webhook_id IN (SELECT id FROM removed)
       ), letters AS (
         DELETE FROM dead_letters WHERE webhook_id IN (SELECT id FROM removed)
       )
       SELECT count(*) AS removed FROM removed`,
      [tenantId, id],
    );
    return (rows[0]?.removed ?? 0) > 0;
  }

  publishEvents(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
    return new Promise((resolve, reject) => {
      this.pendingPublishes.push({ events, now, resolve, reject });
      if (this.pendingPublishes.length === 1) setImmediate(() => this.startFlush());
    });
  }

  /** Takes the publishes queued so far (up to the flush limits) and commits them on one connection. */
  private startFlush(): void {
    let events = 0;
    let bytes = 0;
    let taken = 0;
    for (const publish of this.pendingPublishes) {
      if (taken > 0 && (events >= FLUSH_MAX_EVENTS || bytes >= FLUSH_MAX_PAYLOAD_BYTES)) break;
      events += publish.events.length;
      for (const event of publish.events) bytes += event.payload.length;
      taken += 1;
    }
    const batch = this.pendingPublishes.splice(0, taken);
    if (this.pendingPublishes.length > 0) setImmediate(() => this.startFlush());
    if (batch.length === 0) return;
    const flush = this.flushPublishes(batch).finally(() => this.flushes.delete(flush));
    this.flushes.add(flush);
  }

  private async flushPublishes(batch: PendingPublish[]): Promise<void> {
    let results: PublishedEvent[][];
    let queued: number;
    try {
      ({ results, queued } = await this.insertEvents(batch));
    } catch (error) {
      for (const publish of batch) publish.reject(error);
      return;
    }
    for (const [index, publish] of batch.entries()) publish.resolve(results[index] ?? []);
    if (queued > 0) this.announceQueued();
    this.queuedByThisStore += queued;
    if (!this.statisticsChecked && this.queuedByThisStore >= STATISTICS_BOOTSTRAP_DELIVERIES) {
      this.statisticsChecked = true;
      // Best effort, once per store: autovacuum gets there anyway, just later.
      this.analyzeIfNeverAnalyzed().catch(() => undefined);
    }
  }

  private async analyzeIfNeverAnalyzed(): Promise<void> {
    const { rows } = await this.query<{ unanalyzed: number }>(
      `SELECT count(*) AS unanalyzed FROM pg_stat_user_tables
       WHERE schemaname = $1 AND relname IN ('deliveries', 'events')
         AND last_analyze IS NULL AND last_autoanalyze IS NULL`,
      [this.schema],
    );
    if ((rows[0]?.unanalyzed ?? 0) > 0) await this.query('ANALYZE deliveries, events');
  }

  /** Returns each caller's results and how many deliveries were queued. */
  private async insertEvents(
    batch: PendingPublish[],
  ): Promise<{ results: PublishedEvent[][]; queued: number }> {
    // The first occurrence of an id in the batch is the one stored; later ones are its duplicates.
    const unique = new Map<string, { event: NewEvent; now: number }>();
    for (const publish of batch) {
      for (const event of publish.events) {
        const key = eventKey(event.tenantId, event.id);
        if (!unique.has(key)) unique.set(key, { event, now: publish.now });
      }
    }
    const inputs = [...unique.values()];
    const { rows } = await this.query<{ tenant_id: string; id: string; deliveries: number }>(PUBLISH, [
      inputs.map((input) => input.event.tenantId),
      inputs.map((input) => input.event.id),
      inputs.map((input) => input.event.event),
      inputs.map((input) => input.event.payload),
      inputs.map((input) => input.event.timestamp),
      inputs.map((input) => input.now),
      QUEUED_CHANNEL,
      queuedPayload(this.schema, this.instance),
    ]);
    const stored = new Map(rows.map((row) => [eventKey(row.tenant_id, row.id), row.deliveries]));
    const existing = await this.storedEvents(
      inputs.filter((input) => !stored.has(eventKey(input.event.tenantId, input.event.id))),
    );

    const claimedFirst = new Set<string>();
    const results = batch.map((publish) =>
      publish.events.map((event): PublishedEvent => {
        const key = eventKey(event.tenantId, event.id);
        const deliveries = stored.get(key);
        if (deliveries !== undefined) {
          const first = unique.get(key)?.event ?? event;
          const published = { id: first.id, event: first.event, timestamp: first.timestamp, deliveries };
          const duplicate = claimedFirst.has(key);
          claimedFirst.add(key);
          return { ...published, duplicate };
        }
        const earlier = existing.get(key);
        if (!earlier) throw new Error(`event ${event.id} conflicted but cannot be found`);
        return {
          id: earlier.id,
          event: earlier.event,
          timestamp: earlier.timestamp,
          deliveries: earlier.deliveries,
          duplicate: true,
        };
      }),
    );
    return { results, queued: rows.reduce((sum, row) => sum + row.deliveries, 0) };
  }

  /**
   * The first results of ids that were already stored. Read after the insert committed: a conflict
   * may have been with a transaction that committed after the insert's snapshot was taken.
   */
  private async storedEvents(inputs: { event: NewEvent }[]): Promise<Map<string, StoredEventRow>> {
    if (inputs.length === 0) return new Map();
    const { rows } = await this.query<StoredEventRow>(
      `SELECT e.tenant_id, e.id, e.event, e.timestamp, e.deliveries
       FROM events e JOIN unnest($1::text[], $2::text[]) AS i (tenant_id, id) ON e.tenant_id = i.tenant_id AND e.id = i.id`,
      [inputs.map((input) => input.event.tenantId), inputs.map((input) => input.event.id)],
    );
    return new Map(rows.map((row) => [eventKey(row.tenant_id, row.id), row]));
  }

  onDeliveriesQueued(listener: () => void): () => void {
    this.queuedListeners.add(listener);
    if (!this.listener && !this.closed) {
      this.listener = new QueuedWorkListener(this.clientConfig, this.schema, this.instance, () =>
        this.announceQueued(),
      );
      this.listener.start();
    }
    return () => this.queuedListeners.delete(listener);
  }

  private announceQueued(): void {
    for (const listener of this.queuedListeners) listener();
  }

  private notifyQueued(client: pg.PoolClient): Promise<unknown> {
    return client.query('SELECT pg_notify($1, $2)', [
      QUEUED_CHANNEL,
      queuedPayload(this.schema, this.instance),
    ]);
  }

  async startTestDelivery(
    event: NewEvent,
    webhookId: string,
    lease: { owner: string; until: number },
    now: number,
  ): Promise<ClaimedDelivery> {
    const leaseId = this.nextLease(lease.owner);
    const { rows } = await this.query<{ id: number; url: string; secret: string | null; attempt: number }>(
      `WITH stored AS (
         INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries)
         VALUES ($1, $2, $3, $4, $5, 1) RETURNING seq
       ), leased AS (
         INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at, lease)
         SELECT $1, $6, seq, 1, 'test', 'pending', $7, $8, $9 FROM stored
         RETURNING id, webhook_id, attempt
       )
       SELECT l.id, l.attempt, w.url, w.secret FROM leased l JOIN webhooks w ON w.id = l.webhook_id`,
      [
        event.tenantId,
        event.id,
        event.event,
        event.payload,
        event.timestamp,
        webhookId,
        now,
        lease.until,
        leaseId,
      ],
    );
    const row = rows[0];
    if (!row) throw new Error(`test delivery for webhook ${webhookId} vanished after insert`);
    return {
      id: toPublicId(DELIVERY_PREFIX, row.id),
      lease: leaseId,
      tenantId: event.tenantId,
      webhookId,
      url: row.url,
      secret: row.secret,
      eventId: event.id,
      event: event.event,
      attempt: row.attempt,
      trigger: 'test',
      payload: event.payload,
    };
  }

  async resendDelivery(tenantId: string, deliveryId: string, now: number): Promise<Delivery | null> {
    const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
    if (key === null) return null;
    const resent = await this.transaction(async (client) => {
      const { rows } = await client.query<DeliveryRow>(
        `WITH resent AS (
           INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
           SELECT tenant_id, webhook_id, event_seq, 1, 'resend', 'pending', $3, $3
           FROM deliveries WHERE id = $1 AND tenant_id = $2
           RETURNING *
         )
         SELECT ${DELIVERY_COLUMNS} FROM resent d JOIN events e ON e.seq = d.event_seq`,
        [key, tenantId, now],
      );
      if (rows[0]) await this.notifyQueued(client);
      return rows[0];
    });
    if (!resent) return null;
    this.announceQueued();
    return toDelivery(resent);
  }

  /** The webhook the last claim served last: the next claim starts after it. */
  private claimCursor = '';

  private nextLease(owner: string): string {
    this.leaseCounter += 1;
    return `${owner}:${this.instance}:${this.leaseCounter}`;
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
    const { rows } = await this.query<ClaimRow>(CLAIM, [
      claim.now,
      claim.skipWebhookIds,
      claim.limit,
      lease,
      claim.leaseUntil,
      claim.perWebhookLimit,
      this.claimCursor,
    ]);
    // The next claim starts after the last webhook served, so every webhook gets its turn.
    const served = rows.map((row) => row.webhook_id);
    const later = served.filter((id) => id > this.claimCursor);
    const pool = later.length > 0 ? later : served;
    const last = pool.sort().at(-1);
    if (last !== undefined) this.claimCursor = last;
    return rows.map((row) => toClaimed(row, lease));
  }

  async completeDeliveries(outcomes: readonly AttemptOutcome[], now: number): Promise<number> {
    // One outcome per delivery (the first, as applying them in turn would), in key order so that two
    // overlapping batches lock their rows in the same order.
    const byKey = new Map<number, AttemptOutcome>();
    for (const outcome of outcomes) {
      const key = fromPublicId(DELIVERY_PREFIX, outcome.deliveryId);
      if (key !== null && !byKey.has(key)) byKey.set(key, outcome);
    }
    if (byKey.size === 0) return 0;
    const keys = [...byKey.keys()].sort((a, b) => a - b);
    const rows = keys.map((key) => byKey.get(key) as AttemptOutcome);
    const { rows: result } = await this.query<{ applied: number }>(COMPLETE, [
      keys,
      rows.map((o) => o.lease),
      rows.map((o) => (o.verdict === 'succeeded' ? 'succeeded' : 'failed')),
      rows.map((o) => o.statusCode),
      rows.map((o) => Math.round(o.responseTimeMs)),
      rows.map((o) => storableText(o.responseBody)),
      rows.map((o) => storableText(o.error)),
      rows.map((o) => o.attemptedAt),
      rows.map((o) => (o.verdict === 'retry' ? o.nextAttemptAt : null)),
      rows.map((o) => o.verdict),
      now,
    ]);
    return result[0]?.applied ?? 0;
  }

  async releaseDeliveries(
    leases: readonly { deliveryId: string; lease: string }[],
    now: number,
  ): Promise<void> {
    const keys: number[] = [];
    const leaseIds: string[] = [];
    for (const { deliveryId, lease } of leases) {
      const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
      if (key === null) continue;
      keys.push(key);
      leaseIds.push(lease);
    }
    if (keys.length === 0) return;
    await this.query(
      `UPDATE deliveries d SET lease = NULL, next_attempt_at = $1
       FROM unnest($2::bigint[], $3::text[]) AS r (id, lease)
       WHERE d.id = r.id AND d.lease = r.lease AND d.status = 'pending'`,
      [now, keys, leaseIds],
    );
  }

  async nextDueAt(): Promise<number | null> {
    const { rows } = await this.query<{ due_at: number | null }>(NEXT_DUE_SQL);
    return rows[0]?.due_at ?? null;
  }

  async listDeliveries(
    tenantId: string,
    webhookId: string,
    page: { limit: number; before?: string; status?: AttemptStatus },
  ): Promise<Delivery[]> {
    const before =
      page.before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(DELIVERY_PREFIX, page.before);
    if (before === null) return [];
    const { rows } = await this.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq
       WHERE d.webhook_id = $1 AND d.tenant_id = $2 AND d.id < $3 AND ($4::text IS NULL OR d.status = $4)
       ORDER BY d.id DESC LIMIT $5`,
      [webhookId, tenantId, before, page.status ?? null, page.limit],
    );
    return rows.map(toDelivery);
  }

  async getDelivery(tenantId: string, id: string): Promise<DeliveryDetail | null> {
    const key = fromPublicId(DELIVERY_PREFIX, id);
    if (key === null) return null;
    const { rows } = await this.query<DeliveryRow & { payload: Buffer; event_timestamp: number }>(
      `SELECT ${DELIVERY_COLUMNS}, e.payload, e.timestamp AS event_timestamp
       FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = $1 AND d.tenant_id = $2`,
      [key, tenantId],
    );
    const row = rows[0];
    return row ? { ...toDelivery(row), payload: row.payload, eventTimestamp: row.event_timestamp } : null;
  }

  async listDeadLetters(
    tenantId: string,
    page: { limit: number; before?: string; webhookId?: string; includePayload?: boolean },
  ): Promise<DeadLetter[]> {
    const before =
      page.before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(DEAD_LETTER_PREFIX, page.before);
    if (before === null) return [];
    const { rows } = await this.query<DeadLetterRow>(
      `SELECT ${DEAD_LETTER_COLUMNS}${page.includePayload ? ', e.payload' : ''}
       FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
       WHERE l.tenant_id = $1 AND l.id < $2 AND ($3::text IS NULL OR l.webhook_id = $3)
       ORDER BY l.id DESC LIMIT $4`,
      [tenantId, before, page.webhookId ?? null, page.limit],
    );
    return rows.map(toDeadLetter);
  }

  async getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
    const key = fromPublicId(DEAD_LETTER_PREFIX, id);
    if (key === null) return null;
    const { rows } = await this.query<DeadLetterRow>(
      `SELECT ${DEAD_LETTER_COLUMNS}, e.payload
       FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
       WHERE l.id = $1 AND l.tenant_id = $2`,
      [key, tenantId],
    );
    return rows[0] ? toDeadLetter(rows[0]) : null;
  }

  async replayDeadLetters(
    tenantId: string,
    selection: { ids?: readonly string[]; webhookId?: string },
    now: number,
  ): Promise<string[]> {
    const keys = selection.ids
      ?.map((id) => fromPublicId(DEAD_LETTER_PREFIX, id))
      .filter((key) => key !== null);
    // Deleting the letters and queueing their deliveries in one statement: two concurrent replays of
    // the same letter cannot both queue it, because only one of them deletes it.
    const replayed = await this.transaction(async (client) => {
      const { rows } = await client.query<{ id: number }>(
        `WITH removed AS (
           DELETE FROM dead_letters l USING webhooks w
           WHERE w.id = l.webhook_id AND l.tenant_id = $1 AND w.status = 'active'
             AND ($2::text IS NULL OR l.webhook_id = $2) AND ($3::bigint[] IS NULL OR l.id = ANY ($3))
           RETURNING l.id, l.webhook_id, l.event_seq
         )
         INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
         SELECT $1, webhook_id, event_seq, 1, 'replay', 'pending', $4, $4 FROM removed ORDER BY id
         RETURNING id`,
        [tenantId, selection.webhookId ?? null, keys ?? null, now],
      );
      if (rows.length > 0) await this.notifyQueued(client);
      return rows.map((row) => row.id).sort((a, b) => a - b);
    });
    if (replayed.length > 0) this.announceQueued();
    return replayed.map((key) => toPublicId(DELIVERY_PREFIX, key));
  }
}
