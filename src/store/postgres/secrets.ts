import { isSealed, type SecretBox } from '../../core/secret-box.js';
import { SEALING_KEY_IDS_SQL, SECRET_COLUMNS } from '../secrets.js';
import type { SecretKeeping } from '../store.js';
import type { PostgresConnection } from './connection.js';

/** Sealing stored secrets again (key rotation, plain text from before encryption), a batch at a time. */
export function postgresSecretKeeping(connection: PostgresConnection, secrets: SecretBox): SecretKeeping {
  return {
    resealSecrets(keep: string, limit: number): Promise<number> {
      return connection.transaction(async (client) => {
        let count = 0;
        for (const column of SECRET_COLUMNS) {
          // Locked until the commit: a change to one of these webhooks waits, and is not overwritten.
          const { rows } = await client.query<{ id: string; stored: string }>(
            `SELECT id, ${column} AS stored FROM webhooks
             WHERE ${column} IS NOT NULL AND left(${column}, length($1)) <> $1 LIMIT $2 FOR UPDATE`,
            [keep, limit - count],
          );
          for (const { id, stored } of rows) {
            const secret = isSealed(stored) ? secrets.open(stored) : stored;
            await client.query(`UPDATE webhooks SET ${column} = $1 WHERE id = $2`, [
              secrets.seal(secret),
              id,
            ]);
          }
          count += rows.length;
        }
        return count;
      });
    },

    async sealingKeyIds(): Promise<string[]> {
      const { rows } = await connection.query<{ key_id: string }>(SEALING_KEY_IDS_SQL);
      return rows.map((row) => row.key_id);
    },
  };
}
