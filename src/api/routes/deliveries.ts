import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { deliveryHeaders } from '../../core/delivery-headers.js';
import { HeraldError, notFound } from '../../core/errors.js';
import { DELIVERY_PREFIX } from '../../core/public-ids.js';
import type { Webhook } from '../../core/types.js';
import { USER_AGENT } from '../../version.js';
import type { ApiContext } from '../context.js';
import { presentDelivery, requireCursor, toPage } from '../presenters.js';
import {
  AttemptStatus,
  Delivery,
  DeliveryDetail,
  ErrorBody,
  PageQuery,
  pageOf,
  TenantItemParams,
} from '../schemas.js';
import { loadWebhook } from './webhooks.js';

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
        summary: "A webhook's delivery history, one row per attempt, newest first",
        tags: ['deliveries'],
        params: TenantItemParams,
        querystring: Type.Composite([PageQuery, Type.Object({ status: Type.Optional(AttemptStatus) })], {
          additionalProperties: false,
        }),
        response: { 200: pageOf(Delivery) },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const { limit = 50, cursor, status } = request.query;
      await loadWebhook(directory, tenantId, id);
      const rows = await history.listDeliveries(tenantId, id, {
        limit: limit + 1,
        ...(cursor === undefined ? {} : { before: requireCursor(DELIVERY_PREFIX, cursor) as string }),
        ...(status === undefined ? {} : { status }),
      });
      return toPage(rows, limit, presentDelivery);
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
