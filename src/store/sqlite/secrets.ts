import { isSealed, type SecretBox } from '../../core/secret-box.js';
import { SEALING_KEY_IDS_SQL, SECRET_COLUMNS } from '../secrets.js';
import type { SecretKeeping } from '../store.js';
import type { SqliteConnection } from './connection.js';

/** Sealing stored secrets again (key rotation, plain text from before encryption), a batch at a time. */
export function sqliteSecretKeeping(connection: SqliteConnection, secrets: SecretBox): SecretKeeping {
  return {
    async resealSecrets(keep: string, limit: number): Promise<number> {
      const sealed = connection.transaction(() => {
        let count = 0;
        for (const column of SECRET_COLUMNS) {
          const rows = connection
            .sql(
              `SELECT id, ${column} AS stored FROM webhooks
               WHERE ${column} IS NOT NULL AND substr(${column}, 1, length(?)) <> ? LIMIT ?`,
            )
            .all(keep, keep, limit - count) as { id: string; stored: string }[];
          const update = connection.sql(`UPDATE webhooks SET ${column} = ? WHERE id = ? AND ${column} = ?`);
          for (const { id, stored } of rows) {
            const secret = isSealed(stored) ? secrets.open(stored) : stored;
            update.run(secrets.seal(secret), id, stored);
          }
          count += rows.length;
        }
        return count;
      });
      await connection.durable();
      return sealed;
    },

    async sealingKeyIds(): Promise<string[]> {
      const rows = connection.sql(SEALING_KEY_IDS_SQL).all() as { key_id: string }[];
      return rows.map((row) => row.key_id);
    },
  };
}
