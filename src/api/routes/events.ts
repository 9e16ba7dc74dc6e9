import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { newId } from '../../core/ids.js';
import { buildEvent, formatEventTimestamp } from '../../core/payload.js';
import type { ApiContext } from '../context.js';
import { COMMON_ERRORS, ErrorBody, PublishEvent, PublishedEvent, TenantParams } from '../schemas.js';

export const eventRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app, { store, clock, catalog }) => {
  app.post(
    '/tenants/:tenantId/events',
    {
      schema: {
        summary:
          'Publish an event: stored with one delivery per subscribed active webhook before the answer. ' +
          'A repeated id answers with the first result and delivers nothing twice.',
        tags: ['events'],
        params: TenantParams,
        body: PublishEvent,
        response: { 202: PublishedEvent, 413: ErrorBody, ...COMMON_ERRORS },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.params;
      const { event, data, id } = request.body;
      await catalog.requireKnown([event]);
      const now = clock.now();
      const [published] = await store.publishEvents(
        [buildEvent({ id: id ?? newId('evt', now), tenantId, event, data, now })],
        now,
      );
      if (!published) throw new Error('publishEvents returned no result');
      if (published.duplicate) reply.header('idempotent-replayed', 'true');
      return reply.status(202).send({
        id: published.id,
        event: published.event,
        timestamp: formatEventTimestamp(published.timestamp),
        deliveries: published.deliveries,
      });
    },
  );
};
