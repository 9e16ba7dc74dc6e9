import { createHmac, randomBytes } from 'node:crypto';

const WHSEC_PREFIX = 'whsec_';
/** The shortest Standard Webhooks key Herald signs with: Standard Webhooks asks for 24 to 64 bytes. */
const MIN_WHSEC_KEY_BYTES = 24;
/** Standard base64; the closing `=` padding may be left out. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** `sha256=<hex HMAC-SHA256(secret, body)>`: the header the product docs tell receivers to verify. */
export function bodySignature(secret: string, body: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Standard Webhooks key: the base64 bytes after `whsec_`, otherwise the secret's UTF-8 bytes. */
export function standardWebhooksKey(secret: string): Buffer {
  return secret.startsWith(WHSEC_PREFIX)
    ? Buffer.from(secret.slice(WHSEC_PREFIX.length), 'base64')
    : Buffer.from(secret, 'utf8');
}

/** A new Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function generateSecret(): string {
  return `${WHSEC_PREFIX}${randomBytes(32).toString('base64')}`;
}

/**
 * Why a secret cannot sign, or null when it can. A `whsec_` secret is a base64 key: one that does
 * not decode would otherwise sign with whatever bytes a lenient decoder salvaged from it, which no
 * receiver's library would reproduce.
 */
export function secretProblem(secret: string): string | null {
  if (!secret.startsWith(WHSEC_PREFIX)) return null;
  const encoded = secret.slice(WHSEC_PREFIX.length);
  if (!BASE64.test(encoded)) {
    return 'a secret starting with whsec_ must continue in base64 (A-Z, a-z, 0-9, + and /)';
  }
  const bytes = Buffer.from(encoded, 'base64').length;
  if (bytes < MIN_WHSEC_KEY_BYTES) {
    return `a whsec_ secret must decode to at least ${MIN_WHSEC_KEY_BYTES} bytes; this one has ${bytes}`;
  }
  return null;
}

/** `v1,<base64 HMAC-SHA256(key, "id.timestamp.body")>` as the Standard Webhooks spec defines it. */
export function standardWebhooksSignature(
  key: Buffer,
  messageId: string,
  timestampSeconds: number,
  body: Buffer,
): string {
  const mac = createHmac('sha256', key)
    .update(`${messageId}.${timestampSeconds}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}
