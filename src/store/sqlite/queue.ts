import { DELIVERY_PREFIX, fromPublicId } from '../../core/public-ids.js';
import type { SecretBox } from '../../core/secret-box.js';
import type { AttemptOutcome, ClaimedDelivery } from '../../core/types.js';
import { ADD_TO_HOUR_OF_ATTEMPTS, type CountedAttempt, tallyByHour } from '../hourly-tally.js';
import type { LeaseIds } from '../lease-ids.js';
import type { QueuedWorkListeners, QueuedWorkSubscriber } from '../queued-work.js';
import { storedHeaders } from '../rows.js';
import type { DeliveryClaim, DeliveryQueue, DeliveryTaker, TidiedQueue } from '../store.js';
import type { SqliteConnection } from './connection.js';
import { claimedRows, endAbandonedTests } from './deliveries.js';
import { openFifoHead, unblockDeliveries } from './fifo.js';
import type { TakerSlot } from './handoff.js';

/**
 * The queue on SQLite. Claims, outcomes and releases do not wait for a WAL sync: losing one in a
 * power cut costs at most a repeated attempt (see SqliteConnection).
 */
/** Candidate webhooks read per statement while a claim looks for work. */
const CLAIM_PAGE = 64;

/** The names a claim must pass over (room 0), as a JSON array for json_each. */
function namesWithNoRoom(rooms: ReadonlyMap<string, number> | undefined): string {
  return JSON.stringify([...(rooms ?? [])].filter(([, room]) => room <= 0).map(([name]) => name));
}

export function sqliteQueue(
  connection: SqliteConnection,
  leases: LeaseIds,
  queued: QueuedWorkListeners,
  slot: TakerSlot,
  secrets: SecretBox,
): Required<DeliveryQueue> {
  const sql = (text: string) => connection.sql(text);
  /** The webhook the last claim stopped at: the next one starts after it, so every webhook gets a turn. */
  let claimCursor = '';

  /**
   * Visits the active webhooks with due deliveries round-robin, starting after where the last claim
   * stopped, and takes up to each one's room of its oldest due deliveries, and no more of a tenant
   * than its room. The candidates come from one statement a page at a time, webhooks and tenants
   * with no room left out in it, so a tenant with thousands of webhooks and no room costs a claim
   * one quick scan, not a query per webhook; each webhook's deliveries are an index seek, so one deep
   * backlog costs nothing to the others.
   */
  function chooseDueDeliveries(claim: DeliveryClaim): number[] {
    const candidates = sql(
      `SELECT w.id, w.tenant_id FROM webhooks w
       WHERE w.status = 'active' AND w.id > :after AND (:until IS NULL OR w.id <= :until)
         AND w.id NOT IN (SELECT value FROM json_each(:fullWebhooks))
         AND w.tenant_id NOT IN (SELECT value FROM json_each(:fullTenants))
         AND EXISTS (
           SELECT 1 FROM deliveries d
           WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= :now AND d.trigger <> 'test'
         )
       ORDER BY w.id LIMIT :page`,
    );
    const dueOf = sql(
      `SELECT id FROM deliveries
       WHERE webhook_id = ? AND status = 'pending' AND next_attempt_at <= ? AND trigger <> 'test'
       ORDER BY next_attempt_at LIMIT ?`,
    ).pluck();
    const fullWebhooks = namesWithNoRoom(claim.webhookRooms);
    const fullTenants = namesWithNoRoom(claim.tenantRooms);
    const takenOfTenant = new Map<string, number>();
    const chosen: number[] = [];
    // After the cursor to the end, then from the start up to the cursor.
    const start = claimCursor;
    const passes: { after: string; until: string | null }[] =
      start === ''
        ? [{ after: '', until: null }]
        : [
            { after: start, until: null },
            { after: '', until: start },
          ];
    for (const pass of passes) {
      let after = pass.after;
      while (chosen.length < claim.limit) {
        const page = candidates.all({
          after,
          until: pass.until,
          fullWebhooks,
          fullTenants,
          now: claim.now,
          page: CLAIM_PAGE,
        }) as { id: string; tenant_id: string }[];
        for (const { id: webhookId, tenant_id: tenantId } of page) {
          after = webhookId;
          claimCursor = webhookId;
          const tenantRoom =
            claim.tenantRooms?.get(tenantId) ?? claim.perTenantLimit ?? Number.POSITIVE_INFINITY;
          const taken = takenOfTenant.get(tenantId) ?? 0;
          const webhookRoom = claim.webhookRooms?.get(webhookId) ?? claim.perWebhookLimit;
          const take = Math.min(webhookRoom, tenantRoom - taken, claim.limit - chosen.length);
          if (take <= 0) continue;
          const due = dueOf.all(webhookId, claim.now, take) as number[];
          chosen.push(...due);
          takenOfTenant.set(tenantId, taken + due.length);
          if (chosen.length >= claim.limit) break;
        }
        if (page.length < CLAIM_PAGE) break;
      }
    }
    return chosen;
  }

  /** When the earliest pending delivery of an active webhook falls due, or null when none is queued. */
  function nextDueAt(): number | null {
    const row = sql(
      `SELECT min((
         SELECT d.next_attempt_at FROM deliveries d
         WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at IS NOT NULL
           AND d.trigger <> 'test'
         ORDER BY d.next_attempt_at LIMIT 1
       )) AS dueAt
       FROM webhooks w WHERE w.status = 'active'`,
    ).get() as { dueAt: number | null } | undefined;
    return row?.dueAt ?? null;
  }

  return {
    async claimDueDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]> {
      const lease = leases.next(claim.owner);
      return connection.transaction(() => {
        const chosen = chooseDueDeliveries(claim);
        if (chosen.length === 0) return [];
        sql(
          'UPDATE deliveries SET lease = ?, next_attempt_at = ? WHERE id IN (SELECT value FROM json_each(?))',
        ).run(lease, claim.leaseUntil, JSON.stringify(chosen));
        return claimedRows(connection, chosen, lease, secrets, claim.now);
      });
    },

    async completeDeliveries(outcomes: readonly AttemptOutcome[], now: number): Promise<number> {
      const record = sql(
        `UPDATE deliveries SET status = ?, status_code = ?, response_time_ms = ?, response_body = ?, error = ?,
           attempted_at = ?, next_attempt_at = ?, lease = NULL, request_headers = ?
         WHERE id = ? AND lease = ? AND status = 'pending' RETURNING webhook_id`,
      );
      const scheduleRetry = sql(
        `INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
         SELECT tenant_id, webhook_id, event_seq, attempt + 1, trigger, 'pending', ?, ? FROM deliveries WHERE id = ?`,
      );
      const deadLetter = sql(
        `INSERT INTO dead_letters (tenant_id, webhook_id, event_seq, error, attempts, failed_at, last_delivery_id)
         SELECT tenant_id, webhook_id, event_seq, ?, attempt, ?, id FROM deliveries WHERE id = ?`,
      );
      const countAttempts = sql(
        `INSERT INTO webhook_stats (webhook_id, hour, succeeded, failed, response_ms, last_success_at, last_failure_at)
         VALUES (@webhookId, @hour, @succeeded, @failed, @responseMs, @lastSuccessAt, @lastFailureAt)
         ${ADD_TO_HOUR_OF_ATTEMPTS}`,
      );
      return connection.transaction(() => {
        let applied = 0;
        // Each webhook's failure clock: a success in the batch stops it, else its first failure starts it.
        const succeeded = new Set<string>();
        const firstFailure = new Map<string, number>();
        // Ordered webhooks whose open delivery ended: their next one may open.
        const ended = new Set<string>();
        const attempts: CountedAttempt[] = [];
        for (const outcome of outcomes) {
          const key = fromPublicId(DELIVERY_PREFIX, outcome.deliveryId);
          const nextAttemptAt = outcome.verdict === 'retry' ? outcome.nextAttemptAt : null;
          const recorded = record.get(
            outcome.verdict === 'succeeded' ? 'succeeded' : 'failed',
            outcome.statusCode,
            outcome.responseTimeMs,
            outcome.responseBody,
            outcome.error,
            outcome.attemptedAt,
            nextAttemptAt,
            storedHeaders(outcome.requestHeaders),
            key,
            outcome.lease,
          ) as { webhook_id: string } | undefined;
          if (!recorded) continue;
          applied += 1;
          const webhookId = recorded.webhook_id;
          attempts.push({
            webhookId,
            attemptedAt: outcome.attemptedAt,
            succeeded: outcome.verdict === 'succeeded',
            responseMs: outcome.responseTimeMs,
          });
          if (outcome.verdict === 'succeeded') succeeded.add(webhookId);
          else if (outcome.attemptedAt < (firstFailure.get(webhookId) ?? Number.POSITIVE_INFINITY)) {
            firstFailure.set(webhookId, outcome.attemptedAt);
          }
          if (outcome.verdict === 'retry') scheduleRetry.run(now, nextAttemptAt, key);
          else ended.add(webhookId);
          if (outcome.verdict === 'dead') deadLetter.run(outcome.error ?? 'failed', outcome.attemptedAt, key);
        }
        const healed = sql(
          'UPDATE webhooks SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL',
        );
        const failing = sql('UPDATE webhooks SET failing_since = ? WHERE id = ? AND failing_since IS NULL');
        for (const webhookId of succeeded) healed.run(webhookId);
        for (const [webhookId, since] of firstFailure)
          if (!succeeded.has(webhookId)) failing.run(since, webhookId);
        for (const webhookId of ended) openFifoHead(connection, webhookId, now);
        for (const tally of tallyByHour(attempts)) countAttempts.run(tally);
        return applied;
      });
    },

    async releaseDeliveries(
      released: readonly { deliveryId: string; lease: string }[],
      now: number,
    ): Promise<void> {
      const release = sql(
        "UPDATE deliveries SET lease = NULL, next_attempt_at = ? WHERE id = ? AND lease = ? AND status = 'pending'",
      );
      connection.transaction(() => {
        for (const { deliveryId, lease } of released) {
          release.run(now, fromPublicId(DELIVERY_PREFIX, deliveryId), lease);
        }
      });
    },

    async nextDueAt(): Promise<number | null> {
      return nextDueAt();
    },

    async tidyQueue(now: number): Promise<TidiedQueue> {
      const opened = unblockDeliveries(connection, now);
      if (opened > 0) queued.announce();
      return { changed: opened + endAbandonedTests(connection, now), nextDueAt: nextDueAt() };
    },

    onDeliveriesQueued(listener: QueuedWorkSubscriber): () => void {
      return queued.add(listener);
    },

    setDeliveryTaker(taker: DeliveryTaker | null): void {
      slot.taker = taker;
    },
  };
}
