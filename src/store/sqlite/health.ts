import type { SecretBox } from '../../core/secret-box.js';
import type { NewEvent, Webhook } from '../../core/types.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { WebhookHealth } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { type StoredWebhookRow, webhookFromRow } from './directory.js';
import type { SqlitePublishBatcher } from './publish-batch.js';

/** Disabling webhooks for what their receivers did, with the notice to their tenant in the same commit. */
export function sqliteWebhookHealth(
  connection: SqliteConnection,
  batcher: SqlitePublishBatcher,
  queued: QueuedWorkListeners,
  secrets: SecretBox,
): WebhookHealth {
  return {
    async disableWebhook(
      tenantId: string,
      webhookId: string,
      reason: string,
      notice: NewEvent,
      now: number,
    ): Promise<boolean> {
      let told = { queued: false, deferred: false };
      const disabled = connection.transaction(() => {
        const changed = connection
          .sql(
            `UPDATE webhooks SET status = 'disabled', disabled_reason = ?, updated_at = ?
             WHERE tenant_id = ? AND id = ? AND status = 'active'`,
          )
          .run(reason, now, tenantId, webhookId).changes;
        if (changed === 0) return false;
        told = batcher.insertWithin(notice, now);
        return true;
      });
      if (told.queued) queued.announce();
      if (told.deferred) queued.announce('background');
      await connection.durable();
      return disabled;
    },

    async listWebhooksFailingSince(cutoff: number, limit: number): Promise<Webhook[]> {
      const rows = connection
        .sql(
          `SELECT * FROM webhooks WHERE status = 'active' AND failing_since <= ?
           ORDER BY failing_since, id LIMIT ?`,
        )
        .all(cutoff, limit) as StoredWebhookRow[];
      return rows.map((row) => webhookFromRow(row, secrets));
    },
  };
}
