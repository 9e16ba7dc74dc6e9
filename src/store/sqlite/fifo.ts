import type { SqliteConnection } from './connection.js';

/*
 * An ordered webhook (ordering 'fifo') has one delivery open at a time: the others are stored
 * blocked (next_attempt_at NULL), which no claim takes, and the next, in the order they were
 * queued, is opened once no delivery of the webhook is open any more (the open one succeeded, was
 * dead-lettered, or was a test that ended). A retry of the open one is open itself, so it keeps the
 * webhook's turn. SQLite has one writer, so checking and opening in one statement cannot race.
 */

/** Opens the webhook's first blocked delivery, due at `now`, unless one of its deliveries is open. */
export function openFifoHead(connection: SqliteConnection, webhookId: string, now: number): boolean {
  const opened = connection
    .sql(
      `UPDATE deliveries SET next_attempt_at = :now
       WHERE id = (
         SELECT id FROM deliveries INDEXED BY deliveries_blocked
         WHERE webhook_id = :webhookId AND status = 'pending' AND next_attempt_at IS NULL
         ORDER BY id LIMIT 1
       )
       AND NOT EXISTS (
         SELECT 1 FROM deliveries
         WHERE webhook_id = :webhookId AND status = 'pending' AND next_attempt_at IS NOT NULL
       )`,
    )
    .run({ now, webhookId });
  return opened.changes > 0;
}

/** Unblocked at once per sweep, when a webhook stopped being ordered. */
const UNBLOCK_BATCH = 1_000;

/**
 * Repairs what no write path left open: every blocked delivery of a webhook no longer ordered is
 * opened (in batches), and each ordered webhook with blocked deliveries and none open gets its next
 * one. Returns how many deliveries it opened.
 */
export function unblockDeliveries(connection: SqliteConnection, now: number): number {
  return connection.transaction(() => {
    let opened = connection
      .sql(
        `UPDATE deliveries SET next_attempt_at = ? WHERE id IN (
           SELECT d.id FROM deliveries d INDEXED BY deliveries_blocked JOIN webhooks w ON w.id = d.webhook_id
           WHERE d.status = 'pending' AND d.next_attempt_at IS NULL AND w.ordering <> 'fifo'
           LIMIT ?
         )`,
      )
      .run(now, UNBLOCK_BATCH).changes;
    const nextBlocked = connection
      .sql(
        `SELECT webhook_id FROM deliveries INDEXED BY deliveries_blocked
         WHERE status = 'pending' AND next_attempt_at IS NULL AND webhook_id > ?
         ORDER BY webhook_id LIMIT 1`,
      )
      .pluck();
    for (let webhookId = nextBlocked.get('') as string | undefined; webhookId !== undefined; ) {
      if (openFifoHead(connection, webhookId, now)) opened += 1;
      webhookId = nextBlocked.get(webhookId) as string | undefined;
    }
    return opened;
  });
}
