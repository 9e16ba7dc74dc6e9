import type { ApiKey, NewApiKey } from '../../core/types.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { ApiKeyDirectory } from '../store.js';
import { writeForTenant } from '../tenant-gone.js';
import type { PostgresConnection } from './connection.js';
import { isForeignKeyViolation } from './errors.js';
import { QUEUED_CHANNEL, type QueuedWorkListener, queuedPayload } from './notifications.js';

const API_KEY_COLUMNS = `id, tenant_id AS "tenantId", name, prefix, created_at AS "createdAt",
  expires_at AS "expiresAt", last_used_at AS "lastUsedAt"`;

/** Tenants' API keys; a revocation is announced with NOTIFY so that every process forgets the key. */
export function postgresApiKeys(
  connection: PostgresConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  remote: QueuedWorkListener,
): ApiKeyDirectory {
  return {
    async createApiKey(key: NewApiKey, keyHash: string): Promise<void> {
      await writeForTenant(key.tenantId, isForeignKeyViolation, () =>
        connection.query(
          `INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [key.id, key.tenantId, key.name, key.prefix, keyHash, key.createdAt, key.expiresAt],
        ),
      );
    },

    async findApiKeyByHash(keyHash: string): Promise<ApiKey | null> {
      const { rows } = await connection.query<ApiKey>(
        `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1`,
        [keyHash],
      );
      return rows[0] ?? null;
    },

    async listApiKeys(tenantId: string): Promise<ApiKey[]> {
      const { rows } = await connection.query<ApiKey>(
        `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE tenant_id = $1 ORDER BY id`,
        [tenantId],
      );
      return rows;
    },

    async revokeApiKey(tenantId: string, id: string): Promise<boolean> {
      // The NOTIFY is sent on commit, by the statement that deleted the key.
      const { rows } = await connection.query<{ revoked: number }>(
        `WITH revoked AS (
           DELETE FROM api_keys WHERE tenant_id = $1 AND id = $2 RETURNING id
         ), announced AS (
           SELECT pg_notify($3, $4) FROM revoked
         )
         SELECT count(*) AS revoked, (SELECT count(*) FROM announced) AS announced FROM revoked`,
        [tenantId, id, QUEUED_CHANNEL, queuedPayload(connection.schema, leases.instance, 'credentials')],
      );
      const revoked = (rows[0]?.revoked ?? 0) > 0;
      if (revoked) queued.announce('credentials');
      return revoked;
    },

    async touchApiKey(id: string, now: number): Promise<void> {
      await connection.query('UPDATE api_keys SET last_used_at = $2 WHERE id = $1', [id, now]);
    },

    onCredentialsChanged(listener: () => void): () => void {
      remote.start();
      return queued.add(listener, 'credentials');
    },
  };
}
