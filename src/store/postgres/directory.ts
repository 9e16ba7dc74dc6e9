import { HeraldError, tenantExists } from '../../core/errors.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { EventType, NewTenant, NewWebhook, Tenant, Webhook } from '../../core/types.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import {
  EVENT_TYPE_COLUMNS,
  type EventTypeRow,
  eventTypeValues,
  sealSecret,
  toEventType,
  toWebhook,
  type WebhookRow,
} from '../rows.js';
import type { Directory, EventTypeRemoval, TenantChange } from '../store.js';
import { writeForTenant } from '../tenant-gone.js';
import { postgresApiKeys } from './api-keys.js';
import type { PostgresConnection } from './connection.js';
import { isForeignKeyViolation } from './errors.js';
import { notifyQueued, QUEUED_CHANNEL, type QueuedWorkListener, queuedPayload } from './notifications.js';

/** PostgreSQL keeps a webhook's event filter as text[]. */
export type StoredWebhookRow = WebhookRow & { events: string[] };

export function webhookFromRow(row: StoredWebhookRow, secrets: SecretBox): Webhook {
  return toWebhook(row, row.events, secrets);
}

/** Limits and branding are jsonb, which node-postgres hands out parsed. */
const TENANT_COLUMNS = 'id, name, created_at AS "createdAt", limits, branding';

const INSERT_WEBHOOK = `INSERT INTO webhooks (id, tenant_id, url, description, events, status, ordering, rate_limit,
    secret, created_at, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`;

function webhookValues(webhook: NewWebhook, secrets: SecretBox): unknown[] {
  return [
    webhook.id,
    webhook.tenantId,
    webhook.url,
    webhook.description,
    webhook.events,
    webhook.status,
    webhook.ordering ?? 'none',
    webhook.rateLimit ?? null,
    sealSecret(secrets, webhook.secret),
    webhook.createdAt,
    webhook.updatedAt,
  ];
}

/** Tenants, keys, event types and webhooks: each change one statement, committed before it resolves. */
export function postgresDirectory(
  connection: PostgresConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  remote: QueuedWorkListener,
  secrets: SecretBox,
): Directory {
  /** Within the tenant's limit when one is given: false when the tenant already has that many. */
  async function insertWebhook(webhook: NewWebhook, limit?: { maxWebhooks: number }): Promise<boolean> {
    if (!limit) {
      await connection.query(INSERT_WEBHOOK, webhookValues(webhook, secrets));
      return true;
    }
    return connection.transaction(async (client) => {
      // Creates in one tenant wait for each other on the tenant's row; the count, a statement of its
      // own, then sees every webhook the previous ones committed. NO KEY UPDATE leaves the foreign-key
      // checks of other writes that name the tenant unblocked.
      await client.query('SELECT FROM tenants WHERE id = $1 FOR NO KEY UPDATE', [webhook.tenantId]);
      const { rows } = await client.query<{ webhooks: number }>(
        'SELECT count(*) AS webhooks FROM webhooks WHERE tenant_id = $1',
        [webhook.tenantId],
      );
      if ((rows[0]?.webhooks ?? 0) >= limit.maxWebhooks) return false;
      await client.query(INSERT_WEBHOOK, webhookValues(webhook, secrets));
      return true;
    });
  }

  return {
    ...postgresApiKeys(connection, leases, queued, remote),

    async createTenant(tenant: NewTenant): Promise<void> {
      const result = await connection.query(
        `INSERT INTO tenants (id, name, created_at, limits, branding)
         SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM tenant_purges WHERE tenant_id = $1)
         ON CONFLICT (id) DO NOTHING`,
        [tenant.id, tenant.name, tenant.createdAt, tenant.limits ?? {}, tenant.branding ?? {}],
      );
      if (result.rowCount === 0) throw tenantExists(tenant.id);
    },

    async getTenant(id: string): Promise<Tenant | null> {
      const { rows } = await connection.query<Tenant>(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = $1`, [
        id,
      ]);
      return rows[0] ?? null;
    },

    async updateTenant(id: string, change: TenantChange): Promise<Tenant | null> {
      // `||` overwrites the fields the patch names; stripping nulls then removes those it set to null.
      const { rows } = await connection.query<Tenant>(
        `UPDATE tenants SET name = coalesce($2, name), limits = jsonb_strip_nulls(limits || $3::jsonb),
           branding = jsonb_strip_nulls(branding || $4::jsonb)
         WHERE id = $1 RETURNING ${TENANT_COLUMNS}`,
        [id, change.name ?? null, change.limits ?? {}, change.branding ?? {}],
      );
      return rows[0] ?? null;
    },

    async listTenants(): Promise<Tenant[]> {
      const { rows } = await connection.query<Tenant>(
        `SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY created_at, id`,
      );
      return rows;
    },

    async deleteTenant(id: string): Promise<boolean> {
      // Bounded by the tenant's webhook limit; the deep rows (queues, history, events) go in the background.
      const deleted = await connection.transaction(async (client) => {
        const { rowCount } = await client.query('SELECT FROM tenants WHERE id = $1 FOR UPDATE', [id]);
        if (rowCount === 0) return false;
        await client.query('DELETE FROM api_keys WHERE tenant_id = $1', [id]);
        await client.query(
          `WITH removed AS (DELETE FROM webhooks WHERE tenant_id = $1 RETURNING id)
           INSERT INTO webhook_purges (webhook_id) SELECT id FROM removed ON CONFLICT DO NOTHING`,
          [id],
        );
        await client.query('DELETE FROM tenants WHERE id = $1', [id]);
        await client.query('INSERT INTO tenant_purges (tenant_id) VALUES ($1) ON CONFLICT DO NOTHING', [id]);
        await notifyQueued(client, connection.schema, leases.instance, 'credentials');
        await notifyQueued(client, connection.schema, leases.instance, 'background');
        return true;
      });
      if (deleted) {
        queued.announce('credentials');
        queued.announce('background');
      }
      return deleted;
    },

    async listEventTypes(): Promise<EventType[]> {
      const { rows } = await connection.query<EventTypeRow>(
        `SELECT ${EVENT_TYPE_COLUMNS} FROM event_types ORDER BY position, name`,
      );
      return rows.map(toEventType);
    },

    async addEventType(type: EventType): Promise<void> {
      // Two concurrent adds may take the same position; the name breaks the tie in the list.
      const result = await connection.query(
        `INSERT INTO event_types (${EVENT_TYPE_COLUMNS}, position)
         SELECT $1, $2, $3, $4, $5, coalesce(max(position), 0) + 1 FROM event_types
         ON CONFLICT (name) DO NOTHING`,
        eventTypeValues(type),
      );
      if (result.rowCount === 0) {
        throw new HeraldError('EVENT_TYPE_EXISTS', `Event type ${type.name} is already in the catalogue.`);
      }
    },

    async updateEventType(type: EventType): Promise<boolean> {
      const result = await connection.query(
        `UPDATE event_types SET description = $2, schema = $3, example = $4, enforce_schema = $5
         WHERE name = $1`,
        eventTypeValues(type),
      );
      return (result.rowCount ?? 0) > 0;
    },

    async removeEventType(name: string): Promise<EventTypeRemoval> {
      return connection.transaction(async (client): Promise<EventTypeRemoval> => {
        // The type's row stays locked to the end, so a second removal waits and then finds it gone.
        const { rows } = await client.query<{ webhooks: number }>(
          `SELECT (SELECT count(*)::int FROM webhooks WHERE $1 = ANY (events)) AS webhooks
             FROM event_types WHERE name = $1 FOR UPDATE`,
          [name],
        );
        const [found] = rows;
        if (!found) return { outcome: 'absent' };
        if (found.webhooks > 0) return { outcome: 'in-use', webhooks: found.webhooks };
        await client.query('DELETE FROM event_types WHERE name = $1', [name]);
        return { outcome: 'removed' };
      });
    },

    createWebhook(webhook: NewWebhook, limit?: { maxWebhooks: number }): Promise<boolean> {
      return writeForTenant(webhook.tenantId, isForeignKeyViolation, () => insertWebhook(webhook, limit));
    },

    async getWebhook(tenantId: string, id: string): Promise<Webhook | null> {
      const { rows } = await connection.query<StoredWebhookRow>(
        'SELECT * FROM webhooks WHERE tenant_id = $1 AND id = $2',
        [tenantId, id],
      );
      return rows[0] ? webhookFromRow(rows[0], secrets) : null;
    },

    async listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]> {
      const { rows } = await connection.query<StoredWebhookRow>(
        'SELECT * FROM webhooks WHERE tenant_id = $1 AND id > $2 ORDER BY id LIMIT $3',
        [tenantId, page.after ?? '', page.limit],
      );
      return rows.map((row) => webhookFromRow(row, secrets));
    },

    async updateWebhook(webhook: Webhook): Promise<void> {
      await connection.query(
        // Re-enabling restarts the failure clock; failing_since is otherwise the outcomes' to keep.
        `UPDATE webhooks SET url = $1, description = $2, events = $3, status = $4, secret = $5, updated_at = $6,
           disabled_reason = $9, ordering = $10, rate_limit = $11,
           failing_since = CASE WHEN status = 'disabled' AND $4 = 'active' THEN NULL ELSE failing_since END
         WHERE tenant_id = $7 AND id = $8`,
        [
          webhook.url,
          webhook.description,
          webhook.events,
          webhook.status,
          sealSecret(secrets, webhook.secret),
          webhook.updatedAt,
          webhook.tenantId,
          webhook.id,
          webhook.disabledReason,
          webhook.ordering,
          webhook.rateLimit,
        ],
      );
    },

    async rotateWebhookSecret(
      tenantId: string,
      id: string,
      rotation: { secret: string; previousUntil: number | null; now: number },
    ): Promise<Webhook | null> {
      // The right-hand sides read the row as it was: previous_secret takes the replaced secret.
      const { rows } = await connection.query<StoredWebhookRow>(
        `UPDATE webhooks SET
           previous_secret = CASE WHEN $3::bigint IS NULL THEN NULL ELSE secret END,
           previous_secret_until = CASE WHEN $3::bigint IS NULL OR secret IS NULL THEN NULL ELSE $3::bigint END,
           secret = $4, updated_at = $5
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, id, rotation.previousUntil, secrets.seal(rotation.secret), rotation.now],
      );
      return rows[0] ? webhookFromRow(rows[0], secrets) : null;
    },

    async dropPreviousSecret(tenantId: string, id: string, now: number): Promise<Webhook | null> {
      const { rows } = await connection.query<StoredWebhookRow>(
        `UPDATE webhooks SET previous_secret = NULL, previous_secret_until = NULL, updated_at = $3
         WHERE tenant_id = $1 AND id = $2 RETURNING *`,
        [tenantId, id, now],
      );
      return rows[0] ? webhookFromRow(rows[0], secrets) : null;
    },

    async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
      const { rows } = await connection.query<{ removed: number }>(
        // Its queue and history may be deep: they go in the background, a chunk at a time.
        `WITH removed AS (
           DELETE FROM webhooks WHERE tenant_id = $1 AND id = $2 RETURNING id
         ), purge AS (
           INSERT INTO webhook_purges (webhook_id) SELECT id FROM removed ON CONFLICT DO NOTHING
         ), announced AS (
           SELECT pg_notify($3, $4) FROM removed
         )
         SELECT count(*) AS removed, (SELECT count(*) FROM announced) AS announced FROM removed`,
        [tenantId, id, QUEUED_CHANNEL, queuedPayload(connection.schema, leases.instance, 'background')],
      );
      const deleted = (rows[0]?.removed ?? 0) > 0;
      if (deleted) queued.announce('background');
      return deleted;
    },
  };
}
