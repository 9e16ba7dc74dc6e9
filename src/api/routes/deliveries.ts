import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Static } from '@sinclair/typebox';
import { deliveryHeaders } from '../../core/delivery-headers.js';
import { HeraldError, notFound } from '../../core/errors.js';
import { DELIVERY_PREFIX } from '../../core/public-ids.js';
import type { Webhook } from '../../core/types.js';
import type { DeliveryFilter } from '../../store/store.js';
import { USER_AGENT } from '../../version.js';
import type { ApiContext } from '../context.js';
import { EVENT_TIMELINE_ATTEMPTS } from '../limits.js';
import { presentDelivery, requireCursor, toPage } from '../presenters.js';
import {
  Delivery,
  DeliveryDetail,
  DeliveryListQuery,
  DeliveryPage,
  EventTimeline,
} from '../schemas/deliveries.js';
import { ErrorBody, TenantItemParams } from '../schemas/shapes.js';
import { loadWebhook } from './webhooks.js';

/** The history filters of a list's query string; an empty time range is refused, not answered with nothing. */
function toDeliveryFilter(query: Omit<Static<typeof DeliveryListQuery>, 'limit' | 'cursor'>): DeliveryFilter {
  const { status, event, eventId, after, before } = query;
  if (after !== undefined && before !== undefined && Date.parse(after) >= Date.parse(before)) {
    throw new HeraldError('VALIDATION_FAILED', `after (${after}) must be earlier than before (${before}).`);
  }
  return {
    ...(status === undefined ? {} : { status }),
    ...(event === undefined ? {} : { event }),
    ...(eventId === undefined ? {} : { eventId }),
    ...(after === undefined ? {} : { attemptedFrom: Date.parse(after) }),
    ...(before === undefined ? {} : { attemptedBefore: Date.parse(before) }),
  };
}

export function requireActive(webhook: Webhook): void {
  if (webhook.status !== 'active') {
    throw new HeraldError(
      'WEBHOOK_DISABLED',
      `Webhook ${webhook.id} is disabled; enable it (PATCH status "active") before sending to it again.`,
    );
  }
}

export const deliveryRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { directory, history, publisher, clock },
) => {
  app.get(
    '/tenants/:tenantId/webhooks/:id/deliveries',
    {
      schema: {
        operationId: 'listDeliveries',
        summary:
          "A webhook's delivery history, one row per attempt, newest first, filtered by status, event type, " +
          'event id and time; `total` counts every attempt the filters match',
        tags: ['deliveries'],
        params: TenantItemParams,
        querystring: DeliveryListQuery,
        response: { 200: DeliveryPage },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const { limit = 50, cursor, ...query } = request.query;
      await loadWebhook(directory, tenantId, id);
      const filter = toDeliveryFilter(query);
      const before = requireCursor(DELIVERY_PREFIX, cursor);
      const [rows, total] = await Promise.all([
        history.listDeliveries(tenantId, id, {
          ...filter,
          limit: limit + 1,
          ...(before === undefined ? {} : { before }),
        }),
        history.countDeliveries(tenantId, id, filter),
      ]);
      return { ...toPage(rows, limit, presentDelivery), total };
    },
  );

  app.get(
    '/tenants/:tenantId/events/:id',
    {
      schema: {
        operationId: 'getEventTimeline',
        summary:
          'An event as published, with every attempt to deliver it to each webhook, oldest first ' +
          '(search by the `webhook-id` a receiver saw: it is the event id)',
        tags: ['deliveries'],
        params: TenantItemParams,
        response: { 200: EventTimeline },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const timeline = await history.getEventTimeline(tenantId, id, EVENT_TIMELINE_ATTEMPTS);
      if (!timeline) throw notFound.event(id);
      return {
        id: timeline.id,
        event: timeline.event,
        timestamp: new Date(timeline.timestamp).toISOString(),
        payload: timeline.payload.toString('utf8'),
        deliveries: timeline.deliveries.map(presentDelivery),
        totalDeliveries: timeline.totalDeliveries,
      };
    },
  );

  app.get(
    '/tenants/:tenantId/deliveries/:id',
    {
      schema: {
        operationId: 'getDelivery',
        summary: 'One attempt with its request (the headers it was sent with) and response excerpt',
        tags: ['deliveries'],
        params: TenantItemParams,
        response: { 200: DeliveryDetail },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const delivery = await history.getDelivery(tenantId, id);
      if (!delivery) throw notFound.delivery(id);
      const webhook = await loadWebhook(directory, tenantId, delivery.webhookId);
      return {
        ...presentDelivery(delivery),
        responseBody: delivery.responseBody,
        request: {
          url: webhook.url,
          headers:
            delivery.requestHeaders ??
            deliveryHeaders({
              eventId: delivery.eventId,
              secret: webhook.secret,
              payload: delivery.payload,
              attemptedAtSeconds: Math.floor(delivery.timestamp / 1000),
              userAgent: USER_AGENT,
            }),
          body: delivery.payload.toString('utf8'),
          headersSent: delivery.requestHeaders !== null,
        },
      };
    },
  );

  app.post(
    '/tenants/:tenantId/deliveries/:id/resend',
    {
      schema: {
        operationId: 'resendDelivery',
        summary:
          'Deliver the same event to the same webhook again, as a new delivery with the full retry schedule',
        tags: ['deliveries'],
        params: TenantItemParams,
        response: { 202: Delivery, 409: ErrorBody },
      },
    },
    async (request, reply) => {
      const { tenantId, id } = request.params;
      const original = await history.getDelivery(tenantId, id);
      if (!original) throw notFound.delivery(id);
      requireActive(await loadWebhook(directory, tenantId, original.webhookId));
      const resent = await publisher.resendDelivery(tenantId, id, clock.now());
      if (!resent) throw notFound.delivery(id);
      return reply.status(202).send(presentDelivery(resent));
    },
  );
};
