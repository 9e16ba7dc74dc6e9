/**
 * Deliveries and dead letters are keyed by integers in the database (cheap to insert and index on
 * the hot path); the API shows them with a prefix. Anything that does not parse cannot exist.
 */
export const DELIVERY_PREFIX = 'dlv_';
export const DEAD_LETTER_PREFIX = 'dlq_';

export function toPublicId(prefix: string, key: number | bigint | string): string {
  return `${prefix}${key}`;
}

export function fromPublicId(prefix: string, id: string): number | null {
  if (!id.startsWith(prefix)) return null;
  const digits = id.slice(prefix.length);
  if (!/^[1-9]\d{0,15}$/.test(digits)) return null;
  const key = Number(digits);
  return Number.isSafeInteger(key) ? key : null;
}
