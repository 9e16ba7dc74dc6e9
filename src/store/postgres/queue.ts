import { DELIVERY_PREFIX, fromPublicId } from '../../core/public-ids.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { AttemptOutcome, ClaimedDelivery } from '../../core/types.js';
import { ABANDONED_TEST_ERROR } from '../abandoned-tests.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners, QueuedWorkSubscriber } from '../queued-work.js';
import { type ClaimRow, storedHeaders, toClaimed } from '../rows.js';
import type { DeliveryClaim, DeliveryQueue, TidiedQueue } from '../store.js';
import type { PostgresConnection } from './connection.js';
import { openFifoHeadsNow } from './fifo.js';
import type { QueuedWorkListener } from './notifications.js';
import { CLAIM, COMPLETE, NEXT_DUE, TIDY_QUEUE } from './statements.js';

/** Blocked deliveries of webhooks no longer ordered, opened at once per tidying. */
const UNBLOCK_BATCH = 1_000;

/** What stands for "no bound" on a tenant's room: the claim's limit is far below it. */
const NO_TENANT_LIMIT = 2_147_483_647;

/** Receivers' responses and error texts may contain NUL, which PostgreSQL text refuses; history keeps a stand-in. */
function storableText(text: string | null): string | null {
  return text?.replaceAll('\u0000', '\uFFFD') ?? null;
}

/**
 * The queue on PostgreSQL: workers in any number of processes lease rows with FOR UPDATE SKIP
 * LOCKED (CLAIM), and hear of work queued elsewhere through LISTEN (`remote`, connected on the
 * first subscription). It has no hand-over from publishes: they may run in another process.
 */
export function postgresQueue(
  connection: PostgresConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  remote: QueuedWorkListener,
  secrets: SecretBox,
): DeliveryQueue {
  /** The webhook the last claim served last: the next claim starts after it. */
  let claimCursor = '';

  return {
    async claimDueDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
      const lease = leases.next(claim.owner);
      const webhookRooms = [...(claim.webhookRooms ?? [])];
      const tenantRooms = [...(claim.tenantRooms ?? [])];
      const { rows } = await connection.query<ClaimRow>(CLAIM, [
        claim.now,
        webhookRooms.map(([webhookId]) => webhookId),
        claim.limit,
        lease,
        claim.leaseUntil,
        claim.perWebhookLimit,
        claimCursor,
        webhookRooms.map(([, room]) => room),
        tenantRooms.map(([tenantId]) => tenantId),
        tenantRooms.map(([, room]) => room),
        claim.perTenantLimit ?? NO_TENANT_LIMIT,
      ]);
      // The next claim starts after the last webhook served, so every webhook gets its turn.
      const served = rows.map((row) => row.webhook_id);
      const later = served.filter((id) => id > claimCursor);
      const pool = later.length > 0 ? later : served;
      const last = pool.sort().at(-1);
      if (last !== undefined) claimCursor = last;
      return rows.map((row) => toClaimed(row, lease, secrets, claim.now));
    },

    async completeDeliveries(outcomes: readonly AttemptOutcome[], now: number): Promise<number> {
      // One outcome per delivery (the first, as applying them in turn would), in key order so that two
      // overlapping batches lock their rows in the same order.
      const byKey = new Map<number, AttemptOutcome>();
      for (const outcome of outcomes) {
        const key = fromPublicId(DELIVERY_PREFIX, outcome.deliveryId);
        if (key !== null && !byKey.has(key)) byKey.set(key, outcome);
      }
      if (byKey.size === 0) return 0;
      const keys = [...byKey.keys()].sort((a, b) => a - b);
      const rows = keys.map((key) => byKey.get(key) as AttemptOutcome);
      const { rows: result } = await connection.query<{ applied: number; ordered_webhooks: string[] | null }>(
        COMPLETE,
        [
          keys,
          rows.map((o) => o.lease),
          rows.map((o) => (o.verdict === 'succeeded' ? 'succeeded' : 'failed')),
          rows.map((o) => o.statusCode),
          rows.map((o) => Math.round(o.responseTimeMs)),
          rows.map((o) => storableText(o.responseBody)),
          rows.map((o) => storableText(o.error)),
          rows.map((o) => o.attemptedAt),
          rows.map((o) => (o.verdict === 'retry' ? o.nextAttemptAt : null)),
          rows.map((o) => o.verdict),
          now,
          rows.map((o) => storedHeaders(o.requestHeaders)),
        ],
      );
      await openFifoHeadsNow(connection, result[0]?.ordered_webhooks ?? [], now);
      return result[0]?.applied ?? 0;
    },

    async releaseDeliveries(
      released: readonly { deliveryId: string; lease: string }[],
      now: number,
    ): Promise<void> {
      const keys: number[] = [];
      const leaseIds: string[] = [];
      for (const { deliveryId, lease } of released) {
        const key = fromPublicId(DELIVERY_PREFIX, deliveryId);
        if (key === null) continue;
        keys.push(key);
        leaseIds.push(lease);
      }
      if (keys.length === 0) return;
      await connection.query(
        `UPDATE deliveries d SET lease = NULL, next_attempt_at = $1
         FROM unnest($2::bigint[], $3::text[]) AS r (id, lease)
         WHERE d.id = r.id AND d.lease = r.lease AND d.status = 'pending'`,
        [now, keys, leaseIds],
      );
    },

    async nextDueAt(): Promise<number | null> {
      const { rows } = await connection.query<{ due_at: number | null }>(NEXT_DUE);
      return rows[0]?.due_at ?? null;
    },

    async tidyQueue(now: number): Promise<TidiedQueue> {
      const { rows } = await connection.query<{
        unblocked: number;
        ended: number;
        stalled: string[] | null;
        due_at: number | null;
      }>(TIDY_QUEUE, [now, UNBLOCK_BATCH, ABANDONED_TEST_ERROR]);
      const tidied = rows[0];
      const opened =
        (tidied?.unblocked ?? 0) + (await openFifoHeadsNow(connection, tidied?.stalled ?? [], now));
      if (opened > 0) queued.announce();
      return { changed: opened + (tidied?.ended ?? 0), nextDueAt: tidied?.due_at ?? null };
    },

    onDeliveriesQueued(listener: QueuedWorkSubscriber): () => void {
      remote.start();
      return queued.add(listener);
    },
  };
}
