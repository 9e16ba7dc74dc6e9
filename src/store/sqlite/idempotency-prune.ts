import { PURGE_CHUNK } from '../bounded-work.js';
import type { BackgroundWork } from '../store.js';
import type { SqliteConnection } from './connection.js';

/** Idempotency records past their window, a chunk per transaction, oldest first. */
export function sqliteIdempotencyPrune(
  connection: SqliteConnection,
  idempotencyWindowMs: number,
): Pick<BackgroundWork, 'pruneIdempotencyKeys'> {
  return {
    async pruneIdempotencyKeys(now: number): Promise<number | null> {
      const pruned = connection
        .sql(
          `DELETE FROM idempotency_keys WHERE rowid IN (
             SELECT rowid FROM idempotency_keys WHERE created_at <= ? ORDER BY created_at LIMIT ?
           )`,
        )
        .run(now - idempotencyWindowMs, PURGE_CHUNK).changes;
      return pruned > 0 ? pruned : null;
    },
  };
}
