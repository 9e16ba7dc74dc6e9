import { timingSafeEqual } from 'node:crypto';
import { bodySignature, standardWebhooksKey, standardWebhooksSignature } from './signing.js';

/** How one signature header of a delivery checks out against a secret. */
export type SignatureCheck = 'valid' | 'invalid' | 'missing';

function sameText(a: string, b: string): boolean {
  const [left, right] = [Buffer.from(a), Buffer.from(b)];
  return left.length === right.length && timingSafeEqual(left, right);
}

/** `X-Webhook-Signature: sha256=<hex>`, compared whole, prefix included, in constant time. */
export function checkBodySignature(secret: string, body: Buffer, header: string | undefined): SignatureCheck {
  if (header === undefined) return 'missing';
  return sameText(header, bodySignature(secret, body)) ? 'valid' : 'invalid';
}

/**
 * Standard Webhooks: `webhook-signature` holds space-separated `v1,<base64>` signatures of
 * `id.timestamp.body` (several during a secret rotation); any one that matches is enough.
 */
export function checkStandardWebhooksSignature(
  secret: string,
  body: Buffer,
  headers: { id?: string; timestamp?: string; signature?: string },
): SignatureCheck {
  const { id, timestamp, signature } = headers;
  if (id === undefined || timestamp === undefined || signature === undefined) return 'missing';
  if (!/^\d+$/.test(timestamp)) return 'invalid';
  const expected = standardWebhooksSignature(standardWebhooksKey(secret), id, Number(timestamp), body);
  return signature.split(' ').some((candidate) => sameText(candidate, expected)) ? 'valid' : 'invalid';
}
