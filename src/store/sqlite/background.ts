import { FANOUT_CHUNK, PURGE_CHUNK } from '../bounded-work.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import { subscribes } from '../rows.js';
import type { BackgroundWork } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { insertPendingAttempt } from './deliveries.js';
import type { StoredWebhookRow } from './directory.js';
import { openFifoHead } from './fifo.js';

/** An event whose deliveries are created in the background, webhook by webhook after `after`. */
interface FanoutRow {
  event_seq: number;
  tenant_id: string;
  event: string;
  published_at: number;
  after_webhook_id: string;
}

/** Leaves an event's deliveries to the background (see bounded-work.ts); inside the publish's transaction. */
export function deferFanout(
  connection: SqliteConnection,
  fanout: { eventSeq: number; tenantId: string; event: string; publishedAt: number },
): void {
  connection
    .sql('INSERT INTO fanouts (event_seq, tenant_id, event, published_at) VALUES (?, ?, ?, ?)')
    .run(fanout.eventSeq, fanout.tenantId, fanout.event, fanout.publishedAt);
}

/**
 * Big fan-outs and deleted webhooks' rows, one short transaction at a time; a step of fan-outs
 * stops at FANOUT_CHUNK webhooks or after `fanoutStepMs`, whichever comes first (see bounded-work.ts).
 */
export function sqliteBackgroundWork(
  connection: SqliteConnection,
  queued: QueuedWorkListeners,
  fanoutStepMs: number,
): Omit<BackgroundWork, 'purgeDeletedTenants' | 'pruneIdempotencyKeys'> {
  const sql = (text: string) => connection.sql(text);

  return {
    onBackgroundWorkQueued(listener: () => void): () => void {
      return queued.add(listener, 'background');
    },

    async expandFanouts(now: number): Promise<number | null> {
      const tenants = new Set<string>();
      const deadline = performance.now() + fanoutStepMs;
      const created = connection.transaction(() => {
        const fanouts = sql('SELECT * FROM fanouts ORDER BY event_seq LIMIT ?').all(
          FANOUT_CHUNK,
        ) as FanoutRow[];
        if (fanouts.length === 0) return null;
        // The step's budget of webhooks looked at spans events, so a stream of small deferred
        // fan-outs (a batch of events to one webhook) goes a chunk per transaction, not one by one.
        let budget = FANOUT_CHUNK;
        let count = 0;
        for (const fanout of fanouts) {
          if (budget <= 0 || (count > 0 && performance.now() >= deadline)) break;
          tenants.add(fanout.tenant_id);
          // The webhooks active now that existed when the event was published, in id order.
          const webhooks = sql(
            `SELECT id, ordering, events FROM webhooks
             WHERE tenant_id = ? AND status = 'active' AND created_at <= ? AND id > ?
             ORDER BY id LIMIT ?`,
          ).all(fanout.tenant_id, fanout.published_at, fanout.after_webhook_id, budget) as Pick<
            StoredWebhookRow,
            'id' | 'ordering' | 'events'
          >[];
          // Where the step stopped for time, short of the webhooks it read.
          let stoppedAfter: string | undefined;
          for (const [index, webhook] of webhooks.entries()) {
            if (index > 0 && performance.now() >= deadline) {
              stoppedAfter = webhooks[index - 1]?.id;
              break;
            }
            if (!subscribes(JSON.parse(webhook.events) as string[], fanout.event)) continue;
            const ordered = webhook.ordering === 'fifo';
            insertPendingAttempt(connection, {
              tenantId: fanout.tenant_id,
              webhookId: webhook.id,
              eventSeq: fanout.event_seq,
              attempt: 1,
              trigger: 'event',
              dueAt: ordered ? null : now,
              lease: null,
              createdAt: now,
            });
            if (ordered) openFifoHead(connection, webhook.id, now);
            count += 1;
          }
          const last = stoppedAfter ?? (webhooks.length === budget ? webhooks.at(-1)?.id : undefined);
          if (last !== undefined) {
            sql('UPDATE fanouts SET after_webhook_id = ? WHERE event_seq = ?').run(last, fanout.event_seq);
            break;
          }
          sql('DELETE FROM fanouts WHERE event_seq = ?').run(fanout.event_seq);
          // An event with no webhook left still cost a query.
          budget -= Math.max(1, webhooks.length);
        }
        return count;
      });
      if (created) queued.announce('deliveries', [...tenants]);
      return created;
    },

    async purgeDeletedWebhooks(): Promise<number | null> {
      return connection.transaction(() => {
        const purge = sql('SELECT webhook_id FROM webhook_purges LIMIT 1').pluck().get() as
          | string
          | undefined;
        if (purge === undefined) return null;
        const deliveries = sql(
          'DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = ? LIMIT ?)',
        ).run(purge, PURGE_CHUNK).changes;
        const letters = sql(
          'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE webhook_id = ? LIMIT ?)',
        ).run(purge, PURGE_CHUNK).changes;
        if (deliveries < PURGE_CHUNK && letters < PURGE_CHUNK) {
          sql('DELETE FROM webhook_stats WHERE webhook_id = ?').run(purge);
          sql('DELETE FROM webhook_purges WHERE webhook_id = ?').run(purge);
        }
        return deliveries + letters;
      });
    },
  };
}
