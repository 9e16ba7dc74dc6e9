import type { PostgresConnection } from './connection.js';

/** The tables of work the background worker takes a chunk of at a time, under lock. */
type BackgroundQueue = 'fanouts' | 'webhook_purges' | 'tenant_purges';

/**
 * Whether `table` holds any row. Most of the background worker's looks find nothing; this says so
 * in one statement, where taking a chunk under lock costs a transaction's three round trips.
 */
export async function holdsAnyRow(connection: PostgresConnection, table: BackgroundQueue): Promise<boolean> {
  const { rows } = await connection.query<{ any: boolean }>(`SELECT EXISTS (SELECT 1 FROM ${table}) AS any`);
  return rows[0]?.any === true;
}
