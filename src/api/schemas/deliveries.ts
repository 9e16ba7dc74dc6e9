import { type Static, Type } from '@sinclair/typebox';
import { EVENT_TIMELINE_ATTEMPTS } from '../limits.js';
import { Nullable, OneOfStrings, PageQuery, Timestamp } from './shapes.js';

/** Delivery attempts, alone, as a page, and as one event's timeline. */

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

export type DeliveryT = Static<typeof Delivery>;
