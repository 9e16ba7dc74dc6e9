import type { ReadRows } from './history.js';
import type { QueueStats } from './store.js';

/**
 * One statement on both backends (named parameters, see history.ts). The pending rows are the
 * queue, a small part of the deliveries table; a leased row's next_attempt_at is its lease's
 * expiry, so a lease that ran out counts as due, as claims see it. Test deliveries are never
 * queued and are left out.
 */
const QUEUE_STATS = `
  SELECT
    coalesce(sum(CASE WHEN d.next_attempt_at <= :now AND w.status = 'active' THEN 1 ELSE 0 END), 0) AS due,
    coalesce(sum(CASE WHEN d.lease IS NOT NULL AND d.next_attempt_at > :now THEN 1 ELSE 0 END), 0) AS in_flight,
    coalesce(sum(CASE WHEN d.lease IS NULL AND d.attempt > 1 AND d.next_attempt_at > :now THEN 1 ELSE 0 END), 0)
      AS retry_scheduled,
    min(CASE WHEN d.next_attempt_at <= :now AND w.status = 'active' THEN d.next_attempt_at END) AS oldest_due_at,
    (SELECT count(*) FROM dead_letters) AS dead_letters,
    (SELECT count(*) FROM webhooks WHERE status = 'disabled') AS disabled_webhooks,
    (SELECT count(*) FROM webhooks WHERE status = 'active' AND failing_since IS NOT NULL) AS failing_webhooks
  FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
  WHERE d.status = 'pending' AND d.trigger <> 'test'`;

interface QueueStatsRow {
  due: number;
  in_flight: number;
  retry_scheduled: number;
  oldest_due_at: number | null;
  dead_letters: number;
  disabled_webhooks: number;
  failing_webhooks: number;
}

export async function readQueueStats(read: ReadRows, now: number): Promise<QueueStats> {
  // PostgreSQL's counts and sums are bigints, which its connection hands out as numbers.
  const [row] = await read<QueueStatsRow>(QUEUE_STATS, { now });
  if (!row) throw new Error('the queue statistics query returned no row');
  return {
    due: row.due,
    inFlight: row.in_flight,
    retryScheduled: row.retry_scheduled,
    oldestDueAt: row.oldest_due_at,
    deadLetters: row.dead_letters,
    disabledWebhooks: row.disabled_webhooks,
    failingWebhooks: row.failing_webhooks,
  };
}
