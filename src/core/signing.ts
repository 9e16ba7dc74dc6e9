import { createHmac } from 'node:crypto';

const WHSEC_PREFIX = 'whsec_';

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
