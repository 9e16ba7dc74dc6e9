import { bodySignature, standardWebhooksKey, standardWebhooksSignature } from './signing.js';

/**
 * The headers of one attempt. `webhook-id` is the event's id on every attempt, resend and replay, so
 * receivers can drop duplicates; `webhook-timestamp` is the time of this attempt. During a secret
 * rotation `webhook-signature` carries a signature by each secret, the new one first (Standard
 * Webhooks receivers accept any that verifies), while the legacy `X-Webhook-Signature` has room for
 * one only: the new secret's.
 */
export function deliveryHeaders(input: {
  eventId: string;
  secret: string | null;
  /** The secret a rotation replaced, while it still signs. */
  previousSecret?: string | null;
  payload: Buffer;
  attemptedAtSeconds: number;
  userAgent: string;
}): Record<string, string> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': input.userAgent,
    'webhook-id': input.eventId,
    'webhook-timestamp': String(input.attemptedAtSeconds),
  };
  if (input.secret !== null) {
    headers['x-webhook-signature'] = bodySignature(input.secret, input.payload);
    const signers = input.previousSecret ? [input.secret, input.previousSecret] : [input.secret];
    headers['webhook-signature'] = signers
      .map((secret) =>
        standardWebhooksSignature(
          standardWebhooksKey(secret),
          input.eventId,
          input.attemptedAtSeconds,
          input.payload,
        ),
      )
      .join(' ');
  }
  return headers;
}
