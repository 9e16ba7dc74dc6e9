import { PURGE_CHUNK } from '../bounded-work.js';
import type { BackgroundWork } from '../store.js';
import type { PostgresConnection } from './connection.js';

/** Idempotency records past their window, a chunk per statement, oldest first. */
export function postgresIdempotencyPrune(
  connection: PostgresConnection,
  idempotencyWindowMs: number,
): Pick<BackgroundWork, 'pruneIdempotencyKeys'> {
  return {
    async pruneIdempotencyKeys(now: number): Promise<number | null> {
      // SKIP LOCKED: workers of several processes prune different rows, and never wait on a publish.
      const { rowCount } = await connection.query(
        `DELETE FROM idempotency_keys WHERE (tenant_id, id) IN (
           SELECT tenant_id, id FROM idempotency_keys WHERE created_at <= $1
           ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
         )`,
        [now - idempotencyWindowMs, PURGE_CHUNK],
      );
      return rowCount ? rowCount : null;
    },
  };
}
