import pc from 'picocolors';
import type { SignatureCheck } from '../core/verify-signatures.js';
import type { ReceivedDelivery } from './receiver.js';

/** One JSON line per delivery, for scripts (`herald listen --json`). */
export function deliveryAsJson(delivery: ReceivedDelivery): string {
  return JSON.stringify({ ...delivery, receivedAt: delivery.receivedAt.toISOString() });
}

function check(name: string, result: SignatureCheck, colours: ReturnType<typeof pc.createColors>): string {
  const paint = { valid: colours.green, invalid: colours.red, missing: colours.yellow }[result];
  return paint(`${name} ${result}`);
}

/** A few lines a person reads as deliveries arrive; coloured when `colour` (a terminal). */
export function deliveryAsText(delivery: ReceivedDelivery, colour: boolean): string {
  const c = pc.createColors(colour);
  const body = delivery.body as { event?: unknown; tenantId?: unknown; data?: unknown } | string;
  const isPayload = typeof body === 'object' && body !== null;
  const event =
    isPayload && typeof body.event === 'string' ? body.event : `${delivery.method} ${delivery.path}`;
  const status = delivery.answeredStatus < 300 ? c.green : c.red;
  const signatures = delivery.signatures
    ? [
        check('X-Webhook-Signature', delivery.signatures.xWebhookSignature, c),
        check('webhook-signature', delivery.signatures.webhookSignature, c),
      ].join(', ')
    : c.dim('signatures not checked (no --secret)');
  const lines = [
    `${c.dim(delivery.receivedAt.toISOString())} ${c.bold(c.cyan(event))} ${status(`→ ${delivery.answeredStatus}`)}`,
    `  ${c.dim('id')} ${delivery.webhookId ?? '-'}  ${c.dim('tenant')} ${isPayload ? String(body.tenantId ?? '-') : '-'}`,
    `  ${signatures}`,
  ];
  const shown = isPayload ? (body.data ?? body) : body;
  lines.push(
    ...JSON.stringify(shown, null, 2)
      .split('\n')
      .map((line) => `  ${line}`),
  );
  return `${lines.join('\n')}\n`;
}
