import type { ApiKey, NewApiKey } from '../../core/types.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { ApiKeyDirectory } from '../store.js';
import { writeForTenant } from '../tenant-gone.js';
import { isForeignKeyViolation, type SqliteConnection } from './connection.js';

const API_KEY_COLUMNS = `id, tenant_id AS tenantId, name, prefix, created_at AS createdAt, expires_at AS expiresAt,
  last_used_at AS lastUsedAt`;

/** Tenants' API keys. Another process on the same file cannot announce a revocation: see Authenticator. */
export function sqliteApiKeys(connection: SqliteConnection, queued: QueuedWorkListeners): ApiKeyDirectory {
  const sql = (text: string) => connection.sql(text);
  return {
    async createApiKey(key: NewApiKey, keyHash: string): Promise<void> {
      await writeForTenant(key.tenantId, isForeignKeyViolation, async () => {
        sql(
          `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        ).run(key.id, key.tenantId, key.name, key.prefix, keyHash, key.createdAt, key.expiresAt);
      });
      await connection.durable();
    },

    async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
      const row = sql(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = ?`).get(keyHash);
      return (row as ApiKey | undefined) ?? null;
    },

    async listApiKeys(tenantId: string): Promise<ApiKey[]> {
      return sql(`SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = ? ORDER BY id`).all(
        tenantId,
      ) as ApiKey[];
    },

    async revokeApiKey(tenantId: string, id: string): Promise<boolean> {
      const revoked =
        sql('DELETE FROM api_keys WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
      await connection.durable();
      if (revoked) queued.announce('credentials');
      return revoked;
    },

    async touchApiKey(id: string, now: number): Promise<void> {
      // Not synced: a last-used time lost to a power cut is a hint lost, not an accepted write.
      sql('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run(now, id);
    },

    onCredentialsChanged(listener: () => void): () => void {
      return queued.add(listener, 'credentials');
    },
  };
}
