import { type Static, Type } from '@sinclair/typebox';
import { EventTypeName } from './event-types.js';
import { Count, Nullable, OneOfStrings, Text, Timestamp } from './shapes.js';

/** Webhooks, their 24-hour statistics, their secrets and their Tests. */

export const TestWebhook = Type.Object(
  {
    eventType: Type.Optional(
      Type.String({
        maxLength: 100,
        description:
          'A catalogue type whose example to send (`{}` when it has none); webhook.test when absent',
      }),
    ),
  },
  { $id: 'TestWebhook', additionalProperties: false },
);

const WebhookUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'http(s) URL on a public network',
});
const Secret = Text({
  minLength: 8,
  maxLength: 256,
  description: 'Signs deliveries; `whsec_`+base64 keys are used as Standard Webhooks keys',
});
const EventFilter = Type.Array(EventTypeName, {
  maxItems: 100,
  uniqueItems: true,
  description: 'Event types to receive; empty means all',
});
const WebhookStatus = OneOfStrings(['active', 'disabled']);
const Ordering = OneOfStrings(['none', 'fifo'], {
  description:
    '`fifo`: one delivery in flight at a time, each event only after the previous one succeeded or was ' +
    'dead-lettered; `none` (the default): deliveries in parallel, in no guaranteed order',
});
const RateLimit = Type.Number({
  exclusiveMinimum: 0,
  maximum: 100_000,
  description: 'Most deliveries per second each worker process sends to this webhook',
});

export const Webhook = Type.Object(
  {
    id: Type.String(),
    tenantId: Type.String(),
    url: Type.String(),
    description: Type.String(),
    events: Type.Array(Type.String()),
    status: WebhookStatus,
    disabledReason: Nullable(
      Type.String({ description: 'Why Herald disabled it; null when active or disabled by a person' }),
    ),
    failingSince: Nullable(
      Type.String({ format: 'date-time', description: 'First failure since the last success' }),
    ),
    ordering: Ordering,
    rateLimit: Nullable(RateLimit),
    hasSecret: Type.Boolean(),
    previousSecretExpiresAt: Nullable({
      ...Timestamp,
      description:
        'Until when the secret the last rotation replaced also signs (past: no longer); null when none does',
    }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  },
  { $id: 'Webhook' },
);

export const CreateWebhook = Type.Object(
  {
    url: WebhookUrl,
    secret: Type.Optional(Secret),
    events: Type.Optional(EventFilter),
    description: Type.Optional(Text({ maxLength: 500 })),
    ordering: Type.Optional(Ordering),
    rateLimit: Type.Optional(Nullable(RateLimit)),
  },
  { $id: 'CreateWebhook', additionalProperties: false },
);

export const UpdateWebhook = Type.Object(
  {
    url: Type.Optional(WebhookUrl),
    secret: Type.Optional(Nullable(Secret)),
    events: Type.Optional(EventFilter),
    description: Type.Optional(Text({ maxLength: 500 })),
    status: Type.Optional(WebhookStatus),
    ordering: Type.Optional(Ordering),
    rateLimit: Type.Optional(Nullable(RateLimit)),
  },
  { $id: 'UpdateWebhook', additionalProperties: false, minProperties: 1 },
);

export const HourOfAttempts = Type.Object(
  { start: Timestamp, succeeded: Count, failed: Count },
  { $id: 'HourOfAttempts' },
);

export const WebhookStats = Type.Object(
  {
    webhookId: Type.String(),
    since: {
      ...Timestamp,
      description: 'Start of the window counted: the 24 clock hours up to now, the current one included',
    },
    attempts: { ...Count, description: 'Attempts made in the window' },
    succeeded: Count,
    failed: Count,
    successRate: Nullable(
      Type.Number({ minimum: 0, maximum: 1, description: 'succeeded / attempts; null without attempts' }),
    ),
    averageResponseMs: Nullable(
      Type.Integer({ minimum: 0, description: 'Mean response time of the attempts; null without attempts' }),
    ),
    lastSuccessAt: Nullable({
      ...Timestamp,
      description: 'The latest successful attempt Herald keeps count of',
    }),
    lastFailureAt: Nullable({ ...Timestamp, description: 'The latest failed attempt Herald keeps count of' }),
    hours: Type.Array(HourOfAttempts, { description: 'The window hour by hour, oldest first: 24 entries' }),
  },
  { $id: 'WebhookStats' },
);

/** How long a replaced secret goes on signing unless the rotation says: a day. */
export const DEFAULT_GRACE_PERIOD_SECONDS = 86_400;
/** The longest a replaced secret may go on signing: 30 days. */
const MAX_GRACE_PERIOD_SECONDS = 30 * 86_400;

export const RotateSecret = Type.Object(
  {
    secret: Type.Optional({
      ...Secret,
      description: 'The new secret; when left out, Herald generates `whsec_` + 32 random bytes in base64',
    }),
    gracePeriod: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: MAX_GRACE_PERIOD_SECONDS,
        default: DEFAULT_GRACE_PERIOD_SECONDS,
        description: 'Seconds the replaced secret goes on signing beside the new one; 0 stops it at once',
      }),
    ),
  },
  { $id: 'RotateSecret', additionalProperties: false },
);

export const RotatedSecret = Type.Object(
  {
    secret: Type.String({ description: 'The new secret' }),
    webhook: Webhook,
  },
  { $id: 'RotatedSecret' },
);

export const WebhookSecret = Type.Object(
  {
    secret: Nullable(
      Type.String({ description: 'The secret that signs deliveries; null when they go out unsigned' }),
    ),
  },
  { $id: 'WebhookSecret' },
);

export type WebhookT = Static<typeof Webhook>;
export type WebhookStatsT = Static<typeof WebhookStats>;
