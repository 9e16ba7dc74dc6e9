import { createHmac, timingSafeEqual } from 'node:crypto';

const WHSEC_PREFIX = 'whsec_';
const DEFAULT_TOLERANCE_SECONDS = 300;

export type WebhookVerificationReason =
  | 'missing_headers'
  | 'invalid_timestamp'
  | 'timestamp_too_old'
  | 'timestamp_too_new'
  | 'bad_signature'
  | 'invalid_payload';

/** Why a request is not a genuine Herald delivery; `reason` is stable, the message explains it. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';

  constructor(
    readonly reason: WebhookVerificationReason,
    message: string,
  ) {
    super(message);
  }
}

/** Node's `IncomingHttpHeaders`, a fetch `Headers`, or any plain object of headers (any case). */
export type WebhookHeaders = Headers | Record<string, string | readonly string[] | undefined>;

export interface VerifyOptions {
  /** How far `webhook-timestamp` may be from now, either way. */
  toleranceSeconds?: number;
  /** Milliseconds since the epoch; the system clock when left out. */
  now?: number;
}

export interface VerifiedWebhook<Payload> {
  payload: Payload;
  /** `webhook-id`: the same on every attempt of one event, to drop duplicates by. Null when unsigned by it. */
  id: string | null;
  /** `webhook-timestamp` in seconds, the time of this attempt. Null when unsigned by it. */
  timestamp: number | null;
}

/** The body Herald delivers (`timestamp` is ISO 8601). */
export interface HeraldEvent<Data = Record<string, unknown>> {
  event: string;
  timestamp: string;
  tenantId: string;
  data: Data;
}

function headerReader(headers: WebhookHeaders): (name: string) => string | undefined {
  if (headers instanceof Headers) return (name) => headers.get(name) ?? undefined;
  const lowered = new Map(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
  return (name) => {
    const value = lowered.get(name);
    return typeof value === 'string' ? value : value?.join(', ');
  };
}

/** Compares in time that depends only on the lengths, which are public (a hash's size). */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The Standard Webhooks key: the base64 bytes after `whsec_`, otherwise the secret's UTF-8 bytes. */
function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

function requireFreshTimestamp(header: string, options: VerifyOptions): number {
  if (!/^\d{1,15}$/.test(header)) {
    throw new WebhookVerificationError(
      'invalid_timestamp',
      `webhook-timestamp must be whole seconds since the epoch; got ${JSON.stringify(header.slice(0, 40))}.`,
    );
  }
  const timestamp = Number(header);
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const nowSeconds = Math.floor((options.now ?? Date.now()) / 1000);
  if (nowSeconds - timestamp > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_old',
      `webhook-timestamp is ${nowSeconds - timestamp} s old, more than the ${tolerance} s tolerated: a replay or a clock far behind.`,
    );
  }
  if (timestamp - nowSeconds > tolerance) {
    throw new WebhookVerificationError(
      'timestamp_too_new',
      `webhook-timestamp is ${timestamp - nowSeconds} s in the future, more than the ${tolerance} s tolerated: check the clocks.`,
    );
  }
  return timestamp;
}

/** Any `v1,<base64>` entry of the space-separated list may match: Herald signs with both secrets during a rotation. */
function hasStandardSignature(signatures: string, expected: Buffer): boolean {
  return signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => sameBytes(Buffer.from(entry.slice(3), 'base64'), expected));
}

function verifyStandardWebhook(
  body: Buffer,
  header: (name: string) => string | undefined,
  secret: string,
  options: VerifyOptions,
): { id: string; timestamp: number } {
  const id = header('webhook-id');
  const timestampHeader = header('webhook-timestamp');
  const signatures = header('webhook-signature') ?? '';
  if (id === undefined || timestampHeader === undefined) {
    throw new WebhookVerificationError(
      'missing_headers',
      'webhook-signature came without webhook-id and webhook-timestamp, which it signs.',
    );
  }
  const timestamp = requireFreshTimestamp(timestampHeader, options);
  const expected = createHmac('sha256', standardWebhooksKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  if (!hasStandardSignature(signatures, expected)) {
    throw new WebhookVerificationError(
      'bad_signature',
      'No v1 signature in webhook-signature matches the body signed with this secret.',
    );
  }
  return { id, timestamp };
}

function verifyBodySignature(body: Buffer, signature: string, secret: string): void {
  const expected = createHmac('sha256', secret).update(body).digest();
  const hex = signature.startsWith('sha256=') ? signature.slice('sha256='.length) : '';
  if (!/^[0-9a-f]{64}$/i.test(hex) || !sameBytes(Buffer.from(hex, 'hex'), expected)) {
    throw new WebhookVerificationError(
      'bad_signature',
      'X-Webhook-Signature is not sha256=<hex HMAC-SHA256> of the body with this secret.',
    );
  }
}

/**
 * Checks that a request is a delivery signed with `secret` and returns its parsed body. The Standard
 * Webhooks headers are preferred when present (their timestamp resists replays); otherwise
 * `X-Webhook-Signature` is checked, which signs the body alone. `rawBody` must be the bytes as
 * received: parsing and re-serialising JSON changes them.
 */
export function verifyWebhook<Payload = HeraldEvent>(
  rawBody: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyOptions = {},
): VerifiedWebhook<Payload> {
  // Anyone can sign with an empty key: a secret missing from the configuration must not accept them.
  if (secret === '') throw new TypeError('verifyWebhook was given an empty secret.');
  const body =
    typeof rawBody === 'string'
      ? Buffer.from(rawBody, 'utf8')
      : Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  const header = headerReader(headers);
  let signed: { id: string | null; timestamp: number | null };
  const bodySignature = header('x-webhook-signature');
  if (header('webhook-signature') !== undefined) {
    signed = verifyStandardWebhook(body, header, secret, options);
  } else if (bodySignature !== undefined) {
    verifyBodySignature(body, bodySignature, secret);
    signed = { id: null, timestamp: null };
  } else {
    throw new WebhookVerificationError(
      'missing_headers',
      'The request carries neither webhook-signature nor X-Webhook-Signature: it is unsigned.',
    );
  }
  try {
    return { payload: JSON.parse(body.toString('utf8')) as Payload, ...signed };
  } catch {
    throw new WebhookVerificationError('invalid_payload', 'The signed body is not JSON.');
  }
}
