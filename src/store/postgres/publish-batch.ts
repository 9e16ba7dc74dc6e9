import type { NewEvent, PublishedEvent } from '../../core/types.js';
import { FLUSH_FANOUT_MAX, INLINE_FANOUT_MAX } from '../bounded-work.js';
import type { LeaseIds } from '../lease-ids.js';
import { type PendingPublish, PublishQueue, tenantsOf } from '../publish-queue.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { PostgresConnection } from './connection.js';
import { openFifoHeadsNow } from './fifo.js';
import { QUEUED_CHANNEL, queuedPayload } from './notifications.js';
import { PUBLISH } from './statements.js';

/**
 * A flush of concurrent publishes is one statement; past these sizes the rest waits for the next
 * flush, so one huge burst does not become one huge parameter array. A caller's events are never split.
 */
const FLUSH_LIMITS = { events: 2_000, bytes: 16 * 1024 * 1024 };

/**
 * Publish statements under way at once. Each statement costs the server a fixed amount whatever its
 * size, so publishes that arrive while these are committing wait to share the next one: under load
 * a flush carries most of the clients waiting, not the handful that arrived in one turn of the event
 * loop. Two rather than one, so that one statement is being sent and parsed while the other waits
 * for its commit to reach the disk.
 */
const FLUSHES_IN_FLIGHT = 2;

/**
 * Until a table has statistics the planner guesses a handful of pending rows, and completing a batch
 * then scans every pending row instead of looking each one up by key. Autovacuum analyzes within
 * about a minute; a fresh install under its first burst should not wait that long.
 */
const STATISTICS_BOOTSTRAP_DELIVERIES = 1_000;

/** What PUBLISH answers: one row per event stored; the ordered webhooks it queued for, on each. */
export interface PublishedRow {
  tenant_id: string;
  id: string;
  deliveries: number;
  ordered_webhooks: string[] | null;
  /** How many of the statement's events left their fan-out to the background. */
  deferred: number;
}

/** An id remembered from an earlier publish, with that publish's result. */
interface RememberedRow {
  tenant_id: string;
  id: string;
  event: string;
  timestamp: number;
  deliveries: number;
  body_hash: string | null;
}

function eventKey(tenantId: string, id: string): string {
  return `${tenantId}\u0000${id}`;
}

/** One event to store, and when it was accepted (its deliveries' creation and due time). */
export interface PublishInput {
  event: NewEvent;
  now: number;
}

/**
 * The PUBLISH statement's parameters for `inputs`, announced as this store instance's (`origin`)
 * and naming `tenants` (theirs, unless the caller has them already); ids are remembered for
 * `idempotencyWindowMs`.
 */
export function publishValues(
  inputs: readonly PublishInput[],
  schema: string,
  origin: string,
  idempotencyWindowMs: number,
  tenants: readonly string[] = tenantsOf(inputs.map((input) => input.event)),
): unknown[] {
  return [
    inputs.map((input) => input.event.tenantId),
    inputs.map((input) => input.event.id),
    inputs.map((input) => input.event.event),
    inputs.map((input) => input.event.payload),
    inputs.map((input) => input.event.timestamp),
    inputs.map((input) => input.now),
    QUEUED_CHANNEL,
    queuedPayload(schema, origin, 'deliveries', tenants),
    INLINE_FANOUT_MAX,
    FLUSH_FANOUT_MAX,
    queuedPayload(schema, origin, 'background'),
    inputs.map((input) => input.event.bodyHash ?? null),
    idempotencyWindowMs,
  ];
}

/**
 * Publishing on PostgreSQL with a group commit, as on SQLite: every request that arrived in the same
 * turn of the event loop shares one statement (PUBLISH: events, deliveries and NOTIFY) and one commit.
 */
export class PostgresPublishBatcher {
  private readonly waiting = new PublishQueue(() => this.startFlush());
  private readonly flushes = new Set<Promise<void>>();
  private queuedByThisStore = 0;
  private statisticsChecked = false;

  constructor(
    private readonly connection: PostgresConnection,
    private readonly leases: LeaseIds,
    private readonly queued: QueuedWorkListeners,
    private readonly idempotencyWindowMs: number,
  ) {}

  publish(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
    return this.waiting.add(events, now);
  }

  /** Commits (or fails) every publish accepted so far. */
  async drain(): Promise<void> {
    while (this.waiting.size > 0 || this.flushes.size > 0) {
      if (this.waiting.size > 0) this.startFlush();
      await Promise.all(this.flushes);
    }
  }

  /**
   * Takes the publishes queued so far (up to the flush limits) and commits them on one connection,
   * unless FLUSHES_IN_FLIGHT are already under way: then the first of them to end takes them.
   */
  private startFlush(): void {
    if (this.flushes.size >= FLUSHES_IN_FLIGHT) return;
    const batch = this.waiting.take(FLUSH_LIMITS);
    if (batch.length === 0) return;
    const flush = this.flush(batch).finally(() => {
      this.flushes.delete(flush);
      if (this.waiting.size > 0) this.startFlush();
    });
    this.flushes.add(flush);
    if (this.waiting.size > 0) setImmediate(() => this.startFlush());
  }

  private async flush(batch: PendingPublish[]): Promise<void> {
    let results: PublishedEvent[][];
    let queued: number;
    let deferred: boolean;
    let tenants: string[];
    try {
      ({ results, queued, deferred, tenants } = await this.insertEvents(batch));
    } catch (error) {
      for (const publish of batch) publish.reject(error);
      return;
    }
    for (const [index, publish] of batch.entries()) publish.resolve(results[index] ?? []);
    if (queued > 0) this.queued.announce('deliveries', tenants);
    if (deferred) this.queued.announce('background');
    this.queuedByThisStore += queued;
    if (!this.statisticsChecked && this.queuedByThisStore >= STATISTICS_BOOTSTRAP_DELIVERIES) {
      this.statisticsChecked = true;
      // Best effort, once per store: autovacuum gets there anyway, just later.
      this.analyzeIfNeverAnalyzed().catch(() => undefined);
    }
  }

  private async analyzeIfNeverAnalyzed(): Promise<void> {
    const { rows } = await this.connection.query<{ unanalyzed: number }>(
      `SELECT count(*) AS unanalyzed FROM pg_stat_user_tables
       WHERE schemaname = $1 AND relname IN ('deliveries', 'events')
         AND last_analyze IS NULL AND last_autoanalyze IS NULL`,
      [this.connection.schema],
    );
    if ((rows[0]?.unanalyzed ?? 0) > 0) await this.connection.query('ANALYZE deliveries, events');
  }

  /** Returns each caller's results and how many deliveries were queued. */
  private async insertEvents(
    batch: PendingPublish[],
  ): Promise<{ results: PublishedEvent[][]; queued: number; deferred: boolean; tenants: string[] }> {
    // The first occurrence of an id in the batch is the one stored; later ones are its duplicates.
    const unique = new Map<string, PublishInput>();
    for (const publish of batch) {
      for (const event of publish.events) {
        const key = eventKey(event.tenantId, event.id);
        if (!unique.has(key)) unique.set(key, { event, now: publish.now });
      }
    }
    const inputs = [...unique.values()];
    const tenants = tenantsOf(inputs.map((input) => input.event));
    const { rows } = await this.connection.query<PublishedRow>(
      PUBLISH,
      publishValues(inputs, this.connection.schema, this.leases.instance, this.idempotencyWindowMs, tenants),
    );
    await openFifoHeadsNow(this.connection, rows[0]?.ordered_webhooks ?? [], batch.at(-1)?.now ?? 0);
    const stored = new Map(rows.map((row) => [eventKey(row.tenant_id, row.id), row.deliveries]));
    const existing = await this.rememberedIds(
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
          if (!claimedFirst.has(key)) {
            claimedFirst.add(key);
            return { ...published, duplicate: false };
          }
          return { ...published, duplicate: true, storedBodyHash: first.bodyHash ?? null };
        }
        const earlier = existing.get(key);
        if (!earlier) throw new Error(`event ${event.id} conflicted but cannot be found`);
        return {
          id: earlier.id,
          event: earlier.event,
          timestamp: earlier.timestamp,
          deliveries: earlier.deliveries,
          duplicate: true,
          storedBodyHash: earlier.body_hash,
        };
      }),
    );
    return {
      results,
      queued: rows.reduce((sum, row) => sum + row.deliveries, 0),
      deferred: (rows[0]?.deferred ?? 0) > 0,
      tenants,
    };
  }

  /**
   * The first results of ids that were already remembered. Read after the insert committed: a
   * conflict may have been with a transaction that committed after the insert's snapshot was taken.
   */
  private async rememberedIds(inputs: { event: NewEvent }[]): Promise<Map<string, RememberedRow>> {
    if (inputs.length === 0) return new Map();
    const { rows } = await this.connection.query<RememberedRow>(
      `SELECT k.tenant_id, k.id, k.event, k.timestamp, k.deliveries, k.body_hash
       FROM idempotency_keys k JOIN unnest($1::text[], $2::text[]) AS i (tenant_id, id)
         ON k.tenant_id = i.tenant_id AND k.id = i.id`,
      [inputs.map((input) => input.event.tenantId), inputs.map((input) => input.event.id)],
    );
    return new Map(rows.map((row) => [eventKey(row.tenant_id, row.id), row]));
  }
}
