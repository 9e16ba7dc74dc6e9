import { Type } from '@sinclair/typebox';
import { MAX_BATCH_EVENTS } from '../../core/tenant-limits.js';
import { ErrorBody, Text, Timestamp } from './shapes.js';

/** Publishing: one event, or a batch, and what each publish answers. */

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
