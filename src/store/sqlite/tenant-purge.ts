import { PURGE_CHUNK } from '../bounded-work.js';
import type { BackgroundWork } from '../store.js';
import type { SqliteConnection } from './connection.js';

/** A deleted tenant's events and idempotency records (and fan-outs left), one chunk per transaction. */
export function sqliteTenantPurge(connection: SqliteConnection): Pick<BackgroundWork, 'purgeDeletedTenants'> {
  const sql = (text: string) => connection.sql(text);
  return {
    async purgeDeletedTenants(): Promise<number | null> {
      return connection.transaction(() => {
        const purge = sql('SELECT tenant_id FROM tenant_purges LIMIT 1').pluck().get() as string | undefined;
        if (purge === undefined) return null;
        const events = sql(
          'DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE tenant_id = ? LIMIT ?)',
        ).run(purge, PURGE_CHUNK).changes;
        const ids = sql(
          'DELETE FROM idempotency_keys WHERE rowid IN (SELECT rowid FROM idempotency_keys WHERE tenant_id = ? LIMIT ?)',
        ).run(purge, PURGE_CHUNK).changes;
        if (events < PURGE_CHUNK && ids < PURGE_CHUNK) {
          sql('DELETE FROM fanouts WHERE tenant_id = ?').run(purge);
          sql('DELETE FROM tenant_purges WHERE tenant_id = ?').run(purge);
        }
        return events + ids;
      });
    },
  };
}
