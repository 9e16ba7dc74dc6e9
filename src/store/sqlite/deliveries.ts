import type { SecretBox } from '../../core/secret-box.js';
import type { ClaimedDelivery, DeliveryTrigger } from '../../core/types.js';
import { ABANDONED_TEST_ERROR } from '../abandoned-tests.js';
import { type ClaimRow, toClaimed } from '../rows.js';
import type { SqliteConnection } from './connection.js';

/**
 * A new pending attempt: queued at `dueAt`, or already leased when `lease` is set (then `dueAt` is
 * its expiry), or blocked behind an ordered webhook's open delivery when `dueAt` is null (fifo.ts).
 */
export interface PendingAttempt {
  tenantId: string;
  webhookId: string;
  eventSeq: number;
  attempt: number;
  trigger: DeliveryTrigger;
  dueAt: number | null;
  lease: string | null;
  createdAt: number;
}

/** Inserts one pending attempt and returns its row key. */
export function insertPendingAttempt(connection: SqliteConnection, row: PendingAttempt): number {
  const result = connection
    .sql(
      `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at, lease)
       VALUES (?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
    )
    .run(
      row.tenantId,
      row.webhookId,
      row.eventSeq,
      row.attempt,
      row.trigger,
      row.createdAt,
      row.dueAt,
      row.lease,
    );
  return Number(result.lastInsertRowid);
}

/** The leased rows `ids` with what sending needs: URL and secret of the webhook, the event's bytes. */
export function claimedRows(
  connection: SqliteConnection,
  ids: readonly number[],
  lease: string,
  secrets: SecretBox,
  now: number,
): ClaimedDelivery[] {
  const rows = connection
    .sql(
      `SELECT d.id, d.tenant_id, d.webhook_id, d.attempt, d.trigger, w.url, w.secret, w.previous_secret,
         w.previous_secret_until, w.ordering, w.rate_limit, e.id AS event_id, e.event, e.payload
       FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq
       WHERE d.id IN (SELECT value FROM json_each(?)) ORDER BY d.next_attempt_at, d.id`,
    )
    .all(JSON.stringify(ids)) as ClaimRow[];
  return rows.map((row) => toClaimed(row, lease, secrets, now));
}

/** Test deliveries whose lease ran out with no outcome (their process went away): failed, never sent again. */
export function endAbandonedTests(connection: SqliteConnection, now: number): number {
  return connection
    .sql(
      `UPDATE deliveries SET status = 'failed', error = ?, attempted_at = next_attempt_at, next_attempt_at = NULL,
         lease = NULL
       WHERE id IN (
         SELECT id FROM deliveries INDEXED BY deliveries_pending_tests
         WHERE status = 'pending' AND trigger = 'test' AND next_attempt_at < ?
       )`,
    )
    .run(ABANDONED_TEST_ERROR, now).changes;
}
