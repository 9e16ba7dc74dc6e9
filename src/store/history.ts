import { DEAD_LETTER_PREFIX, DELIVERY_PREFIX, fromPublicId } from '../core/public-ids.js';
import type {
  DeadLetter,
  Delivery,
  DeliveryDetail,
  HourOfAttempts,
  WebhookAttemptStats,
} from '../core/types.js';
import { deadLetterMatches, deadLetterParams, type KeyList } from './dead-letter-filter.js';
import {
  DEAD_LETTER_COLUMNS,
  DELIVERY_COLUMNS,
  type DeadLetterRow,
  type DeliveryRow,
  toDeadLetter,
  toDelivery,
} from './rows.js';
import type {
  DeadLetterCount,
  DeadLetterFilter,
  DeadLetterQuery,
  DeliveryFilter,
  EventTimeline,
  History,
} from './store.js';

/**
 * Runs one read written with named parameters (`:name`, SQLite's own spelling; the PostgreSQL
 * backend numbers them) and returns its rows.
 */
export type ReadRows = <R>(text: string, params: Record<string, unknown>) => Promise<R[]>;

type CountRow = { total: number };

type EventRow = { seq: number; id: string; event: string; payload: Buffer; timestamp: number };

type DeliveryDetailRow = DeliveryRow & {
  payload: Buffer;
  event_timestamp: number;
  request_headers: string | null;
};

/**
 * History reads are the same SQL on both backends: plain joins, and a CAST where PostgreSQL must
 * know an optional parameter's type (`$1::text` elsewhere, which SQLite cannot parse).
 */

/** When an attempt was made, or for a pending one when it was scheduled: what the lists show and filter by. */
const ATTEMPT_TIME = 'COALESCE(d.attempted_at, d.created_at)';

/**
 * The conditions of a webhook's history list, only those of the filters given: a condition that
 * tests its parameter for NULL would keep either backend from choosing the index that filter needs
 * (deliveries_by_event for an event id, deliveries_by_webhook otherwise).
 */
function deliveryConditions(filter: DeliveryFilter, tenantCheck: string): string {
  const conditions = [tenantCheck];
  if (filter.eventId === undefined) {
    conditions.push('d.webhook_id = :webhookId');
  } else {
    // The event's few rows, found through deliveries_by_event: `|| ''` keeps both planners from
    // walking the webhook's whole history in id order instead.
    conditions.push(
      "d.webhook_id || '' = :webhookId",
      'd.event_seq IN (SELECT seq FROM events WHERE tenant_id = :tenantId AND id = :eventId)',
    );
  }
  if (filter.status !== undefined) conditions.push('d.status = :status');
  if (filter.event !== undefined) conditions.push('e.event = :event');
  if (filter.attemptedFrom !== undefined) conditions.push(`${ATTEMPT_TIME} >= :attemptedFrom`);
  if (filter.attemptedBefore !== undefined) conditions.push(`${ATTEMPT_TIME} < :attemptedBefore`);
  return conditions.join(' AND ');
}

function deliveryParams(
  tenantId: string,
  webhookId: string,
  filter: DeliveryFilter,
): Record<string, unknown> {
  return {
    tenantId,
    webhookId,
    status: filter.status,
    event: filter.event,
    eventId: filter.eventId,
    attemptedFrom: filter.attemptedFrom,
    attemptedBefore: filter.attemptedBefore,
  };
}

function listDeliveriesSql(filter: DeliveryFilter): string {
  return `
    SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq
    WHERE ${deliveryConditions(filter, 'd.tenant_id = :tenantId')} AND d.id < :before
    ORDER BY d.id DESC LIMIT :limit`;
}

/**
 * Checks the tenant once, on the webhook, and joins the events only when a filter needs their
 * columns, so that a count without filters reads deliveries_by_webhook alone. (A list reads its
 * rows anyway, and there the same check up front would cost it its walk in id order.)
 */
function countDeliveriesSql(filter: DeliveryFilter): string {
  const join = filter.event === undefined ? '' : 'JOIN events e ON e.seq = d.event_seq';
  const tenantCheck = 'EXISTS (SELECT 1 FROM webhooks w WHERE w.id = :webhookId AND w.tenant_id = :tenantId)';
  return `SELECT count(*) AS total FROM deliveries d ${join} WHERE ${deliveryConditions(filter, tenantCheck)}`;
}

const GET_EVENT = `
  SELECT seq, id, event, payload, timestamp FROM events
  WHERE tenant_id = :tenantId AND id = :eventId ORDER BY seq DESC LIMIT 1`;

const LIST_EVENT_DELIVERIES = `
  SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq
  WHERE d.event_seq = :seq ORDER BY d.id LIMIT :limit`;

const COUNT_EVENT_DELIVERIES = 'SELECT count(*) AS total FROM deliveries d WHERE d.event_seq = :seq';

const GET_DELIVERY = `
  SELECT ${DELIVERY_COLUMNS}, e.payload, e.timestamp AS event_timestamp, d.request_headers
  FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE d.id = :id AND d.tenant_id = :tenantId`;

const DEAD_LETTERS_JOINED = `dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq
  LEFT JOIN deliveries ld ON ld.id = l.last_delivery_id`;

function listDeadLettersSql(keys: KeyList, includePayload: boolean): string {
  return `
    SELECT ${DEAD_LETTER_COLUMNS}${includePayload ? ', e.payload' : ''} FROM ${DEAD_LETTERS_JOINED}
    WHERE ${deadLetterMatches(keys)} AND l.id < :before
    ORDER BY l.id DESC LIMIT :limit`;
}

const GET_DEAD_LETTER = `
  SELECT ${DEAD_LETTER_COLUMNS}, ld.response_body AS last_response_body, e.payload FROM ${DEAD_LETTERS_JOINED}
  WHERE l.id = :id AND l.tenant_id = :tenantId`;

const WEBHOOKS_OF_TENANT = `w.tenant_id = :tenantId AND (CAST(:webhookId AS text) IS NULL OR w.id = :webhookId)`;

const HOURS_OF_ATTEMPTS = `
  SELECT s.webhook_id, s.hour, s.succeeded, s.failed, s.response_ms
  FROM webhook_stats s JOIN webhooks w ON w.id = s.webhook_id
  WHERE ${WEBHOOKS_OF_TENANT} AND s.hour >= :since
  ORDER BY s.webhook_id, s.hour`;

/** Each webhook's latest success and failure: walks its hours back from the newest, to the first that has one. */
const LATEST_OUTCOMES = `
  SELECT w.id AS webhook_id,
    (SELECT s.last_success_at FROM webhook_stats s WHERE s.webhook_id = w.id AND s.last_success_at IS NOT NULL
     ORDER BY s.hour DESC LIMIT 1) AS last_success_at,
    (SELECT s.last_failure_at FROM webhook_stats s WHERE s.webhook_id = w.id AND s.last_failure_at IS NOT NULL
     ORDER BY s.hour DESC LIMIT 1) AS last_failure_at
  FROM webhooks w WHERE ${WEBHOOKS_OF_TENANT}
  ORDER BY w.id`;

interface HourRow {
  webhook_id: string;
  hour: number;
  succeeded: number;
  failed: number;
  response_ms: number;
}

interface LatestOutcomesRow {
  webhook_id: string;
  last_success_at: number | null;
  last_failure_at: number | null;
}

function countDeadLettersSql(keys: KeyList): string {
  return `
    SELECT w.id AS webhook_id, w.url, w.description, w.status, w.disabled_reason, count(*) AS count
    FROM dead_letters l JOIN webhooks w ON w.id = l.webhook_id
    WHERE ${deadLetterMatches(keys)}
    GROUP BY w.id, w.url, w.description, w.status, w.disabled_reason
    ORDER BY count(*) DESC, w.id`;
}

const DEAD_LETTER_ATTEMPTS = `
  SELECT ${DELIVERY_COLUMNS} FROM dead_letters l
  JOIN deliveries d ON d.event_seq = l.event_seq AND d.webhook_id = l.webhook_id
  JOIN events e ON e.seq = d.event_seq
  WHERE l.id = :id AND l.tenant_id = :tenantId
  ORDER BY d.id LIMIT :limit`;

const REPLAYS = `
  SELECT ${DELIVERY_COLUMNS} FROM deliveries d JOIN events e ON e.seq = d.event_seq
  WHERE d.tenant_id = :tenantId AND d.status = 'pending' AND d.trigger = 'replay'
    AND (CAST(:webhookId AS text) IS NULL OR d.webhook_id = :webhookId)
  ORDER BY d.id DESC LIMIT :limit`;

const COUNT_REPLAYS = `
  SELECT count(*) AS count FROM deliveries d
  WHERE d.tenant_id = :tenantId AND d.status = 'pending' AND d.trigger = 'replay'
    AND (CAST(:webhookId AS text) IS NULL OR d.webhook_id = :webhookId)`;

/** A replayed event's attempts are few: its retry schedule, once per replay or resend. */
const ATTEMPTS_LIMIT = 500;

interface DeadLetterCountRow {
  webhook_id: string;
  url: string;
  description: string;
  status: DeadLetterCount['webhookStatus'];
  disabled_reason: string | null;
  /** PostgreSQL's count(*) is a bigint, which the driver may hand over as a string. */
  count: number | string;
}

/** The key below which a page starts: none before the first page, null for a cursor that is no id of ours. */
function pageStart(prefix: string, before: string | undefined): number | null {
  return before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(prefix, before);
}

/** History over either backend, given the way it runs a read and spells a list of keys. */
export function sqlHistory(read: ReadRows, keys: KeyList): History {
  const listSql = [listDeadLettersSql(keys, false), listDeadLettersSql(keys, true)] as const;
  const countSql = countDeadLettersSql(keys);

  async function getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
    const key = fromPublicId(DEAD_LETTER_PREFIX, id);
    if (key === null) return null;
    const [row] = await read<DeadLetterRow>(GET_DEAD_LETTER, { id: key, tenantId });
    return row ? toDeadLetter(row) : null;
  }

  return {
    async listDeliveries(
      tenantId: string,
      webhookId: string,
      page: DeliveryFilter & { limit: number; before?: string },
    ): Promise<Delivery[]> {
      const before = pageStart(DELIVERY_PREFIX, page.before);
      if (before === null) return [];
      const params = { ...deliveryParams(tenantId, webhookId, page), before, limit: page.limit };
      return (await read<DeliveryRow>(listDeliveriesSql(page), params)).map(toDelivery);
    },

    async countDeliveries(tenantId: string, webhookId: string, filter: DeliveryFilter): Promise<number> {
      const [row] = await read<CountRow>(
        countDeliveriesSql(filter),
        deliveryParams(tenantId, webhookId, filter),
      );
      return row?.total ?? 0;
    },

    async getDelivery(tenantId: string, id: string): Promise<DeliveryDetail | null> {
      const key = fromPublicId(DELIVERY_PREFIX, id);
      if (key === null) return null;
      const [row] = await read<DeliveryDetailRow>(GET_DELIVERY, { id: key, tenantId });
      if (!row) return null;
      return {
        ...toDelivery(row),
        payload: row.payload,
        eventTimestamp: row.event_timestamp,
        requestHeaders: row.request_headers === null ? null : JSON.parse(row.request_headers),
      };
    },

    async getEventTimeline(tenantId: string, eventId: string, limit: number): Promise<EventTimeline | null> {
      const [event] = await read<EventRow>(GET_EVENT, { tenantId, eventId });
      if (!event) return null;
      const [deliveries, [count]] = await Promise.all([
        read<DeliveryRow>(LIST_EVENT_DELIVERIES, { seq: event.seq, limit }),
        read<CountRow>(COUNT_EVENT_DELIVERIES, { seq: event.seq }),
      ]);
      return {
        id: event.id,
        event: event.event,
        timestamp: event.timestamp,
        payload: event.payload,
        deliveries: deliveries.map(toDelivery),
        totalDeliveries: count?.total ?? 0,
      };
    },

    async listDeadLetters(
      tenantId: string,
      page: { limit: number; before?: string; includePayload?: boolean } & DeadLetterQuery,
    ): Promise<DeadLetter[]> {
      const before = pageStart(DEAD_LETTER_PREFIX, page.before);
      if (before === null) return [];
      const { webhookId, event, failedFrom, failedBefore } = page;
      const params = deadLetterParams(tenantId, { webhookId, event, failedFrom, failedBefore }, keys);
      const rows = await read<DeadLetterRow>(listSql[page.includePayload ? 1 : 0], {
        ...params,
        before,
        limit: page.limit,
      });
      return rows.map(toDeadLetter);
    },

    async webhookAttemptStats(
      tenantId: string,
      query: { since: number; webhookId?: string },
    ): Promise<WebhookAttemptStats[]> {
      const params = { tenantId, webhookId: query.webhookId ?? null };
      const [hourRows, latestRows] = await Promise.all([
        read<HourRow>(HOURS_OF_ATTEMPTS, { ...params, since: query.since }),
        read<LatestOutcomesRow>(LATEST_OUTCOMES, params),
      ]);
      const hours = new Map<string, HourOfAttempts[]>();
      for (const row of hourRows) {
        const hour: HourOfAttempts = {
          hour: row.hour,
          succeeded: row.succeeded,
          failed: row.failed,
          responseMs: row.response_ms,
        };
        const list = hours.get(row.webhook_id);
        if (list) list.push(hour);
        else hours.set(row.webhook_id, [hour]);
      }
      return latestRows.map((row) => ({
        webhookId: row.webhook_id,
        hours: hours.get(row.webhook_id) ?? [],
        lastSuccessAt: row.last_success_at,
        lastFailureAt: row.last_failure_at,
      }));
    },

    async countDeadLetters(tenantId: string, filter: DeadLetterFilter): Promise<DeadLetterCount[]> {
      const rows = await read<DeadLetterCountRow>(countSql, deadLetterParams(tenantId, filter, keys));
      return rows.map((row) => ({
        webhookId: row.webhook_id,
        url: row.url,
        description: row.description,
        webhookStatus: row.status,
        disabledReason: row.disabled_reason,
        count: Number(row.count),
      }));
    },

    async deadLetterAttempts(tenantId: string, id: string): Promise<Delivery[] | null> {
      const key = fromPublicId(DEAD_LETTER_PREFIX, id);
      if (key === null) return null;
      const rows = await read<DeliveryRow>(DEAD_LETTER_ATTEMPTS, {
        id: key,
        tenantId,
        limit: ATTEMPTS_LIMIT,
      });
      // Every dead letter has attempts unless the history has aged out; tell that apart from no letter.
      if (rows.length === 0 && (await getDeadLetter(tenantId, id)) === null) return null;
      return rows.map(toDelivery);
    },

    async listReplays(
      tenantId: string,
      page: { limit: number; webhookId?: string },
    ): Promise<{ deliveries: Delivery[]; total: number }> {
      const params = { tenantId, webhookId: page.webhookId ?? null, limit: page.limit };
      const rows = await read<DeliveryRow>(REPLAYS, params);
      const [counted] = await read<{ count: number | string }>(COUNT_REPLAYS, {
        tenantId,
        webhookId: params.webhookId,
      });
      return { deliveries: rows.map(toDelivery), total: Number(counted?.count ?? 0) };
    },

    getDeadLetter,
  };
}
