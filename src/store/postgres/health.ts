import type { SecretBox } from '../../core/secret-box.js';
import type { NewEvent, Webhook } from '../../core/types.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners } from '../queued-work.js';
import type { WebhookHealth } from '../store.js';
import type { PostgresConnection } from './connection.js';
import { type StoredWebhookRow, webhookFromRow } from './directory.js';
import { openFifoHeads } from './fifo.js';
import { type PublishedRow, publishValues } from './publish-batch.js';
import { PUBLISH } from './statements.js';

/** Disabling webhooks for what their receivers did, with the notice to their tenant in the same commit. */
export function postgresWebhookHealth(
  connection: PostgresConnection,
  leases: LeaseIds,
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
      const told = await connection.transaction(async (client) => {
        const disabled = await client.query(
          `UPDATE webhooks SET status = 'disabled', disabled_reason = $1, updated_at = $2
           WHERE tenant_id = $3 AND id = $4 AND status = 'active'`,
          [reason, now, tenantId, webhookId],
        );
        if (disabled.rowCount === 0) return null;
        // A notice's id is Herald's own (no body hash): no idempotency window applies to it.
        const values = publishValues([{ event: notice, now }], connection.schema, leases.instance, 0);
        const { rows } = await client.query<PublishedRow>({ ...PUBLISH, values });
        await openFifoHeads(client, rows[0]?.ordered_webhooks ?? [], now);
        return rows[0] ?? null;
      });
      if (told === null) return false;
      if (told.deliveries > 0) queued.announce();
      if (told.deferred > 0) queued.announce('background');
      return true;
    },

    async listWebhooksFailingSince(cutoff: number, limit: number): Promise<Webhook[]> {
      const { rows } = await connection.query<StoredWebhookRow>(
        `SELECT * FROM webhooks WHERE status = 'active' AND failing_since <= $1
         ORDER BY failing_since, id LIMIT $2`,
        [cutoff, limit],
      );
      return rows.map((row) => webhookFromRow(row, secrets));
    },
  };
}
