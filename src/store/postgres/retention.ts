import { RETENTION_CHUNK } from '../bounded-work.js';
import { deadLetterMatches, deadLetterParams, POSTGRES_KEY_LIST } from '../dead-letter-filter.js';
import {
  oldHoursOfAttempts,
  prunableEvents,
  pruneHoursOfAttemptsSql,
  pruneProgress,
  SCAN_EVENTS,
  type ScannedEvent,
} from '../retention.js';
import type { DeadLetterFilter, PruneProgress, Retention } from '../store.js';
import type { PostgresConnection } from './connection.js';
import { toPositional } from './named-params.js';

/** Old history pruned a chunk per transaction (see store/retention.ts for what goes); dead letters discarded. */
export function postgresRetention(connection: PostgresConnection): Retention {
  return {
    pruneHistory(cutoff: number, after: number): Promise<PruneProgress | null> {
      return connection.transaction(async (client) => {
        // Workers of several processes sweeping at once take different events, so never the same rows.
        const scan = toPositional(`${SCAN_EVENTS} FOR UPDATE OF e SKIP LOCKED`, {
          cutoff,
          after,
          limit: RETENTION_CHUNK,
        });
        const { rows: scanned } = await client.query<ScannedEvent>(scan.text, scan.values);
        const chunk = prunableEvents(scanned);
        if (chunk === null) {
          const prune = toPositional(
            pruneHoursOfAttemptsSql('FOR UPDATE OF s SKIP LOCKED'),
            oldHoursOfAttempts(cutoff, RETENTION_CHUNK),
          );
          const hours = (await client.query(prune.text, prune.values)).rowCount ?? 0;
          return hours > 0 ? { after, removed: hours } : null;
        }
        // Only finished attempts, whatever was read above: a pending one is never history.
        const deliveries = await client.query(
          `DELETE FROM deliveries WHERE id IN (
             SELECT id FROM deliveries WHERE event_seq = ANY ($1::bigint[]) AND status <> 'pending' LIMIT $2)`,
          [chunk.prunable, RETENTION_CHUNK],
        );
        // Checked again in this statement, which sees what committed since the scan (a replay, a resend).
        const { rows: gone } = await client.query<{ seq: number }>(
          `DELETE FROM events e WHERE e.seq = ANY ($1::bigint[])
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_seq = e.seq)
             AND NOT EXISTS (SELECT 1 FROM dead_letters l WHERE l.event_seq = e.seq)
           RETURNING e.seq`,
          [chunk.prunable],
        );
        const deleted = new Set(gone.map((row) => row.seq));
        const kept = chunk.prunable.filter((seq) => !deleted.has(seq));
        return pruneProgress(chunk, kept, (deliveries.rowCount ?? 0) + gone.length);
      });
    },

    async discardDeadLetters(tenantId: string, filter: DeadLetterFilter, limit: number): Promise<number> {
      // A letter a concurrent replay holds is passed over: that replay takes it out of the DLQ anyway.
      const discard = toPositional(
        `DELETE FROM dead_letters WHERE id IN (
           SELECT l.id FROM dead_letters l WHERE ${deadLetterMatches(POSTGRES_KEY_LIST)}
           ORDER BY l.id LIMIT :limit FOR UPDATE SKIP LOCKED)`,
        { ...deadLetterParams(tenantId, filter, POSTGRES_KEY_LIST), limit },
      );
      const { rowCount } = await connection.query(discard.text, discard.values);
      return rowCount ?? 0;
    },
  };
}
