import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HeraldError, notFound } from '../../core/errors.js';
import { SENT_BY_HERALD, TEST_EVENT_TYPE } from '../../core/event-catalog.js';
import type { ApiContext } from '../context.js';
import { requireUsableDefinition } from '../event-schemas.js';
import { presentEventType } from '../presenters.js';
import { CreateEventType, EventType, EventTypeParams, UpdateEventType } from '../schemas/event-types.js';
import { ErrorBody, listOf } from '../schemas/shapes.js';

export const eventTypeRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { directory, auth, catalog },
) => {
  app.get(
    '/event-types',
    {
      schema: {
        operationId: 'listEventTypes',
        summary:
          "The event-type catalogue in its order (the product documentation's types first), each with " +
          'its schema and example',
        tags: ['event types'],
        response: { 200: listOf(EventType) },
      },
    },
    async () => ({ data: (await catalog.list()).map(presentEventType) }),
  );

  app.get(
    '/event-types/:name',
    {
      schema: {
        operationId: 'getEventType',
        summary: 'One event type with its schema and example',
        tags: ['event types'],
        params: EventTypeParams,
        response: { 200: EventType, 404: ErrorBody },
      },
    },
    async (request) => {
      const type = await catalog.find(request.params.name);
      if (!type) throw notFound.eventType(request.params.name);
      return presentEventType(type);
    },
  );

  app.post(
    '/event-types',
    {
      schema: {
        operationId: 'createEventType',
        summary:
          'Add an event type at the end of the catalogue (admin); an example must match the schema, and ' +
          'enforceSchema needs a schema',
        tags: ['event types'],
        body: CreateEventType,
        response: { 201: EventType, 403: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const { name, description = '', schema = null, example = null, enforceSchema = false } = request.body;
      const type = { name, description, schema, example, enforceSchema };
      requireUsableDefinition(type);
      await directory.addEventType(type);
      catalog.invalidate();
      return reply.status(201).send(presentEventType(type));
    },
  );

  app.patch(
    '/event-types/:name',
    {
      schema: {
        operationId: 'updateEventType',
        summary:
          "Change an event type's description, schema, example or enforcement (admin); Herald's own " +
          'types are fixed (409 EVENT_TYPE_PROTECTED)',
        tags: ['event types'],
        params: EventTypeParams,
        body: UpdateEventType,
        response: { 200: EventType, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request) => {
      auth.requireAdmin(request.principal);
      const { name } = request.params;
      const sender = SENT_BY_HERALD.get(name);
      if (sender !== undefined) {
        throw new HeraldError(
          'EVENT_TYPE_PROTECTED',
          `${name} is sent only by ${sender}; its schema describes what Herald sends and stays as it is.`,
        );
      }
      const current = await catalog.find(name);
      if (!current) throw notFound.eventType(name);
      const type = { ...current, ...request.body };
      requireUsableDefinition(type);
      if (!(await directory.updateEventType(type))) throw notFound.eventType(name);
      catalog.invalidate();
      return presentEventType(type);
    },
  );

  app.delete(
    '/event-types/:name',
    {
      schema: {
        operationId: 'deleteEventType',
        summary: 'Remove an event type from the catalogue (admin); refused while webhooks subscribe to it',
        tags: ['event types'],
        params: EventTypeParams,
        response: { 204: Type.Null(), 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const { name } = request.params;
      if (name === TEST_EVENT_TYPE) {
        throw new HeraldError(
          'EVENT_TYPE_PROTECTED',
          `${TEST_EVENT_TYPE} is used by the Test action and stays.`,
        );
      }
      const removal = await directory.removeEventType(name);
      if (removal.outcome === 'absent') throw notFound.eventType(name);
      if (removal.outcome === 'in-use') {
        const webhooks =
          removal.webhooks === 1 ? '1 webhook subscribes' : `${removal.webhooks} webhooks subscribe`;
        throw new HeraldError(
          'EVENT_TYPE_IN_USE',
          `${webhooks} to ${name}; remove it from their event filters before deleting it.`,
        );
      }
      catalog.invalidate();
      return reply.status(204).send(null);
    },
  );
};
