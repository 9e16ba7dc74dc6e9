import { DELIVERY_PREFIX, fromPublicId, toPublicId } from '../../core/public-ids.js';
import type { SecretBox } from '../../core/secret-box.js';
import type {
  ClaimedDelivery,
  Delivery,
  NewEvent,
  PublishedEvent,
  WebhookOrdering,
} from '../../core/types.js';
import { deadLetterMatches, deadLetterParams, SQLITE_KEY_LIST } from '../dead-letter-filter.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import { DELIVERY_COLUMNS, type DeliveryRow, toDelivery } from '../rows.js';
import type { DeadLetterFilter, Publisher } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { claimedRows, insertPendingAttempt } from './deliveries.js';
import { openFifoHead } from './fifo.js';

/** A delivery to queue again (resend, replay), with its webhook's ordering. */
interface QueuedAgain {
  webhook_id: string;
  event_seq: number;
  ordering: WebhookOrdering;
}

import type { SqlitePublishBatcher } from './publish-batch.js';

/** Publishes (through the batcher), tests, resends and replays; each answers once its write is synced. */
export function sqlitePublisher(
  connection: SqliteConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  batcher: SqlitePublishBatcher,
  secrets: SecretBox,
): Publisher {
  const sql = (text: string) => connection.sql(text);

  function deliveryById(id: number): Delivery | null {
    const row = sql(
      `SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = ?`,
    ).get(id) as DeliveryRow | undefined;
    return row ? toDelivery(row) : null;
  }

  /** Queues attempt 1 of a new delivery of an event already stored: blocked if its webhook is ordered. */
  function queueAgain(
    delivery: QueuedAgain,
    trigger: 'resend' | 'replay',
    tenantId: string,
    now: number,
  ): number {
    const ordered = delivery.ordering === 'fifo';
    const id = insertPendingAttempt(connection, {
      tenantId,
      webhookId: delivery.webhook_id,
      eventSeq: delivery.event_seq,
      attempt: 1,
      trigger,
      dueAt: ordered ? null : now,
      lease: null,
      createdAt: now,
    });
    if (ordered) openFifoHead(connection, delivery.webhook_id, now);
    return id;
  }

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
      const id = connection.transaction(() => {
        const inserted = sql(
          'INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries) VALUES (?, ?, ?, ?, ?, 1)',
        ).run(event.tenantId, event.id, event.event, event.payload, event.timestamp);
        return insertPendingAttempt(connection, {
          tenantId: event.tenantId,
          webhookId,
          eventSeq: Number(inserted.lastInsertRowid),
          attempt: 1,
          trigger: 'test',
          dueAt: lease.until,
          lease: leaseId,
          createdAt: now,
        });
      });
      const [claimed] = claimedRows(connection, [id], leaseId, secrets, now);
      if (!claimed) throw new Error(`test delivery ${id} vanished after insert`);
      await connection.durable();
      return claimed;
    },

    async resendDelivery(tenantId: string, deliveryId: string, now: number): Promise<Delivery | null> {
      const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
      if (key === null) return null;
      const original = sql(
        `SELECT d.webhook_id, d.event_seq, w.ordering FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.id = ? AND d.tenant_id = ?`,
      ).get(key, tenantId) as QueuedAgain | undefined;
      if (!original) return null;
      const id = connection.transaction(() => queueAgain(original, 'resend', tenantId, now));
      queued.announce();
      await connection.durable();
      return deliveryById(id);
    },

    async replayDeadLetters(
      tenantId: string,
      selection: DeadLetterFilter,
      now: number,
      limit: number,
    ): Promise<string[]> {
      const replayed = connection.transaction(() => {
        const letters = sql(
          `SELECT l.id, l.webhook_id, l.event_seq, w.ordering FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id
           WHERE ${deadLetterMatches(SQLITE_KEY_LIST)} AND w.status = 'active'
           ORDER BY l.id LIMIT @limit`,
        ).all({ ...deadLetterParams(tenantId, selection, SQLITE_KEY_LIST), limit }) as (QueuedAgain & {
          id: number;
        })[];
        const remove = sql('DELETE FROM dead_letters WHERE id = ?');
        return letters.map((letter) => {
          remove.run(letter.id);
          return toPublicId(DELIVERY_PREFIX, queueAgain(letter, 'replay', tenantId, now));
        });
      });
      if (replayed.length > 0) queued.announce();
      await connection.durable();
      return replayed;
    },
  };
}
