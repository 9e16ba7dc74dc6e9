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
