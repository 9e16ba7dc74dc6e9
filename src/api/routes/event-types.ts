import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HeraldError, notFound } from '../../core/errors.js';
import { TEST_EVENT_TYPE } from '../../core/event-catalog.js';
import type { ApiContext } from '../context.js';
import { CreateEventType, ErrorBody, EventType, listOf } from '../schemas.js';

export const eventTypeRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { directory, auth, catalog },
) => {
  app.get(
    '/event-types',
    {
      schema: {
        operationId: 'listEventTypes',
        summary: 'The event-type catalogue',
        tags: ['event types'],
        response: { 200: listOf(EventType) },
      },
    },
    async () => ({ data: await catalog.list() }),
  );

  app.post(
    '/event-types',
    {
      schema: {
        operationId: 'createEventType',
        summary: 'Add an event type to the catalogue (admin)',
        tags: ['event types'],
        body: CreateEventType,
        response: { 201: EventType, 403: ErrorBody, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      auth.requireAdmin(request.principal);
      const type = { name: request.body.name, description: request.body.description ?? '' };
      await directory.addEventType(type);
      catalog.invalidate();
      return reply.status(201).send(type);
    },
  );

  app.delete(
    '/event-types/:name',
    {
      schema: {
        operationId: 'deleteEventType',
        summary: 'Remove an event type from the catalogue (admin); refused while webhooks subscribe to it',
        tags: ['event types'],
        params: Type.Object({ name: Type.String() }),
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
