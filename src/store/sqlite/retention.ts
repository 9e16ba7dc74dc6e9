import { RETENTION_CHUNK } from '../bounded-work.js';
import { deadLetterMatches, deadLetterParams, SQLITE_KEY_LIST } from '../dead-letter-filter.js';
import {
  oldHoursOfAttempts,
  prunableEvents,
  pruneHoursOfAttemptsSql,
  pruneProgress,
  SCAN_EVENTS,
  type ScannedEvent,
} from '../retention.js';
import type { DeadLetterFilter, PruneProgress, Retention } from '../store.js';
import type { SqliteConnection } from './connection.js';

/** Old history pruned a chunk per transaction (see store/retention.ts for what goes); dead letters discarded. */
export function sqliteRetention(connection: SqliteConnection): Retention {
  const sql = (text: string) => connection.sql(text);

  return {
    async pruneHistory(cutoff: number, after: number): Promise<PruneProgress | null> {
      return connection.transaction(() => {
        const scanned = sql(SCAN_EVENTS).all({ cutoff, after, limit: RETENTION_CHUNK }) as ScannedEvent[];
        const chunk = prunableEvents(scanned);
        if (chunk === null) {
          const hours = sql(pruneHoursOfAttemptsSql()).run(
            oldHoursOfAttempts(cutoff, RETENTION_CHUNK),
          ).changes;
          return hours > 0 ? { after, removed: hours } : null;
        }
        const seqs = JSON.stringify(chunk.prunable);
        // Only finished attempts, whatever was read above: a pending one is never history.
        const deliveries = sql(
          `DELETE FROM deliveries WHERE id IN (
             SELECT id FROM deliveries WHERE event_seq IN (SELECT value FROM json_each(?)) AND status <> 'pending'
             LIMIT ?)`,
        ).run(seqs, RETENTION_CHUNK).changes;
        const gone = sql(
          `DELETE FROM events WHERE seq IN (SELECT value FROM json_each(?))
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = events.seq)
           RETURNING seq`,
        )
          .pluck()
          .all(seqs) as number[];
        const deleted = new Set(gone);
        const kept = chunk.prunable.filter((seq) => !deleted.has(seq));
        return pruneProgress(chunk, kept, deliveries + gone.length);
      });
    },

    async discardDeadLetters(tenantId: string, filter: DeadLetterFilter, limit: number): Promise<number> {
      const discarded = connection.transaction(
        () =>
          sql(
            `DELETE FROM dead_letters WHERE id IN (
               SELECT l.id FROM dead_letters l WHERE ${deadLetterMatches(SQLITE_KEY_LIST)}
               ORDER BY l.id LIMIT :limit)`,
          ).run({ ...deadLetterParams(tenantId, filter, SQLITE_KEY_LIST), limit }).changes,
      );
      await connection.durable();
      return discarded;
    },
  };
}
