import { createHash } from 'node:crypto';
import type { NewEvent } from './types.js';

/** ISO-8601 UTC to the second, as the product docs print it: `2025-01-15T10:30:00Z`. */
export function formatEventTimestamp(ms: number): string {
  const second = Math.floor(ms / 1000);
  // Events published in the same second share the text: format each second once.
  if (second !== lastSecond) {
    lastSecond = second;
    lastText = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastText;
}

let lastSecond = Number.NaN;
let lastText = '';

/**
 * Deepest nesting an event's `data` may have ({} is one level). Receivers parse the payload with
 * recursive JSON parsers, and Herald's own serializer recurses: a deeper document would break both.
 */
export const MAX_DATA_DEPTH = 64;

/** Whether a parsed JSON value nests deeper than `limit` levels; walks without recursing. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: object; depth: number }[] = [];
  if (isContainer(value)) pending.push({ value, depth: 1 });
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      if (isContainer(child)) pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}

function isContainer(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * The documented payload, keys in the documented order. Serialized once at publish; the stored
 * bytes are what every attempt, resend and replay sends.
 */
export function serializePayload(event: string, timestamp: number, tenantId: string, data: unknown): Buffer {
  return Buffer.from(
    JSON.stringify({ event, timestamp: formatEventTimestamp(timestamp), tenantId, data }),
    'utf8',
  );
}

/** A new event, its timestamp to the second as the payload shows it, its bytes fixed from here on. */
export function buildEvent(input: {
  id: string;
  tenantId: string;
  event: string;
  data: unknown;
  now: number;
}): NewEvent {
  const timestamp = Math.floor(input.now / 1000) * 1000;
  return {
    id: input.id,
    tenantId: input.tenantId,
    event: input.event,
    timestamp,
    payload: serializePayload(input.event, timestamp, input.tenantId, input.data),
  };
}

/**
 * What an idempotency key's repeat is compared by: the event type and the data exactly as the
 * payload serializes them (the stored bytes without the timestamp, which differs on every retry).
 */
export function publishBodyHash(event: string, data: unknown): string {
  return createHash('sha256').update(JSON.stringify({ event, data })).digest('hex');
}
