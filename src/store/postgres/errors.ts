import { HeraldError } from '../../core/errors.js';

/**
 * Socket errors and SQLSTATEs that mean "the database is not there right now" rather than "this
 * statement is wrong": a restart (57P01 admin shutdown, 57P02, 57P03 still starting), a network cut,
 * a full server (53300), a statement cancelled by statement_timeout (57014: the database is too busy
 * to answer in time). Class 08 (connection exception) is matched separately.
 */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '57014',
  '53300',
]);

/** node-postgres reports a dropped socket or an exhausted connect wait with these messages and no code. */
const UNAVAILABLE_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|not queryable/;

/** PostgreSQL text cannot hold NUL (22021 here, 22P05 on conversion); the input was the problem. */
const INVALID_TEXT_CODES = new Set(['22021', '22P05']);

const DEADLOCK = '40P01';

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

export function isUnavailable(error: unknown): boolean {
  const code = codeOf(error);
  if (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  if (error instanceof AggregateError) return error.errors.some(isUnavailable);
  return error instanceof Error && UNAVAILABLE_MESSAGES.test(error.message);
}

/** A row named a parent that is not there (23503): in practice a tenant deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  return codeOf(error) === '23503';
}

export function isDeadlock(error: unknown): boolean {
  return codeOf(error) === DEADLOCK;
}

/** What callers see: 503 while the database is away, 400 for text it refuses, anything else as is. */
export function translateError(error: unknown): unknown {
  if (error instanceof HeraldError) return error;
  let translated: HeraldError | undefined;
  if (isUnavailable(error)) {
    translated = new HeraldError('SERVICE_UNAVAILABLE', 'The database is unavailable; try again shortly.');
  } else if (INVALID_TEXT_CODES.has(codeOf(error) ?? '')) {
    translated = new HeraldError('INVALID_REQUEST', 'Text fields cannot contain NUL (\\u0000) characters.');
  }
  if (!translated) return error;
  translated.cause = error;
  return translated;
}
