import { DEAD_LETTER_PREFIX, DELIVERY_PREFIX, fromPublicId } from '../core/public-ids.js';
import type { DeadLetter, Delivery, DeliveryDetail } from '../core/types.js';
import {
  DEAD_LETTER_COLUMNS,
  DELIVERY_COLUMNS,
  type DeadLetterRow,
  type DeliveryRow,
  toDeadLetter,
  toDelivery,
} from './rows.js';
import type { DeliveryFilter, EventTimeline, History } from './store.js';

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

const DEAD_LETTERS_JOINED = `dead_letters l JOIN webhooks w ON w.id = l.webhook_id JOIN events e ON e.seq = l.event_seq`;

function listDeadLettersSql(includePayload: boolean): string {
  return `
    SELECT ${DEAD_LETTER_COLUMNS}${includePayload ? ', e.payload' : ''} FROM ${DEAD_LETTERS_JOINED}
    WHERE l.tenant_id = :tenantId AND l.id < :before
      AND (CAST(:webhookId AS text) IS NULL OR l.webhook_id = :webhookId)
    ORDER BY l.id DESC LIMIT :limit`;
}

const GET_DEAD_LETTER = `
  SELECT ${DEAD_LETTER_COLUMNS}, e.payload FROM ${DEAD_LETTERS_JOINED}
  WHERE l.id = :id AND l.tenant_id = :tenantId`;

/** The key below which a page starts: none before the first page, null for a cursor that is no id of ours. */
function pageStart(prefix: string, before: string | undefined): number | null {
  return before === undefined ? Number.MAX_SAFE_INTEGER : fromPublicId(prefix, before);
}

/** History over either backend, given the way it runs a read. */
export function sqlHistory(read: ReadRows): History {
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
      page: { limit: number; before?: string; webhookId?: string; includePayload?: boolean },
    ): Promise<DeadLetter[]> {
      const before = pageStart(DEAD_LETTER_PREFIX, page.before);
      if (before === null) return [];
      const params = { tenantId, before, webhookId: page.webhookId ?? null, limit: page.limit };
      const rows = await read<DeadLetterRow>(listDeadLettersSql(page.includePayload ?? false), params);
      return rows.map(toDeadLetter);
    },

    async getDeadLetter(tenantId: string, id: string): Promise<DeadLetter | null> {
      const key = fromPublicId(DEAD_LETTER_PREFIX, id);
      if (key === null) return null;
      const [row] = await read<DeadLetterRow>(GET_DEAD_LETTER, { id: key, tenantId });
      return row ? toDeadLetter(row) : null;
    },
  };
}
