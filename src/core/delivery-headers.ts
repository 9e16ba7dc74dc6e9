import { bodySignature, standardWebhooksKey, standardWebhooksSignature } from './signing.js';

/**
 * The headers of one attempt. `webhook-id` is the event's id on every attempt, resend and replay, so
 * receivers can drop duplicates; `webhook-timestamp` is the time of this attempt.
 */
export function deliveryHeaders(input: {
  eventId: string;
  secret: string | null;
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
    headers['webhook-signature'] = standardWebhooksSignature(
      standardWebhooksKey(input.secret),
      input.eventId,
      input.attemptedAtSeconds,
      input.payload,
    );
  }
  return headers;
}
