import type pg from 'pg';
import { DELIVERY_PREFIX, fromPublicId, toPublicId } from '../../core/public-ids.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { ClaimedDelivery, Delivery, NewEvent, PublishedEvent } from '../../core/types.js';
import { deadLetterMatches, deadLetterParams, POSTGRES_KEY_LIST } from '../dead-letter-filter.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import { type ClaimRow, DELIVERY_COLUMNS, type DeliveryRow, toClaimed, toDelivery } from '../rows.js';
import type { DeadLetterFilter, Publisher } from '../store.js';
import type { PostgresConnection } from './connection.js';
import { openFifoHeads } from './fifo.js';
import { toPositional } from './named-params.js';
import { notifyQueued } from './notifications.js';

async function dueAtOf(client: pg.ClientBase, id: number): Promise<number | null> {
  const { rows } = await client.query<{ next_attempt_at: number | null }>(
    'SELECT next_attempt_at FROM deliveries WHERE id = $1',
    [id],
  );
  return rows[0]?.next_attempt_at ?? null;
}

import type { PostgresPublishBatcher } from './publish-batch.js';

/** Publishes (through the batcher), tests, resends and replays; each resolves once committed. */
export function postgresPublisher(
  connection: PostgresConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  batcher: PostgresPublishBatcher,
  secrets: SecretBox,
): Publisher {
  const announceIn = (client: pg.PoolClient) => notifyQueued(client, connection.schema, leases.instance);

  return {
    publishEvents(events: NewEvent[], now: number): Promise<PublishedEvent[]> {
      return batcher.publish(events, now);
    },

    async startTestDelivery(
      event: NewEvent,
      webhookId: string,
      lease: { owner: string; until: number },
      now: number,
    ): Promise<ClaimedDelivery> {
      const leaseId = leases.next(lease.owner);
      const { rows } = await connection.query<Omit<ClaimRow, 'tenant_id' | 'event_id' | 'event' | 'payload'>>(
        `WITH stored AS (
           INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries)
           VALUES ($1, $2, $3, $4, $5, 1) RETURNING seq
         ), leased AS (
           INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at, lease)
           SELECT $1, $6, seq, 1, 'test', 'pending', $7, $8, $9 FROM stored
           RETURNING id, webhook_id, attempt, trigger
         )
         SELECT l.id, l.webhook_id, l.attempt, l.trigger, w.url, w.secret, w.previous_secret,
           w.previous_secret_until, w.ordering, w.rate_limit
         FROM leased l JOIN webhooks w ON w.id = l.webhook_id`,
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
      const stored = { ...row, tenant_id: event.tenantId, event_id: event.id, event: event.event };
      return toClaimed({ ...stored, payload: event.payload }, leaseId, secrets, now);
    },

    async resendDelivery(tenantId: string, deliveryId: string, now: number): Promise<Delivery | null> {
      const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
      if (key === null) return null;
      const resent = await connection.transaction(async (client) => {
        // Blocked behind an ordered webhook's open delivery, like every new one (fifo.ts).
        const { rows } = await client.query<DeliveryRow>(
          `WITH resent AS (
             INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
             SELECT d.tenant_id, d.webhook_id, d.event_seq, 1, 'resend', 'pending', $3,
               CASE WHEN w.ordering = 'fifo' THEN NULL ELSE $3::bigint END
             FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1 AND d.tenant_id = $2
             RETURNING *
           )
           SELECT ${DELIVERY_COLUMNS} FROM resent d JOIN events e ON e.seq = d.event_seq`,
          [key, tenantId, now],
        );
        const row = rows[0];
        if (!row) return undefined;
        if (row.next_attempt_at === null) await openFifoHeads(client, [row.webhook_id], now);
        await announceIn(client);
        // Read back: opening it may have made it due.
        return row.next_attempt_at === null
          ? { ...row, next_attempt_at: await dueAtOf(client, row.id) }
          : row;
      });
      if (!resent) return null;
      queued.announce();
      return toDelivery(resent);
    },

    async replayDeadLetters(
      tenantId: string,
      selection: DeadLetterFilter,
      now: number,
      limit: number,
    ): Promise<string[]> {
      // Deleting the letters and queueing their deliveries in one statement: two concurrent replays of
      // the same letter cannot both queue it, because only one of them deletes it. A letter another
      // replay holds is passed over: that replay queues it.
      const replay = toPositional(
        `WITH picked AS (
           SELECT l.id FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id
           WHERE ${deadLetterMatches(POSTGRES_KEY_LIST)} AND w.status = 'active'
           ORDER BY l.id LIMIT :limit FOR UPDATE OF l SKIP LOCKED
         ), removed AS (
           DELETE FROM dead_letters l USING webhooks w
           WHERE l.id IN (SELECT id FROM picked) AND w.id = l.webhook_id
           RETURNING l.id, l.webhook_id, l.event_seq, w.ordering
         )
         INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
         SELECT :tenantId, webhook_id, event_seq, 1, 'replay', 'pending', CAST(:now AS bigint),
           CASE WHEN ordering = 'fifo' THEN NULL ELSE CAST(:now AS bigint) END
         FROM removed ORDER BY id
         RETURNING id, webhook_id, next_attempt_at IS NULL AS blocked`,
        { ...deadLetterParams(tenantId, selection, POSTGRES_KEY_LIST), now, limit },
      );
      const replayed = await connection.transaction(async (client) => {
        const { rows } = await client.query<{ id: number; webhook_id: string; blocked: boolean }>(
          replay.text,
          replay.values,
        );
        const ordered = rows.filter((row) => row.blocked).map((row) => row.webhook_id);
        await openFifoHeads(client, ordered, now);
        if (rows.length > 0) await announceIn(client);
        return rows.map((row) => row.id).sort((a, b) => a - b);
      });
      if (replayed.length > 0) queued.announce();
      return replayed.map((key) => toPublicId(DELIVERY_PREFIX, key));
    },
  };
}
