import type pg from 'pg';
import type { PostgresConnection } from './connection.js';

/*
 * An ordered webhook (ordering 'fifo') has one delivery open at a time: the others are stored
 * blocked (next_attempt_at NULL), which no claim takes, and the next, in the order they were
 * queued, is opened once no delivery of the webhook is open any more. Many processes publish and
 * record outcomes at once, so the check and the opening run under a per-webhook advisory lock, in
 * a statement of their own that sees every commit made before the lock was granted.
 */

/** pg_advisory_xact_lock(namespace, hashtext(webhook id)): "FIFO". */
const FIFO_LOCK_NAMESPACE = 0x4649464f;

const OPEN_HEAD = `
  UPDATE deliveries SET next_attempt_at = $1
  WHERE id = (
    SELECT id FROM deliveries
    WHERE webhook_id = $2 AND status = 'pending' AND next_attempt_at IS NULL
    ORDER BY id LIMIT 1
  )
  AND NOT EXISTS (
    SELECT 1 FROM deliveries WHERE webhook_id = $2 AND status = 'pending' AND next_attempt_at IS NOT NULL
  )`;

/**
 * Opens, due at `now`, the first blocked delivery of each webhook that has none open. Must run in a
 * transaction (the locks are held until it ends). Returns how many it opened.
 */
export async function openFifoHeads(
  client: pg.ClientBase,
  webhookIds: readonly string[],
  now: number,
): Promise<number> {
  let opened = 0;
  // One lock order for every caller, so two callers cannot wait on each other.
  for (const webhookId of [...new Set(webhookIds)].sort()) {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [FIFO_LOCK_NAMESPACE, webhookId]);
    opened += (await client.query(OPEN_HEAD, [now, webhookId])).rowCount ?? 0;
  }
  return opened;
}

/** openFifoHeads in a transaction of its own. */
export function openFifoHeadsNow(
  connection: PostgresConnection,
  webhookIds: readonly string[],
  now: number,
): Promise<number> {
  if (webhookIds.length === 0) return Promise.resolve(0);
  return connection.transaction((client) => openFifoHeads(client, webhookIds, now));
}
