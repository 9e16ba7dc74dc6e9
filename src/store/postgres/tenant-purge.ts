import { PURGE_CHUNK } from '../bounded-work.js';
import type { BackgroundWork } from '../store.js';
import { holdsAnyRow } from './background-queues.js';
import type { PostgresConnection } from './connection.js';

/**
 * A deleted tenant's events and idempotency records (and fan-outs left), one chunk per transaction;
 * workers in several processes take different tenants (SKIP LOCKED).
 */
export function postgresTenantPurge(
  connection: PostgresConnection,
): Pick<BackgroundWork, 'purgeDeletedTenants'> {
  return {
    async purgeDeletedTenants(): Promise<number | null> {
      if (!(await holdsAnyRow(connection, 'tenant_purges'))) return null;
      return connection.transaction(async (client) => {
        const { rows } = await client.query<{ tenant_id: string }>(
          'SELECT tenant_id FROM tenant_purges LIMIT 1 FOR UPDATE SKIP LOCKED',
        );
        const purge = rows[0]?.tenant_id;
        if (purge === undefined) return null;
        const events =
          (
            await client.query(
              'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE tenant_id = $1 LIMIT $2)',
              [purge, PURGE_CHUNK],
            )
          ).rowCount ?? 0;
        const ids =
          (
            await client.query(
              `DELETE FROM idempotency_keys WHERE (tenant_id, id) IN (
                 SELECT tenant_id, id FROM idempotency_keys WHERE tenant_id = $1 LIMIT $2
               )`,
              [purge, PURGE_CHUNK],
            )
          ).rowCount ?? 0;
        if (events < PURGE_CHUNK && ids < PURGE_CHUNK) {
          await client.query('DELETE FROM fanouts WHERE tenant_id = $1', [purge]);
          await client.query('DELETE FROM tenant_purges WHERE tenant_id = $1', [purge]);
        }
        return events + ids;
      });
    },
  };
}
