import { HeraldError, tenantExists } from '../../core/errors.js';
import type { SecretBox } from '../../core/secret-box.js';
import type {
  EventType,
  NewTenant,
  NewWebhook,
  Tenant,
  TenantBranding,
  TenantLimits,
  Webhook,
} from '../../core/types.js';
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
import { sqliteApiKeys } from './api-keys.js';
import { isForeignKeyViolation, type SqliteConnection } from './connection.js';

/** SQLite keeps a webhook's event filter as JSON text. */
export type StoredWebhookRow = WebhookRow & { events: string };

export function webhookFromRow(row: StoredWebhookRow, secrets: SecretBox): Webhook {
  return toWebhook(row, JSON.parse(row.events) as string[], secrets);
}

/** SQLite keeps a tenant's limits and branding as JSON text. */
type TenantRow = Omit<Tenant, 'limits' | 'branding'> & { limits: string; branding: string };

function tenantFromRow(row: TenantRow): Tenant {
  return {
    ...row,
    limits: JSON.parse(row.limits) as TenantLimits,
    branding: JSON.parse(row.branding) as TenantBranding,
  };
}

const TENANT_COLUMNS = 'id, name, created_at AS createdAt, limits, branding';

/** Tenants, keys, event types and webhooks; every change is synced before it resolves. */
export function sqliteDirectory(
  connection: SqliteConnection,
  queued: QueuedWorkListeners,
  secrets: SecretBox,
): Directory {
  const sql = (text: string) => connection.sql(text);
  return {
    ...sqliteApiKeys(connection, queued),

    async createTenant(tenant: NewTenant): Promise<void> {
      const result = sql(
        `INSERT INTO tenants (id, name, created_at, limits, branding)
         SELECT @id, @name, @createdAt, @limits, @branding
         WHERE NOT EXISTS (SELECT 1 FROM tenant_purges WHERE tenant_id = @id)
         ON CONFLICT (id) DO NOTHING`,
      ).run({
        ...tenant,
        limits: JSON.stringify(tenant.limits ?? {}),
        branding: JSON.stringify(tenant.branding ?? {}),
      });
      if (result.changes === 0) throw tenantExists(tenant.id);
      await connection.durable();
    },

    async getTenant(id: string): Promise<Tenant | null> {
      const row = sql(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = ?`).get(id) as TenantRow | undefined;
      return row ? tenantFromRow(row) : null;
    },

    async updateTenant(id: string, change: TenantChange): Promise<Tenant | null> {
      // json_patch is a JSON merge patch: a null in it removes that limit or branding field.
      const row = sql(
        `UPDATE tenants SET name = coalesce(?, name), limits = json_patch(limits, ?),
           branding = json_patch(branding, ?)
         WHERE id = ? RETURNING ${TENANT_COLUMNS}`,
      ).get(
        change.name ?? null,
        JSON.stringify(change.limits ?? {}),
        JSON.stringify(change.branding ?? {}),
        id,
      ) as TenantRow | undefined;
      await connection.durable();
      return row ? tenantFromRow(row) : null;
    },

    async listTenants(): Promise<Tenant[]> {
      const rows = sql(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY created_at, id`).all() as TenantRow[];
      return rows.map(tenantFromRow);
    },

    async deleteTenant(id: string): Promise<boolean> {
      // Bounded by the tenant's webhook limit; the deep rows (queues, history, events) go in the background.
      const deleted = connection.transaction(() => {
        if (!sql('SELECT 1 FROM tenants WHERE id = ?').get(id)) return false;
        sql('DELETE FROM api_keys WHERE tenant_id = ?').run(id);
        sql(
          'INSERT INTO webhook_purges (webhook_id) SELECT id FROM webhooks WHERE tenant_id = ? ON CONFLICT DO NOTHING',
        ).run(id);
        sql('DELETE FROM webhooks WHERE tenant_id = ?').run(id);
        sql('DELETE FROM tenants WHERE id = ?').run(id);
        sql('INSERT INTO tenant_purges (tenant_id) VALUES (?) ON CONFLICT DO NOTHING').run(id);
        return true;
      });
      await connection.durable();
      if (deleted) {
        queued.announce('credentials');
        queued.announce('background');
      }
      return deleted;
    },

    async listEventTypes(): Promise<EventType[]> {
      const rows = sql(`SELECT ${EVENT_TYPE_COLUMNS} FROM event_types ORDER BY position, name`).all();
      return (rows as EventTypeRow[]).map(toEventType);
    },

    async addEventType(type: EventType): Promise<void> {
      const [name, description, schema, example, enforce] = eventTypeValues(type);
      // `WHERE true`: without it SQLite would read ON CONFLICT as the SELECT's join constraint.
      const result = sql(
        `INSERT INTO event_types (${EVENT_TYPE_COLUMNS}, position)
         SELECT ?, ?, ?, ?, ?, coalesce(max(position), 0) + 1 FROM event_types WHERE true
         ON CONFLICT (name) DO NOTHING`,
      ).run(name, description, schema, example, enforce ? 1 : 0);
      if (result.changes === 0) {
        throw new HeraldError('EVENT_TYPE_EXISTS', `Event type ${type.name} is already in the catalogue.`);
      }
      await connection.durable();
    },

    async updateEventType(type: EventType): Promise<boolean> {
      const [name, description, schema, example, enforce] = eventTypeValues(type);
      const result = sql(
        'UPDATE event_types SET description = ?, schema = ?, example = ?, enforce_schema = ? WHERE name = ?',
      ).run(description, schema, example, enforce ? 1 : 0, name);
      await connection.durable();
      return result.changes > 0;
    },

    async removeEventType(name: string): Promise<EventTypeRemoval> {
      const removal = connection.transaction((): EventTypeRemoval => {
        const found = sql(
          `SELECT (SELECT count(*) FROM webhooks
                    WHERE EXISTS (SELECT 1 FROM json_each(webhooks.events) WHERE value = @name)) AS webhooks
             FROM event_types WHERE name = @name`,
        ).get({ name }) as { webhooks: number } | undefined;
        if (!found) return { outcome: 'absent' };
        if (found.webhooks > 0) return { outcome: 'in-use', webhooks: found.webhooks };
        sql('DELETE FROM event_types WHERE name = ?').run(name);
        return { outcome: 'removed' };
      });
      await connection.durable();
      return removal;
    },

    async createWebhook(webhook: NewWebhook, limit?: { maxWebhooks: number }): Promise<boolean> {
      // One IMMEDIATE transaction holds the writer lock from the count to the insert.
      const created = await writeForTenant(webhook.tenantId, isForeignKeyViolation, async () =>
        connection.transaction(
          () =>
            sql(
              `INSERT INTO webhooks (id, tenant_id, url, description, events, status, ordering, rate_limit, secret,
               created_at, updated_at)
             SELECT @id, @tenantId, @url, @description, @events, @status, @ordering, @rateLimit, @secret,
               @createdAt, @updatedAt
             WHERE @maxWebhooks IS NULL OR (SELECT count(*) FROM webhooks WHERE tenant_id = @tenantId) < @maxWebhooks`,
            ).run({
              ...webhook,
              secret: sealSecret(secrets, webhook.secret),
              events: JSON.stringify(webhook.events),
              ordering: webhook.ordering ?? 'none',
              rateLimit: webhook.rateLimit ?? null,
              maxWebhooks: limit?.maxWebhooks ?? null,
            }).changes > 0,
        ),
      );
      await connection.durable();
      return created;
    },

    async getWebhook(tenantId: string, id: string): Promise<Webhook | null> {
      const row = sql('SELECT * FROM webhooks WHERE tenant_id = ? AND id = ?').get(tenantId, id);
      return row ? webhookFromRow(row as StoredWebhookRow, secrets) : null;
    },

    async listWebhooks(tenantId: string, page: { limit: number; after?: string }): Promise<Webhook[]> {
      const rows = sql('SELECT * FROM webhooks WHERE tenant_id = ? AND id > ? ORDER BY id LIMIT ?').all(
        tenantId,
        page.after ?? '',
        page.limit,
      ) as StoredWebhookRow[];
      return rows.map((row) => webhookFromRow(row, secrets));
    },

    async updateWebhook(webhook: Webhook): Promise<void> {
      // Re-enabling restarts the failure clock; failing_since is otherwise the outcomes' to keep.
      sql(
        `UPDATE webhooks SET url = ?, description = ?, events = ?, status = ?, disabled_reason = ?, ordering = ?,
           rate_limit = ?, secret = ?, updated_at = ?,
           failing_since = CASE WHEN status = 'disabled' AND ? = 'active' THEN NULL ELSE failing_since END
         WHERE tenant_id = ? AND id = ?`,
      ).run(
        webhook.url,
        webhook.description,
        JSON.stringify(webhook.events),
        webhook.status,
        webhook.disabledReason,
        webhook.ordering,
        webhook.rateLimit,
        sealSecret(secrets, webhook.secret),
        webhook.updatedAt,
        webhook.status,
        webhook.tenantId,
        webhook.id,
      );
      await connection.durable();
    },

    async rotateWebhookSecret(
      tenantId: string,
      id: string,
      rotation: { secret: string; previousUntil: number | null; now: number },
    ): Promise<Webhook | null> {
      // The right-hand sides read the row as it was: previous_secret takes the replaced secret.
      const row = sql(
        `UPDATE webhooks SET
           previous_secret = CASE WHEN @until IS NULL THEN NULL ELSE secret END,
           previous_secret_until = CASE WHEN @until IS NULL OR secret IS NULL THEN NULL ELSE @until END,
           secret = @secret, updated_at = @now
         WHERE tenant_id = @tenantId AND id = @id RETURNING *`,
      ).get({
        tenantId,
        id,
        until: rotation.previousUntil,
        secret: secrets.seal(rotation.secret),
        now: rotation.now,
      }) as StoredWebhookRow | undefined;
      await connection.durable();
      return row ? webhookFromRow(row, secrets) : null;
    },

    async dropPreviousSecret(tenantId: string, id: string, now: number): Promise<Webhook | null> {
      const row = sql(
        `UPDATE webhooks SET previous_secret = NULL, previous_secret_until = NULL, updated_at = ?
         WHERE tenant_id = ? AND id = ? RETURNING *`,
      ).get(now, tenantId, id) as StoredWebhookRow | undefined;
      await connection.durable();
      return row ? webhookFromRow(row, secrets) : null;
    },

    async deleteWebhook(tenantId: string, id: string): Promise<boolean> {
      // Its queue and history may be deep: they go in the background, a chunk at a time.
      const deleted = connection.transaction(() => {
        const removed = sql('DELETE FROM webhooks WHERE tenant_id = ? AND id = ?').run(tenantId, id);
        if (removed.changes === 0) return false;
        sql('INSERT INTO webhook_purges (webhook_id) VALUES (?) ON CONFLICT DO NOTHING').run(id);
        return true;
      });
      await connection.durable();
      if (deleted) queued.announce('background');
      return deleted;
    },
  };
}
