import { type Static, Type } from '@sinclair/typebox';
import { Delivery } from './deliveries.js';
import { Nullable, Text, Timestamp } from './shapes.js';

/** The dead letter queue: its entries, their filters, and replaying or discarding them. */

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

export type DeadLetterT = Static<typeof DeadLetter>;
export type SkippedDeadLettersT = Static<typeof SkippedDeadLetters>;
