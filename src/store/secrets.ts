import { KEY_ID_LENGTH, SEALED_PREFIX } from '../core/secret-box.js';
import type { SecretKeeping } from './store.js';

/** Secrets sealed per transaction: each one is an AES-GCM pass, so a batch keeps the writer briefly. */
const RESEAL_BATCH = 200;

/** The columns that hold a webhook secret, each sealed on its own. */
export const SECRET_COLUMNS = ['secret', 'previous_secret'] as const;

/** The distinct key ids of the stored secrets (`enc:v1:<key id>:…`), in SQL both backends speak. */
export const SEALING_KEY_IDS_SQL = SECRET_COLUMNS.map(
  (column) =>
    `SELECT DISTINCT substr(${column}, ${SEALED_PREFIX.length + 1}, ${KEY_ID_LENGTH}) AS key_id
     FROM webhooks WHERE ${column} IS NOT NULL`,
).join(' UNION ');

/** Seals, in batches, every secret not sealed under the current key (`currentPrefix`). Returns how many. */
export async function resealAll(keeping: SecretKeeping, keep: string): Promise<number> {
  let total = 0;
  for (;;) {
    const sealed = await keeping.resealSecrets(keep, RESEAL_BATCH);
    if (sealed === 0) return total;
    total += sealed;
  }
}

/** Seals the secrets stored in plain text before encryption came in: a step of every migration. */
export function sealPlainSecrets(keeping: SecretKeeping): Promise<number> {
  return resealAll(keeping, SEALED_PREFIX);
}
