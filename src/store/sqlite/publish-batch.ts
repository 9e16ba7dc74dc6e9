import type { SecretBox } from '../../core/secret-box.js';
import type { NewEvent, PublishedEvent } from '../../core/types.js';
import { FLUSH_FANOUT_MAX, INLINE_FANOUT_MAX } from '../bounded-work.js';
import type { LeaseIds } from '../lease-ids.js';
import { type PendingPublish, PublishQueue, tenantsOf } from '../publish-queue.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import { openPreviousSecret, openSecret, subscribes } from '../rows.js';
import { deferFanout } from './background.js';
import type { SqliteConnection } from './connection.js';
import { insertPendingAttempt } from './deliveries.js';
import type { StoredWebhookRow } from './directory.js';
import { openFifoHead } from './fifo.js';
import { Handoff, type Subscriber, type TakerSlot } from './handoff.js';

/** What one flush of publishes reads once and gathers as it inserts. */
class FlushOfEvents {
  /** Each tenant's active webhooks, read at its first event. */
  readonly subscribers = new Map<string, Subscriber[]>();
  /** The ordered webhooks it queued for: each may need its next delivery opened. */
  readonly ordered = new Set<string>();
  /** Deliveries created in the flush itself; past FLUSH_FANOUT_MAX, events go to the background. */
  inlined = 0;
  /** Whether any event left its fan-out to the background. */
  deferred = false;

  constructor(readonly handoff: Handoff | null) {}
}

/**
 * Publishing on SQLite. Concurrent publishes are committed together: one transaction for every
 * request that arrived in the same turn of the event loop, answered once one WAL sync covers it.
 * Where the local worker has room (see TakerSlot), new deliveries are created already leased to it
 * and handed over after the commit, so it need not claim them back.
 */
export class SqlitePublishBatcher {
  private readonly waiting = new PublishQueue(() => this.flush());

  constructor(
    private readonly connection: SqliteConnection,
    private readonly leases: LeaseIds,
    private readonly queued: QueuedWorkListeners,
    private readonly slot: TakerSlot,
    private readonly idempotencyWindowMs: number,
    private readonly secrets: SecretBox,
  ) {}

  publish(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
    return this.waiting.add(events, now);
  }

  /** Commits every publish queued since the last flush in one transaction; answers them once it is synced. */
  flush(): void {
    const batch = this.waiting.take();
    if (batch.length === 0) return;
    const taker = this.slot.taker;
    const now = (batch[batch.length - 1] as PendingPublish).now;
    const handoff = taker ? new Handoff(taker, this.leases.next(taker.owner), now) : null;
    let queued = false;
    let results: PublishedEvent[][];
    const flush = new FlushOfEvents(handoff);
    try {
      results = this.connection.transaction(() => {
        const published = batch.map((publish) =>
          publish.events.map((event) => {
            const inserted = this.insertEvent(event, publish.now, flush);
            queued ||= inserted.queued;
            return inserted.event;
          }),
        );
        this.openOrderedQueues(flush, now);
        return published;
      });
    } catch (error) {
      for (const publish of batch) publish.reject(error);
      return;
    }
    this.connection.durable().then(
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
    if (queued) this.queued.announce('deliveries', tenantsOf(batch.flatMap((publish) => publish.events)));
    if (flush.deferred) this.queued.announce('background');
  }

  /**
   * Inserts one event and its deliveries inside the caller's transaction, outside any batch: for
   * events Herald itself publishes alongside another change. Says what the caller announces once
   * it has committed: deliveries queued, background work left.
   */
  insertWithin(event: NewEvent, now: number): { queued: boolean; deferred: boolean } {
    const flush = new FlushOfEvents(null);
    const { queued } = this.insertEvent(event, now, flush);
    this.openOrderedQueues(flush, now);
    return { queued, deferred: flush.deferred };
  }

  /** Opens the next delivery of each ordered webhook the flush queued for, where none is open. */
  private openOrderedQueues(flush: FlushOfEvents, now: number): void {
    for (const webhookId of flush.ordered) openFifoHead(this.connection, webhookId, now);
  }

  /** The active webhooks of a tenant, read once per flush, with the secrets that sign at `now`. */
  private subscribersOf(tenantId: string, subscribers: Map<string, Subscriber[]>, now: number): Subscriber[] {
    let webhooks = subscribers.get(tenantId);
    if (!webhooks) {
      const rows = this.connection
        .sql(
          `SELECT id, url, secret, previous_secret, previous_secret_until, ordering, rate_limit, events
           FROM webhooks WHERE tenant_id = ? AND status = 'active'`,
        )
        .all(tenantId) as (Pick<
        StoredWebhookRow,
        'id' | 'url' | 'secret' | 'previous_secret_until' | 'ordering' | 'rate_limit' | 'events'
      > & { previous_secret: string | null })[];
      webhooks = rows.map((row) => ({
        id: row.id,
        url: row.url,
        secret: openSecret(this.secrets, row.secret),
        previousSecret: openPreviousSecret(this.secrets, row, now),
        ordering: row.ordering,
        rateLimit: row.rate_limit,
        events: JSON.parse(row.events) as string[],
      }));
      subscribers.set(tenantId, webhooks);
    }
    return webhooks;
  }

  /**
   * Records the event's id with its body hash and result, unless the id is remembered from within
   * the idempotency window: then that first publish's result, as a duplicate. A record older than
   * the window is replaced: the id starts a new event.
   */
  private rememberId(event: NewEvent, deliveries: number, now: number): PublishedEvent | null {
    const claimed = this.connection
      .sql(
        `INSERT INTO idempotency_keys (tenant_id, id, body_hash, event, timestamp, deliveries, created_at)
         VALUES (@tenantId, @id, @bodyHash, @event, @timestamp, @deliveries, @now)
         ON CONFLICT (tenant_id, id) DO UPDATE SET body_hash = excluded.body_hash, event = excluded.event,
           timestamp = excluded.timestamp, deliveries = excluded.deliveries, created_at = excluded.created_at
         WHERE idempotency_keys.created_at <= @forgetBy`,
      )
      .run({ ...event, deliveries, now, forgetBy: now - this.idempotencyWindowMs });
    if (claimed.changes > 0) return null;
    const first = this.connection
      .sql(
        `SELECT id, event, timestamp, deliveries, body_hash AS storedBodyHash FROM idempotency_keys
         WHERE tenant_id = ? AND id = ?`,
      )
      .get(event.tenantId, event.id) as Omit<PublishedEvent, 'duplicate'>;
    return { ...first, duplicate: true };
  }

  /**
   * Inserts the event and a delivery to each subscribed webhook: leased to the local worker where
   * the handoff has room, blocked behind an ordered webhook's open delivery, else queued for claims
   * (`queued`).
   */
  private insertEvent(
    event: NewEvent,
    now: number,
    flush: FlushOfEvents,
  ): { event: PublishedEvent; queued: boolean } {
    const { handoff } = flush;
    const targets = this.subscribersOf(event.tenantId, flush.subscribers, now).filter((webhook) =>
      subscribes(webhook.events, event.event),
    );
    if (event.bodyHash !== undefined) {
      const first = this.rememberId(event, targets.length, now);
      if (first) return { event: first, queued: false };
    }
    const inserted = this.connection
      .sql(
        'INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(event.tenantId, event.id, event.event, event.payload, event.timestamp, targets.length);
    const eventSeq = Number(inserted.lastInsertRowid);
    const published = {
      id: event.id,
      event: event.event,
      timestamp: event.timestamp,
      deliveries: targets.length,
      duplicate: false,
    };
    if (targets.length > INLINE_FANOUT_MAX || flush.inlined + targets.length > FLUSH_FANOUT_MAX) {
      deferFanout(this.connection, {
        eventSeq,
        tenantId: event.tenantId,
        event: event.event,
        publishedAt: now,
      });
      flush.deferred = true;
      return { event: published, queued: false };
    }
    flush.inlined += targets.length;
    let queued = false;
    for (const webhook of targets) {
      const ordered = webhook.ordering === 'fifo';
      const takenBy = !ordered && handoff?.takesOne(event.tenantId, webhook.id) ? handoff : null;
      const id = insertPendingAttempt(this.connection, {
        tenantId: event.tenantId,
        webhookId: webhook.id,
        eventSeq,
        attempt: 1,
        trigger: 'event',
        dueAt: ordered ? null : takenBy ? takenBy.leaseUntil : now,
        lease: takenBy ? takenBy.lease : null,
        createdAt: now,
      });
      if (ordered) flush.ordered.add(webhook.id);
      if (takenBy) takenBy.add(id, event, webhook);
      else queued = true;
    }
    return { event: published, queued };
  }
}
