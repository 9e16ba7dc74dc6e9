import { DOCUMENTED_EVENT_TYPES } from './documented-event-types.js';
import type { EventType } from './types.js';

export const TEST_EVENT_TYPE = 'webhook.test';

/** Published to a tenant's webhooks when Herald disables one of the others (410 Gone, failing too long). */
export const WEBHOOK_DISABLED_EVENT_TYPE = 'webhook.disabled';
export const WEBHOOK_DISABLED_DESCRIPTION =
  'Herald disabled one of your webhooks (410 Gone, or failing too long)';

/**
 * Event types only Herald sends, with who sends them: published through the API they would reach
 * every subscriber as if Herald had sent them (a Test to real subscribers, a forged disable notice).
 */
export const SENT_BY_HERALD: ReadonlyMap<string, string> = new Map([
  [TEST_EVENT_TYPE, 'the Test action (POST .../webhooks/:id/test), to one webhook'],
  [WEBHOOK_DISABLED_EVENT_TYPE, "Herald itself, when it disables one of the tenant's webhooks"],
]);

/**
 * Whether a webhook may list the type in its event filter. The Test action sends webhook.test to the
 * webhook tested whatever its filter, so subscribing to it would only ever promise nothing.
 */
export function isSubscribable(name: string): boolean {
  return name !== TEST_EVENT_TYPE;
}

/** The `data` of the event the Test action sends when no other type is picked. */
export function testEventData(webhookId: string): { webhookId: string; message: string } {
  return { webhookId, message: 'This is a test event from Herald.' };
}

const SENT_BY_HERALD_TYPES: readonly EventType[] = [
  {
    name: TEST_EVENT_TYPE,
    description: 'Sent by the Test action to verify connectivity',
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'webhook.test data',
      type: 'object',
      properties: {
        webhookId: { type: 'string', description: 'The webhook tested' },
        message: { type: 'string' },
      },
      required: ['webhookId', 'message'],
    },
    example: testEventData('wh_2kq8x1v7'),
    enforceSchema: false,
  },
  {
    name: WEBHOOK_DISABLED_EVENT_TYPE,
    description: WEBHOOK_DISABLED_DESCRIPTION,
    schema: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      title: 'webhook.disabled data',
      type: 'object',
      properties: {
        webhookId: { type: 'string', description: 'The webhook Herald disabled' },
        url: { type: 'string', description: 'Its URL' },
        reason: {
          type: 'string',
          description: 'Why: the receiver answered 410 Gone, or every attempt failed for too long',
        },
        failingSince: {
          type: ['string', 'null'],
          format: 'date-time',
          description: 'Its first failure since its last success; null when disabled by a 410',
        },
      },
      required: ['webhookId', 'url', 'reason', 'failingSince'],
    },
    example: {
      webhookId: 'wh_2kq8x1v7',
      url: 'https://hooks.example.com/herald',
      reason: 'Every attempt failed for 5d (since 2025-01-10T08:12:44.000Z).',
      failingSince: '2025-01-10T08:12:44.000Z',
    },
    enforceSchema: false,
  },
];

/** The catalogue a new installation starts with, in this order: the documentation's six, then Herald's own. */
export const DEFAULT_EVENT_TYPES: readonly EventType[] = [...DOCUMENTED_EVENT_TYPES, ...SENT_BY_HERALD_TYPES];

export const EVENT_TYPE_NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*(\\.[a-z0-9][a-z0-9_-]*)*$';
