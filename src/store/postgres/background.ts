import { FANOUT_CHUNK, PURGE_CHUNK } from '../bounded-work.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { BackgroundWork } from '../store.js';
import { holdsAnyRow } from './background-queues.js';
import type { PostgresConnection } from './connection.js';
import { openFifoHeads } from './fifo.js';
import { notifyQueued, type QueuedWorkListener } from './notifications.js';

interface FanoutRow {
  event_seq: number;
  tenant_id: string;
  event: string;
  published_at: number;
  after_webhook_id: string;
}

/**
 * Big fan-outs and deleted webhooks' rows, one short transaction at a time; workers in several
 * processes take different chunks (SKIP LOCKED on the row that says what is left).
 */
export function postgresBackgroundWork(
  connection: PostgresConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  remote: QueuedWorkListener,
): Omit<BackgroundWork, 'purgeDeletedTenants' | 'pruneIdempotencyKeys'> {
  return {
    onBackgroundWorkQueued(listener: () => void): () => void {
      remote.start();
      return queued.add(listener, 'background');
    },

    async expandFanouts(now: number): Promise<number | null> {
      if (!(await holdsAnyRow(connection, 'fanouts'))) return null;
      const tenants = new Set<string>();
      const created = await connection.transaction(async (client) => {
        const { rows: fanouts } = await client.query<FanoutRow>(
          'SELECT * FROM fanouts ORDER BY event_seq LIMIT $1 FOR UPDATE SKIP LOCKED',
          [FANOUT_CHUNK],
        );
        if (fanouts.length === 0) return null;
        // The step's budget spans events (see the SQLite twin): small deferred fan-outs go a chunk per transaction.
        let budget = FANOUT_CHUNK;
        const finished: number[] = [];
        const ordered: string[] = [];
        let count = 0;
        for (const fanout of fanouts) {
          if (budget <= 0) break;
          tenants.add(fanout.tenant_id);
          // The subscribed webhooks active now that existed when the event was published, in id order.
          const { rows: inserted } = await client.query<{ webhook_id: string; blocked: boolean }>(
            `WITH chunk AS (
               SELECT id, ordering FROM webhooks
               WHERE tenant_id = $1 AND status = 'active' AND created_at <= $2 AND id > $3
                 AND (cardinality(events) = 0 OR $4 = ANY (events))
               ORDER BY id LIMIT $5
             )
             INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
             SELECT $1, id, $6, 1, 'event', 'pending', $7::bigint, CASE WHEN ordering = 'fifo' THEN NULL ELSE $7::bigint END
             FROM chunk ORDER BY id
             RETURNING webhook_id, next_attempt_at IS NULL AS blocked`,
            [
              fanout.tenant_id,
              fanout.published_at,
              fanout.after_webhook_id,
              fanout.event,
              budget,
              fanout.event_seq,
              now,
            ],
          );
          count += inserted.length;
          ordered.push(...inserted.filter((row) => row.blocked).map((row) => row.webhook_id));
          const last = inserted
            .map((row) => row.webhook_id)
            .sort()
            .at(-1);
          if (inserted.length === budget && last !== undefined) {
            await client.query('UPDATE fanouts SET after_webhook_id = $1 WHERE event_seq = $2', [
              last,
              fanout.event_seq,
            ]);
            break;
          }
          finished.push(fanout.event_seq);
          // An event with no webhook left still cost a statement.
          budget -= Math.max(1, inserted.length);
        }
        if (finished.length > 0) {
          await client.query('DELETE FROM fanouts WHERE event_seq = ANY ($1::bigint[])', [finished]);
        }
        await openFifoHeads(client, ordered, now);
        if (count > 0)
          await notifyQueued(client, connection.schema, leases.instance, 'deliveries', [...tenants]);
        return count;
      });
      if (created) queued.announce('deliveries', [...tenants]);
      return created;
    },

    async purgeDeletedWebhooks(): Promise<number | null> {
      if (!(await holdsAnyRow(connection, 'webhook_purges'))) return null;
      return connection.transaction(async (client) => {
        const { rows } = await client.query<{ webhook_id: string }>(
          'SELECT webhook_id FROM webhook_purges LIMIT 1 FOR UPDATE SKIP LOCKED',
        );
        const purge = rows[0]?.webhook_id;
        if (purge === undefined) return null;
        const deliveries = await client.query(
          'DELETE FROM deliveries WHERE id IN (SELECT id FROM deliveries WHERE webhook_id = $1 LIMIT $2)',
          [purge, PURGE_CHUNK],
        );
        const letters = await client.query(
          'DELETE FROM dead_letters WHERE id IN (SELECT id FROM dead_letters WHERE webhook_id = $1 LIMIT $2)',
          [purge, PURGE_CHUNK],
        );
        const removed = (deliveries.rowCount ?? 0) + (letters.rowCount ?? 0);
        if ((deliveries.rowCount ?? 0) < PURGE_CHUNK && (letters.rowCount ?? 0) < PURGE_CHUNK) {
          await client.query('DELETE FROM webhook_stats WHERE webhook_id = $1', [purge]);
          await client.query('DELETE FROM webhook_purges WHERE webhook_id = $1', [purge]);
        }
        return removed;
      });
    },
  };
}
