import { type Static, type StringOptions, type TSchema, Type } from '@sinclair/typebox';
import { EVENT_TYPE_NAME_PATTERN } from '../core/event-catalog.js';
import { MAX_BATCH_EVENTS, MAX_QUOTA } from '../core/tenant-limits.js';
import { EVENT_TIMELINE_ATTEMPTS } from './limits.js';

/**
 * The API's shapes, once: routes validate with them and /openapi.json is generated from them.
 */

/**
 * Text Herald stores. PostgreSQL text cannot hold NUL, so neither backend is given one: both refuse
 * it alike, at validation. `describeSchemaError` words this pattern's failure.
 */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';
export const Text = (options: StringOptions = {}) => Type.String({ pattern: NO_NUL_PATTERN, ...options });

const Timestamp = Type.String({ format: 'date-time', description: 'ISO-8601 UTC' });
/**
 * `schema` or null, in OpenAPI 3.0's own words (`nullable`). Not `anyOf [schema, null]`: a union
 * makes the response serialiser validate each value to pick a branch, and compile that validator
 * (the route's whole schema, ~150 ms of the event loop) on the route's first answer.
 */
const Nullable = <T extends TSchema>(schema: T) => {
  const { $id: _named, ...inline } = schema;
  return Type.Unsafe<Static<T> | null>({ ...inline, nullable: true });
};

/** One of a few strings: an `enum`, not a union of literals, for the reason `Nullable` gives. */
const OneOfStrings = <const T extends readonly string[]>(values: T, options: StringOptions = {}) =>
  Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });

export const ErrorBody = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: 'Stable UPPER_SNAKE_CASE code' }),
      message: Type.String({ description: 'What went wrong and what to do about it' }),
    }),
  },
  { $id: 'Error' },
);

export const TENANT_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
export const TenantId = Type.String({
  pattern: TENANT_ID_PATTERN,
  description: 'Letters, digits, `_` and `-`, at most 64',
  examples: ['tenant_abc123'],
});

const MaxWebhooks = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description: 'Webhooks the tenant may have; 0: no limit',
});
const MaxBatchEvents = Type.Integer({
  minimum: 1,
  maximum: MAX_BATCH_EVENTS,
  description: 'Events one batch publish may carry',
});
const PublishRate = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description:
    'Events a second the tenant may publish to each API process, whichever key (the admin key too); ' +
    'bursts up to one second worth; 0: no limit',
});
const KeyPublishRate = Type.Integer({
  minimum: 0,
  maximum: MAX_QUOTA,
  description: "Events a second each of the tenant's API keys may publish to each API process; 0: no limit",
});

export const EffectiveLimits = Type.Object(
  {
    maxWebhooks: MaxWebhooks,
    maxBatchEvents: MaxBatchEvents,
    publishRate: PublishRate,
    keyPublishRate: KeyPublishRate,
  },
  { description: "The limits in force: the tenant's own, else the installation's settings" },
);

export const ACCENT_COLOR_PATTERN = '^#[0-9a-fA-F]{6}$';
const AccentColor = Type.String({
  pattern: ACCENT_COLOR_PATTERN,
  description:
    'Buttons, links and the current page in the console, as `#rrggbb`; 4.5:1 against white at least',
  examples: ['#0f5bd8'],
});
/** Up to 64 KB: a data URL keeps the logo inside Herald, so the console loads nothing from another host. */
export const MAX_LOGO_URL_LENGTH = 65_536;
export const LOGO_URL_PATTERN =
  '^(https://[^\\s]+|data:image/(png|jpeg|gif|webp|svg\\+xml);base64,[A-Za-z0-9+/=]+)$';
const LogoUrl = Type.String({
  maxLength: MAX_LOGO_URL_LENGTH,
  pattern: LOGO_URL_PATTERN,
  description: 'The logo shown in the console header: an https URL, or a `data:image/…;base64,` URL',
});
const ProductName = Text({
  minLength: 1,
  maxLength: 60,
  description: 'Shown in the header and the tab title instead of "Herald"',
  examples: ['Acme Analytics'],
});

export const TenantBranding = Type.Object(
  {
    accentColor: Type.Optional(AccentColor),
    logoUrl: Type.Optional(LogoUrl),
    productName: Type.Optional(ProductName),
  },
  {
    $id: 'TenantBranding',
    description:
      "How the console looks to the tenant's own people (its API keys and portal links); each left out keeps Herald's",
  },
);

export const Tenant = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    createdAt: Timestamp,
    limits: Type.Partial(EffectiveLimits, {
      description: 'The limits the admin set for this tenant; the others follow the settings',
    }),
    effectiveLimits: EffectiveLimits,
    branding: TenantBranding,
  },
  { $id: 'Tenant' },
);

export const CreateTenant = Type.Object(
  { id: Type.Optional(TenantId), name: Type.Optional(Text({ maxLength: 200 })) },
  { $id: 'CreateTenant', additionalProperties: false },
);

export const UpdateTenant = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    limits: Type.Optional(
      Type.Object(
        {
          maxWebhooks: Type.Optional(Nullable(MaxWebhooks)),
          maxBatchEvents: Type.Optional(Nullable(MaxBatchEvents)),
          publishRate: Type.Optional(Nullable(PublishRate)),
          keyPublishRate: Type.Optional(Nullable(KeyPublishRate)),
        },
        {
          additionalProperties: false,
          description: "The tenant's own limits to set; null returns one to the setting, one left out stays",
        },
      ),
    ),
    branding: Type.Optional(
      Type.Object(
        {
          accentColor: Type.Optional(Nullable(AccentColor)),
          logoUrl: Type.Optional(Nullable(LogoUrl)),
          productName: Type.Optional(Nullable(ProductName)),
        },
        {
          additionalProperties: false,
          description: "Branding to set; null returns one to Herald's own, one left out stays",
        },
      ),
    ),
  },
  { $id: 'UpdateTenant', additionalProperties: false, minProperties: 1 },
);

export const CreateApiKey = Type.Object(
  {
    name: Type.Optional(Text({ maxLength: 200 })),
    expiresAt: Type.Optional(
      Type.String({ format: 'date-time', description: 'When the key stops working (not with expiresIn)' }),
    ),
    expiresIn: Type.Optional(
      Type.Integer({ minimum: 60, description: 'Seconds until the key stops working (not with expiresAt)' }),
    ),
  },
  { $id: 'CreateApiKey', additionalProperties: false },
);

const apiKeyFields = {
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  prefix: Nullable(Type.String({ description: "The key's first characters, to tell keys apart" })),
  createdAt: Timestamp,
  expiresAt: Nullable(Type.String({ format: 'date-time', description: 'Null: never expires' })),
};

export const ApiKey = Type.Object(
  {
    ...apiKeyFields,
    lastUsedAt: Nullable(
      Type.String({ format: 'date-time', description: 'Updated at most once a minute; null: never used' }),
    ),
  },
  { $id: 'ApiKey' },
);

export const CreatedApiKey = Type.Object(
  {
    ...apiKeyFields,
    key: Type.String({ description: 'Shown once; Herald keeps only its hash' }),
  },
  { $id: 'CreatedApiKey' },
);

export const EventTypeName = Type.String({ pattern: EVENT_TYPE_NAME_PATTERN, maxLength: 100 });

const DataSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: "A JSON Schema (draft-07) of the event's `data`",
});
const DataExample = Type.Record(Type.String(), Type.Unknown(), {
  description: 'A realistic `data` for the type; it must match the schema. A Test of this type sends it',
});
const EnforceSchema = Type.Boolean({
  description:
    'Refuse publishes whose `data` does not match the schema (422 SCHEMA_MISMATCH, naming the path)',
});

export const EventType = Type.Object(
  {
    name: Type.String(),
    description: Type.String(),
    schema: Nullable(DataSchema),
    example: Nullable(DataExample),
    enforceSchema: EnforceSchema,
    subscribable: Type.Boolean({
      description:
        'Whether a webhook may name it in its events (webhook.test goes to the webhook tested only)',
    }),
    sentByHerald: Type.Boolean({
      description: 'Sent only by Herald itself (422 EVENT_TYPE_RESERVED when published); its schema is fixed',
    }),
  },
  { $id: 'EventType' },
);

export const CreateEventType = Type.Object(
  {
    name: EventTypeName,
    description: Type.Optional(Text({ maxLength: 500 })),
    schema: Type.Optional(DataSchema),
    example: Type.Optional(DataExample),
    enforceSchema: Type.Optional(EnforceSchema),
  },
  { $id: 'CreateEventType', additionalProperties: false },
);

export const UpdateEventType = Type.Object(
  {
    description: Type.Optional(Text({ maxLength: 500 })),
    schema: Type.Optional(Nullable(DataSchema)),
    example: Type.Optional(Nullable(DataExample)),
    enforceSchema: Type.Optional(EnforceSchema),
  },
  {
    $id: 'UpdateEventType',
    additionalProperties: false,
    description: 'Only the fields given change; null removes the schema or the example',
  },
);

export const EventTypeParams = Type.Object({ name: Type.String({ maxLength: 100 }) });

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

const Count = Type.Integer({ minimum: 0 });

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

export const AttemptStatus = OneOfStrings(['pending', 'succeeded', 'failed']);

export const Delivery = Type.Object(
  {
    id: Type.String(),
    webhookId: Type.String(),
    eventId: Type.String(),
    event: Type.String(),
    attempt: Type.Integer({ minimum: 1 }),
    status: AttemptStatus,
    statusCode: Nullable(Type.Integer()),
    responseTimeMs: Nullable(Type.Integer()),
    timestamp: Type.String({ description: 'When the attempt was made (pending: when it was scheduled)' }),
    error: Nullable(Type.String()),
    nextAttemptAt: Nullable(Type.String()),
    trigger: OneOfStrings(['event', 'test', 'resend', 'replay']),
  },
  { $id: 'Delivery' },
);

export const DeliveryDetail = Type.Intersect(
  [
    Delivery,
    Type.Object({
      responseBody: Nullable(Type.String({ description: 'The first 4 KB of the response body' })),
      request: Type.Object({
        url: Type.String(),
        headers: Type.Record(Type.String(), Type.String()),
        body: Type.String(),
        headersSent: Type.Boolean({
          description:
            'true: `headers` are those the attempt was sent with; false: it has not been sent (yet), or was sent ' +
            'by a version of Herald that did not record them, and `headers` are those it would carry now',
        }),
      }),
    }),
  ],
  { $id: 'DeliveryDetail' },
);

export const DeadLetterAttempt = Type.Object(
  {
    deliveryId: Type.String({ description: 'The attempt in the delivery history' }),
    statusCode: Nullable(Type.Integer({ description: 'Null when no response came (timeout, refused)' })),
    responseBody: Type.Optional(
      Nullable(Type.String({ description: 'The start of the response body (read with one dead letter)' })),
    ),
  },
  { $id: 'DeadLetterAttempt' },
);

export const DeliveryPage = Type.Object(
  {
    data: Type.Array(Delivery),
    nextCursor: Nullable(Type.String()),
    total: Type.Integer({ description: 'How many attempts match the filters, on every page' }),
  },
  { $id: 'DeliveryPage' },
);

export const EventTimeline = Type.Object(
  {
    id: Type.String({ description: "The event's id: every attempt's `webhook-id` header" }),
    event: Type.String(),
    timestamp: Timestamp,
    payload: Type.String({ description: 'The exact body every attempt sends' }),
    deliveries: Type.Array(Delivery, { description: 'Its attempts to every webhook, oldest first' }),
    totalDeliveries: Type.Integer({
      description: `How many attempts it has; \`deliveries\` holds the first ${EVENT_TIMELINE_ATTEMPTS}`,
    }),
  },
  { $id: 'EventTimeline' },
);

export const DeadLetter = Type.Object(
  {
    id: Type.String(),
    webhookId: Type.String(),
    url: Type.String(),
    eventId: Type.String(),
    event: Type.String(),
    error: Type.String(),
    attempts: Type.Integer(),
    failedAt: Timestamp,
    lastAttempt: Nullable({
      ...DeadLetterAttempt,
      description: 'The attempt that put it in the queue; null once the history no longer holds it',
    }),
    payload: Type.Optional(Type.String({ description: 'The exact body that was sent' })),
  },
  { $id: 'DeadLetter' },
);

export const DeadLetterPage = Type.Object(
  {
    data: Type.Array(DeadLetter),
    nextCursor: Nullable(Type.String()),
    total: Type.Integer({ description: 'How many dead letters match the filters, on every page' }),
  },
  { $id: 'DeadLetterPage' },
);

/** What selects dead letters in the list, a replay and a discard. */
const DeadLetterFilterFields = {
  webhookId: Type.Optional(Text({ maxLength: 100 })),
  event: Type.Optional(Text({ maxLength: 100, description: 'Only dead letters of this event type' })),
  after: Type.Optional(
    Type.String({ format: 'date-time', description: 'Only dead letters that failed at or after this time' }),
  ),
  before: Type.Optional(
    Type.String({ format: 'date-time', description: 'Only dead letters that failed before this time' }),
  ),
};

export const DeadLetterQuery = Type.Object(
  {
    ...DeadLetterFilterFields,
    includePayload: Type.Optional(Type.Boolean({ description: 'Include each payload as sent' })),
  },
  { additionalProperties: false },
);

/** Bulk actions name at most this many dead letters; "all matching" takes filters instead. */
const MAX_SELECTED = 1000;

const SelectedIds = Type.Optional(
  Type.Array(Type.String({ maxLength: 100 }), {
    minItems: 1,
    maxItems: MAX_SELECTED,
    uniqueItems: true,
    description: 'Only these dead letters (ids not in the queue any more are passed over)',
  }),
);

export const ReplayPage = Type.Object(
  {
    data: Type.Array(Delivery),
    total: Type.Integer({ description: 'How many replays are under way' }),
  },
  { $id: 'ReplayPage' },
);

export const PublishEvent = Type.Object(
  {
    event: Text({ minLength: 1, maxLength: 100 }),
    data: Type.Record(Type.String(), Type.Unknown(), { description: 'Any JSON object' }),
    id: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9_.:-]{1,128}$',
        description: 'Idempotency key: the same id in the same tenant is stored and delivered once',
      }),
    ),
  },
  { $id: 'PublishEvent', additionalProperties: false },
);

export const PublishedEvent = Type.Object(
  {
    id: Type.String(),
    event: Type.String(),
    timestamp: Timestamp,
    deliveries: Type.Integer({
      description: 'Deliveries queued (for a repeated id: those of the first publish)',
    }),
  },
  { $id: 'PublishedEvent' },
);

export const PublishBatch = Type.Object(
  {
    events: Type.Array(Type.Unknown({ description: 'An event as POST /events takes it' }), {
      minItems: 1,
      description: `At most the tenant's maxBatchEvents (${MAX_BATCH_EVENTS} unless set lower)`,
    }),
  },
  { $id: 'PublishBatch', additionalProperties: false },
);

export const PublishBatchResult = Type.Object(
  {
    data: Type.Array(Type.Union([PublishedEvent, ErrorBody]), {
      description: 'One result per event, in order: the published event, or why it was refused',
    }),
  },
  { $id: 'PublishBatchResult' },
);

export const ReplayAll = Type.Object(
  {
    ids: SelectedIds,
    ...DeadLetterFilterFields,
    dryRun: Type.Optional(
      Type.Boolean({ description: 'Count what would be replayed and skipped, and change nothing' }),
    ),
  },
  { $id: 'ReplayAll', additionalProperties: false },
);

export const ReplayedDeadLetter = Type.Object(
  { id: Type.String(), deliveryId: Type.String() },
  { $id: 'ReplayedDeadLetter' },
);

export const SkippedDeadLetters = Type.Object(
  {
    webhookId: Type.String(),
    url: Type.String(),
    description: Type.String(),
    reason: Type.Literal('webhook_disabled', {
      description: 'Its webhook is disabled: enable it, then replay',
    }),
    disabledReason: Nullable(
      Type.String({ description: 'Why the webhook was disabled, when Herald did it' }),
    ),
    count: Type.Integer({ description: 'Dead letters of this webhook left in the queue' }),
  },
  { $id: 'SkippedDeadLetters' },
);

export const ReplayedDeadLetters = Type.Object(
  {
    replayed: Type.Integer({ description: 'Dead letters replayed (with dryRun: that would be)' }),
    skipped: Type.Array(SkippedDeadLetters, {
      description: 'Selected dead letters left in the queue, per webhook, and why',
    }),
    dryRun: Type.Boolean(),
  },
  { $id: 'ReplayedDeadLetters' },
);

export const DiscardDeadLetters = Type.Object(
  { ids: SelectedIds, ...DeadLetterFilterFields },
  { $id: 'DiscardDeadLetters', additionalProperties: false },
);

export const DiscardedDeadLetters = Type.Object(
  { discarded: Type.Integer() },
  { $id: 'DiscardedDeadLetters' },
);

export const PortalLinkRequest = Type.Object(
  {
    expiresIn: Type.Optional(
      Type.Integer({
        minimum: 60,
        maximum: 7 * 24 * 3600,
        description: 'Seconds until the link expires (default 3600)',
      }),
    ),
  },
  { $id: 'PortalLinkRequest', additionalProperties: false },
);

export const PortalLink = Type.Object({ url: Type.String(), expiresAt: Timestamp }, { $id: 'PortalLink' });

export const Me = Type.Object(
  {
    role: OneOfStrings(['admin', 'tenant']),
    tenantId: Nullable(Type.String()),
    tenantName: Nullable(Type.String({ description: "The tenant's name; null for the admin" })),
    branding: Nullable(TenantBranding),
    expiresAt: Nullable({
      ...Timestamp,
      description: 'When this key or portal link stops working; null when it does not expire',
    }),
    effectiveLimits: Type.Optional(EffectiveLimits),
  },
  { $id: 'Me' },
);

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 100 })),
  },
  { additionalProperties: false },
);

export const DeliveryListQuery = Type.Composite(
  [
    PageQuery,
    Type.Object({
      status: Type.Optional(AttemptStatus),
      event: Type.Optional(Type.String({ maxLength: 100, description: 'Only attempts of this event type' })),
      eventId: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 200,
          description: "Only attempts of this event (its id is every attempt's `webhook-id` header)",
        }),
      ),
      after: Type.Optional(
        Type.String({
          format: 'date-time',
          description: 'Only attempts made (pending: scheduled) at or after this time',
        }),
      ),
      before: Type.Optional(
        Type.String({
          format: 'date-time',
          description: 'Only attempts made (pending: scheduled) before this time',
        }),
      ),
    }),
  ],
  { additionalProperties: false },
);

export function pageOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
}

export function listOf<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item) });
}

export const TenantParams = Type.Object({ tenantId: Type.String() });
export const TenantItemParams = Type.Object({ tenantId: Type.String(), id: Type.String() });

export type TenantT = Static<typeof Tenant>;
export type ApiKeyT = Static<typeof ApiKey>;
export type WebhookT = Static<typeof Webhook>;
export type WebhookStatsT = Static<typeof WebhookStats>;
export type DeliveryT = Static<typeof Delivery>;
export type DeadLetterT = Static<typeof DeadLetter>;
export type SkippedDeadLettersT = Static<typeof SkippedDeadLetters>;
export type EventTypeT = Static<typeof EventType>;
