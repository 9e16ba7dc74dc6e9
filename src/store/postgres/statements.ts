/**
 * The statements every event passes through: publishing, claiming and recording outcomes. Their
 * parameters are documented where PostgresStore binds them.
 */

import { HOUR_MS } from '../../core/attempt-window.js';
import { ADD_TO_HOUR_OF_ATTEMPTS } from '../hourly-tally.js';

export interface PreparedStatement {
  /** Prepared under this name once per connection. */
  name: string;
  text: string;
}

/**
 * Publishing as one statement: the events, their deliveries (one per active subscribed webhook) and
 * the NOTIFY commit together without a BEGIN/COMMIT round trip. An id the publisher chose (one with
 * a body hash, $12) is remembered in idempotency_keys; one remembered from less than $13 ms ago
 * conflicts there and is left out of `stored`, so nothing is queued for it. `announced` runs pg_notify once
 * when anything was queued; it is referenced from the final select because a plain SELECT in a WITH
 * clause only runs when something reads it. Deliveries to ordered webhooks are stored blocked, and
 * those webhooks come back (`ordered_webhooks`) for their next delivery to be opened (fifo.ts). An
 * event with more subscribers than $9, or past $10 deliveries in the statement, gets its deliveries
 * in the background instead (a `fanouts` row; store/bounded-work.ts), so the statement stays short.
 */
const PUBLISH_SQL = `
  WITH input AS (
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[], $5::bigint[], $6::bigint[], $12::text[])
      WITH ORDINALITY AS i (tenant_id, id, event, payload, timestamp, now, body_hash, ord)
  ), targets AS (
    SELECT i.ord, w.id AS webhook_id, w.ordering = 'fifo' AS ordered
    FROM input i JOIN webhooks w ON w.tenant_id = i.tenant_id AND w.status = 'active'
      AND (cardinality(w.events) = 0 OR i.event = ANY (w.events))
  ), remembered AS (
    INSERT INTO idempotency_keys (tenant_id, id, body_hash, event, timestamp, deliveries, created_at)
    SELECT i.tenant_id, i.id, i.body_hash, i.event, i.timestamp, (SELECT count(*) FROM targets t WHERE t.ord = i.ord), i.now
    FROM input i WHERE i.body_hash IS NOT NULL ORDER BY i.ord
    ON CONFLICT (tenant_id, id) DO UPDATE SET body_hash = excluded.body_hash, event = excluded.event,
      timestamp = excluded.timestamp, deliveries = excluded.deliveries, created_at = excluded.created_at
    WHERE idempotency_keys.created_at <= excluded.created_at - $13
    RETURNING tenant_id, id
  ), stored AS (
    INSERT INTO events (tenant_id, id, event, payload, timestamp, deliveries)
    SELECT i.tenant_id, i.id, i.event, i.payload, i.timestamp, (SELECT count(*) FROM targets t WHERE t.ord = i.ord)
    FROM input i
    WHERE i.body_hash IS NULL OR EXISTS (SELECT 1 FROM remembered r WHERE r.tenant_id = i.tenant_id AND r.id = i.id)
    ORDER BY i.ord
    RETURNING seq, tenant_id, id, deliveries
  ), placed AS (
    SELECT s.seq, s.tenant_id, s.deliveries, i.ord, i.event, i.now,
      s.deliveries <= $9
        AND sum(CASE WHEN s.deliveries <= $9 THEN s.deliveries ELSE 0 END) OVER (ORDER BY i.ord) <= $10 AS inline
    FROM stored s JOIN input i ON i.tenant_id = s.tenant_id AND i.id = s.id
  ), queued AS (
    INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
    SELECT p.tenant_id, t.webhook_id, p.seq, 1, 'event', 'pending', p.now,
      CASE WHEN t.ordered THEN NULL ELSE p.now END
    FROM placed p JOIN targets t ON t.ord = p.ord
    WHERE p.inline
    ORDER BY p.seq, t.webhook_id
    RETURNING webhook_id, next_attempt_at IS NULL AS blocked
  ), deferred AS (
    INSERT INTO fanouts (event_seq, tenant_id, event, published_at)
    SELECT seq, tenant_id, event, now FROM placed WHERE NOT inline AND deliveries > 0
    RETURNING 1
  ), announced AS (
    SELECT pg_notify($7, $8) FROM (SELECT 1 FROM queued LIMIT 1) AS any_queued
    UNION ALL
    SELECT pg_notify($7, $11) FROM (SELECT 1 FROM deferred LIMIT 1) AS any_deferred
  )
  SELECT s.tenant_id, s.id, s.deliveries, (SELECT count(*) FROM announced) AS announced,
    (SELECT count(*) FROM deferred) AS deferred,
    (SELECT array_agg(DISTINCT webhook_id) FROM queued WHERE blocked) AS ordered_webhooks
  FROM stored s`;

/**
 * Every webhook with its first pending delivery (`first_pending.next_attempt_at`): one probe of
 * deliveries_pending_by_webhook per webhook, whatever the statistics say. EXISTS or a join over
 * the queue may be planned as a scan of all of it.
 */
const WEBHOOKS_WITH_FIRST_PENDING = `webhooks w CROSS JOIN LATERAL (
        SELECT d.next_attempt_at FROM deliveries d
        WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.trigger <> 'test'
        ORDER BY d.next_attempt_at
        LIMIT 1
      ) first_pending`;

/**
 * Claiming: visit the webhooks with due work one by one (round-robin from a cursor, $7) and lock
 * each one's oldest due deliveries, at most its room (listed in $2/$8, else $6), with SKIP LOCKED, so
 * concurrent workers never wait on each other or take the same row, and one webhook's backlog is
 * never scanned past to reach the others. Each tenant gets at most its room too (listed in $9/$10,
 * else $11), taken in visiting order. The rows kept are leased by moving next_attempt_at to the lease
 * expiry, and everything the sender needs comes back. A row another worker leased after this
 * statement's snapshot is re-checked against the due condition when locked, and its new
 * next_attempt_at excludes it.
 */
const CLAIM_SQL = `
  WITH webhook_room AS (
    SELECT * FROM unnest($2::text[], $8::integer[]) AS r (webhook_id, room)
  ), tenant_room AS (
    SELECT * FROM unnest($9::text[], $10::integer[]) AS r (tenant_id, room)
  ), picked AS (
    SELECT p.id, p.next_attempt_at, hooks.tenant_id, hooks.tenant_room, hooks.visit
    FROM (
      SELECT w.id, w.tenant_id, coalesce(wr.room, $6) AS room, coalesce(tr.room, $11) AS tenant_room,
        row_number() OVER (ORDER BY w.id <= $7, w.id) AS visit
      FROM ${WEBHOOKS_WITH_FIRST_PENDING}
      LEFT JOIN webhook_room wr ON wr.webhook_id = w.id
      LEFT JOIN tenant_room tr ON tr.tenant_id = w.tenant_id
      WHERE w.status = 'active' AND first_pending.next_attempt_at <= $1
        AND coalesce(wr.room, $6) > 0 AND coalesce(tr.room, $11) > 0
      ORDER BY w.id <= $7, w.id
      LIMIT $3
    ) hooks
    CROSS JOIN LATERAL (
      SELECT d.id, d.next_attempt_at FROM deliveries d
      WHERE d.webhook_id = hooks.id AND d.status = 'pending' AND d.next_attempt_at <= $1 AND d.trigger <> 'test'
      ORDER BY d.next_attempt_at
      LIMIT least(hooks.room, hooks.tenant_room)
      FOR UPDATE SKIP LOCKED
    ) p
  ), due AS (
    SELECT id FROM (
      SELECT id, visit, next_attempt_at, tenant_room,
        row_number() OVER (PARTITION BY tenant_id ORDER BY visit, next_attempt_at) AS nth
      FROM picked
    ) ranked
    WHERE nth <= tenant_room
    ORDER BY visit, next_attempt_at
    LIMIT $3
  ), leased AS (
    UPDATE deliveries d SET lease = $4, next_attempt_at = $5
    FROM due WHERE d.id = due.id
    RETURNING d.id, d.tenant_id, d.webhook_id, d.event_seq, d.attempt, d.trigger
  )
  SELECT l.id, l.tenant_id, l.webhook_id, l.attempt, l.trigger, w.url, w.secret, w.previous_secret,
    w.previous_secret_until, w.ordering, w.rate_limit, e.id AS event_id, e.event, e.payload
  FROM leased l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
  ORDER BY l.id`;

/**
 * Completing a batch: record each outcome whose lease still holds, then in the same statement queue
 * the next attempt of each retry, dead-letter each final failure, and keep each webhook's failure
 * clock: a success in the batch stops it, else the batch's first failure starts it. Those two touch
 * a webhook row only when its clock changes, so a healthy webhook's row is never locked. The
 * attempts are added to their webhook's hours in webhook_stats, in key order (as the deliveries are
 * locked) so that overlapping batches cannot deadlock on them. Ordered
 * webhooks whose open delivery ended come back (`ordered_webhooks`) for their next to be opened.
 */
const COMPLETE_SQL = `
  WITH outcome AS (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::integer[], $5::integer[], $6::text[],
      $7::text[], $8::bigint[], $9::bigint[], $10::text[], $12::text[])
      AS o (id, lease, status, status_code, response_time_ms, response_body, error, attempted_at, next_attempt_at, verdict,
        request_headers)
  ), recorded AS (
    UPDATE deliveries d SET status = o.status, status_code = o.status_code, response_time_ms = o.response_time_ms,
      response_body = o.response_body, error = o.error, attempted_at = o.attempted_at,
      next_attempt_at = o.next_attempt_at, lease = NULL, request_headers = o.request_headers
    FROM outcome o WHERE d.id = o.id AND d.lease = o.lease AND d.status = 'pending'
    RETURNING d.id, d.tenant_id, d.webhook_id, d.event_seq, d.attempt, d.trigger, o.verdict, o.error, o.attempted_at,
      o.next_attempt_at, o.response_time_ms
  ), retried AS (
    INSERT INTO deliveries (tenant_id, webhook_id, event_seq, attempt, trigger, status, created_at, next_attempt_at)
    SELECT tenant_id, webhook_id, event_seq, attempt + 1, trigger, 'pending', $11, next_attempt_at
    FROM recorded WHERE verdict = 'retry'
  ), dead AS (
    INSERT INTO dead_letters (tenant_id, webhook_id, event_seq, error, attempts, failed_at, last_delivery_id)
    SELECT tenant_id, webhook_id, event_seq, coalesce(error, 'failed'), attempt, attempted_at, id
    FROM recorded WHERE verdict = 'dead'
  ), health AS (
    SELECT webhook_id, bool_or(verdict = 'succeeded') AS succeeded, min(attempted_at) AS first_failure
    FROM recorded GROUP BY webhook_id
  ), healed AS (
    UPDATE webhooks w SET failing_since = NULL FROM health h
    WHERE w.id = h.webhook_id AND h.succeeded AND w.failing_since IS NOT NULL
  ), failing AS (
    UPDATE webhooks w SET failing_since = h.first_failure FROM health h
    WHERE w.id = h.webhook_id AND NOT h.succeeded AND w.failing_since IS NULL
  ), counted AS (
    INSERT INTO webhook_stats (webhook_id, hour, succeeded, failed, response_ms, last_success_at, last_failure_at)
    SELECT webhook_id, attempted_at - attempted_at % ${HOUR_MS},
      count(*) FILTER (WHERE verdict = 'succeeded'), count(*) FILTER (WHERE verdict <> 'succeeded'),
      coalesce(sum(response_time_ms), 0),
      max(attempted_at) FILTER (WHERE verdict = 'succeeded'), max(attempted_at) FILTER (WHERE verdict <> 'succeeded')
    FROM recorded GROUP BY 1, 2
    ORDER BY 1, 2
    ${ADD_TO_HOUR_OF_ATTEMPTS}
  )
  SELECT count(*) AS applied,
    (SELECT array_agg(DISTINCT r.webhook_id) FROM recorded r
     WHERE r.verdict <> 'retry' AND EXISTS (
       SELECT 1 FROM deliveries b WHERE b.webhook_id = r.webhook_id AND b.status = 'pending' AND b.next_attempt_at IS NULL
     )) AS ordered_webhooks
  FROM recorded`;

/**
 * The statements every event passes through, prepared once per connection under these names.
 * Parsing and planning them again on every call cost the database server as much CPU as running them.
 */
export const PUBLISH: PreparedStatement = { name: 'herald_publish', text: PUBLISH_SQL };
export const CLAIM: PreparedStatement = { name: 'herald_claim', text: CLAIM_SQL };
export const COMPLETE: PreparedStatement = { name: 'herald_complete', text: COMPLETE_SQL };

/** When the earliest pending delivery of an active webhook falls due (null: none is pending). */
const NEXT_DUE_AT = `SELECT min(first_pending.next_attempt_at) FROM ${WEBHOOKS_WITH_FIRST_PENDING}
    WHERE w.status = 'active'`;

export const NEXT_DUE: PreparedStatement = {
  name: 'herald_next_due',
  text: `SELECT (${NEXT_DUE_AT}) AS due_at`,
};

/**
 * Tidying the queue before the due timer is aimed, in one statement, since an idle worker aims it
 * after every batch: blocked deliveries of webhooks no longer ordered are opened (at most $2 a
 * time), Test deliveries whose lease ran out with no outcome (their process went away) are failed
 * with error $3 and never sent again, and the ordered webhooks (`stalled`) with blocked deliveries
 * and none open come back for their next to be opened under their lock (fifo.ts; after a crash
 * between an outcome and that opening). `blocked` finds the webhooks with blocked deliveries with
 * one probe of deliveries_blocked each. The next due time (`due_at`, as NEXT_DUE) comes back
 * with it, so aiming the timer is one round trip; it is read in the statement's snapshot, before
 * the tidying: what the tidying opens is announced and looked at anyway.
 */
export const TIDY_QUEUE: PreparedStatement = {
  name: 'herald_tidy_queue',
  text: `
    WITH RECURSIVE blocked AS (
      (SELECT webhook_id FROM deliveries WHERE status = 'pending' AND next_attempt_at IS NULL
       ORDER BY webhook_id LIMIT 1)
      UNION ALL
      SELECT (SELECT d.webhook_id FROM deliveries d
              WHERE d.status = 'pending' AND d.next_attempt_at IS NULL AND d.webhook_id > blocked.webhook_id
              ORDER BY d.webhook_id LIMIT 1)
      FROM blocked WHERE blocked.webhook_id IS NOT NULL
    ), unblocked AS (
      UPDATE deliveries SET next_attempt_at = $1 WHERE id IN (
        SELECT d.id FROM deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.status = 'pending' AND d.next_attempt_at IS NULL AND w.ordering <> 'fifo'
        LIMIT $2
      )
      RETURNING 1
    ), ended AS (
      UPDATE deliveries SET status = 'failed', error = $3, attempted_at = next_attempt_at, next_attempt_at = NULL,
        lease = NULL
      WHERE status = 'pending' AND trigger = 'test' AND next_attempt_at < $1
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM unblocked) AS unblocked, (SELECT count(*) FROM ended) AS ended,
      (SELECT array_agg(b.webhook_id) FROM blocked b JOIN webhooks w ON w.id = b.webhook_id AND w.ordering = 'fifo'
       WHERE NOT EXISTS (
         SELECT 1 FROM deliveries d
         WHERE d.webhook_id = b.webhook_id AND d.status = 'pending' AND d.next_attempt_at IS NOT NULL
       )) AS stalled,
      (${NEXT_DUE_AT}) AS due_at`,
};
