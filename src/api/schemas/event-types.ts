import { type Static, Type } from '@sinclair/typebox';
import { EVENT_TYPE_NAME_PATTERN } from '../../core/event-catalog.js';
import { Nullable, Text } from './shapes.js';

/** The event catalogue: the types a tenant publishes, with their schemas and examples. */

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

export type EventTypeT = Static<typeof EventType>;
