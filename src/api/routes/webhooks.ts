import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { lastHours } from '../../core/attempt-window.js';
import { HeraldError, notFound, unknownEventType } from '../../core/errors.js';
import { TEST_EVENT_TYPE, testEventData } from '../../core/event-catalog.js';
import { newId } from '../../core/ids.js';
import { buildEvent } from '../../core/payload.js';
import { generateSecret, secretProblem } from '../../core/signing.js';
import type { Webhook } from '../../core/types.js';
import { webhookUrlProblem } from '../../core/webhook-url.js';
import type { WebhookDirectory } from '../../store/store.js';
import type { ApiContext, RouteContext } from '../context.js';
import { presentDelivery, presentWebhook, presentWebhookStats, toPage } from '../presenters.js';
import { tooManyWebhooks } from '../quota-errors.js';
import { Delivery } from '../schemas/deliveries.js';
import { listOf, PageQuery, pageOf, TenantItemParams, TenantParams } from '../schemas/shapes.js';
import {
  CreateWebhook,
  DEFAULT_GRACE_PERIOD_SECONDS,
  RotatedSecret,
  RotateSecret,
  TestWebhook,
  UpdateWebhook,
  Webhook as WebhookSchema,
  WebhookSecret,
  WebhookStats,
} from '../schemas/webhooks.js';

/** Health is shown over the last day, hour by hour. */
const STATS_HOURS = 24;

export async function loadWebhook(
  webhooks: Pick<WebhookDirectory, 'getWebhook'>,
  tenantId: string,
  id: string,
): Promise<Webhook> {
  const webhook = await webhooks.getWebhook(tenantId, id);
  if (!webhook) throw notFound.webhook(id);
  return webhook;
}

/** Refuses what cannot be delivered to: malformed, or a non-public address outside the allow list. */
async function requireDeliverableUrl(refuseUrl: ApiContext['refuseUrl'], url: string): Promise<void> {
  const problem = webhookUrlProblem(url);
  if (problem) throw new HeraldError('INVALID_URL', problem);
  const refusal = await refuseUrl(url);
  if (refusal) throw new HeraldError('URL_NOT_ALLOWED', refusal);
}

/** Refuses a secret that cannot sign (see secretProblem); no secret at all is fine. */
function requireUsableSecret(secret: string | null | undefined): void {
  const problem = secret ? secretProblem(secret) : null;
  if (problem) throw new HeraldError('VALIDATION_FAILED', `body.secret: ${problem}.`);
}

export const webhookRoutes: FastifyPluginAsyncTypebox<RouteContext> = async (app, context) => {
  const { directory, history, clock, catalog, refuseUrl, sendNow, limits } = context;

  app.post(
    '/tenants/:tenantId/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        summary: 'Register a webhook',
        tags: ['webhooks'],
        params: TenantParams,
        body: CreateWebhook,
        response: { 201: WebhookSchema },
      },
    },
    async (request, reply) => {
      const {
        url,
        secret,
        events = [],
        description = '',
        ordering = 'none',
        rateLimit = null,
      } = request.body;
      const { tenantId } = request.params;
      requireUsableSecret(secret);
      await requireDeliverableUrl(refuseUrl, url);
      await catalog.requireSubscribable(events);
      const now = clock.now();
      const webhook: Webhook = {
        id: newId('wh', now),
        tenantId,
        url,
        description,
        events,
        status: 'active',
        disabledReason: null,
        failingSince: null,
        ordering,
        rateLimit,
        secret: secret ?? null,
        previousSecretUntil: null,
        createdAt: now,
        updatedAt: now,
      };
      const { maxWebhooks } = await limits.of(tenantId);
      if (!(await directory.createWebhook(webhook, maxWebhooks > 0 ? { maxWebhooks } : undefined))) {
        throw tooManyWebhooks(tenantId, maxWebhooks);
      }
      return reply.status(201).send(presentWebhook(webhook));
    },
  );

  app.get(
    '/tenants/:tenantId/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        summary: 'List webhooks, oldest first',
        tags: ['webhooks'],
        params: TenantParams,
        querystring: PageQuery,
        response: { 200: pageOf(WebhookSchema) },
      },
    },
    async (request) => {
      const { limit = 50, cursor } = request.query;
      const page = { limit: limit + 1, ...(cursor === undefined ? {} : { after: cursor }) };
      return toPage(await directory.listWebhooks(request.params.tenantId, page), limit, presentWebhook);
    },
  );

  app.get(
    '/tenants/:tenantId/webhook-stats',
    {
      schema: {
        operationId: 'listWebhookStats',
        summary: "Every webhook's attempts over the last 24 hours, last success and last failure",
        description:
          'One entry per webhook of the tenant, ordered by webhook id. Kept up as attempts are recorded, ' +
          'so this stays cheap however many webhooks and attempts there are.',
        tags: ['webhooks'],
        params: TenantParams,
        response: { 200: listOf(WebhookStats) },
      },
    },
    async (request) => {
      const hours = lastHours(clock.now(), STATS_HOURS);
      const since = hours[0] as number;
      const stats = await history.webhookAttemptStats(request.params.tenantId, { since });
      return { data: stats.map((entry) => presentWebhookStats(entry, hours)) };
    },
  );

  app.get(
    '/tenants/:tenantId/webhooks/:id/stats',
    {
      schema: {
        operationId: 'getWebhookStats',
        summary: "One webhook's attempts over the last 24 hours, last success and last failure",
        tags: ['webhooks'],
        params: TenantItemParams,
        response: { 200: WebhookStats },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const hours = lastHours(clock.now(), STATS_HOURS);
      const since = hours[0] as number;
      const [stats] = await history.webhookAttemptStats(tenantId, { since, webhookId: id });
      if (!stats) throw notFound.webhook(id);
      return presentWebhookStats(stats, hours);
    },
  );

  app.get(
    '/tenants/:tenantId/webhooks/:id',
    {
      schema: {
        operationId: 'getWebhook',
        summary: 'One webhook',
        tags: ['webhooks'],
        params: TenantItemParams,
        response: { 200: WebhookSchema },
      },
    },
    async (request) =>
      presentWebhook(await loadWebhook(directory, request.params.tenantId, request.params.id)),
  );

  app.patch(
    '/tenants/:tenantId/webhooks/:id',
    {
      schema: {
        operationId: 'updateWebhook',
        summary: 'Change a webhook; `secret: null` removes the secret, `status` enables or disables it',
        tags: ['webhooks'],
        params: TenantItemParams,
        body: UpdateWebhook,
        response: { 200: WebhookSchema },
      },
    },
    async (request) => {
      const current = await loadWebhook(directory, request.params.tenantId, request.params.id);
      const change = request.body;
      requireUsableSecret(change.secret);
      if (change.url !== undefined) await requireDeliverableUrl(refuseUrl, change.url);
      if (change.events !== undefined) await catalog.requireSubscribable(change.events);
      const updated: Webhook = {
        ...current,
        url: change.url ?? current.url,
        description: change.description ?? current.description,
        events: change.events ?? current.events,
        status: change.status ?? current.status,
        // Whoever sets the status takes over from Herald's reason for disabling it.
        disabledReason: change.status === undefined ? current.disabledReason : null,
        ordering: change.ordering ?? current.ordering,
        rateLimit: change.rateLimit === undefined ? current.rateLimit : change.rateLimit,
        secret: change.secret === undefined ? current.secret : change.secret,
        updatedAt: clock.now(),
      };
      await directory.updateWebhook(updated);
      // Read back: the store keeps the failure clock, which re-enabling restarts.
      return presentWebhook(await loadWebhook(directory, updated.tenantId, updated.id));
    },
  );

  app.post(
    '/tenants/:tenantId/webhooks/:id/rotate-secret',
    {
      schema: {
        operationId: 'rotateWebhookSecret',
        summary:
          'Replace the secret; the old one goes on signing beside it for `gracePeriod` seconds (default 1 day)',
        tags: ['webhooks'],
        params: TenantItemParams,
        body: RotateSecret,
        response: { 200: RotatedSecret },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const { secret = generateSecret(), gracePeriod = DEFAULT_GRACE_PERIOD_SECONDS } = request.body ?? {};
      requireUsableSecret(secret);
      const now = clock.now();
      const previousUntil = gracePeriod > 0 ? now + gracePeriod * 1000 : null;
      const webhook = await directory.rotateWebhookSecret(tenantId, id, { secret, previousUntil, now });
      if (!webhook) throw notFound.webhook(id);
      return { secret, webhook: presentWebhook(webhook) };
    },
  );

  app.get(
    '/tenants/:tenantId/webhooks/:id/secret',
    {
      schema: {
        operationId: 'getWebhookSecret',
        summary: 'Reveal the secret that signs deliveries, for setting up a receiver',
        tags: ['webhooks'],
        params: TenantItemParams,
        response: { 200: WebhookSecret },
      },
    },
    async (request, reply) => {
      const { tenantId, id } = request.params;
      const webhook = await loadWebhook(directory, tenantId, id);
      // A secret must not linger in a browser's or a proxy's cache.
      reply.header('cache-control', 'no-store');
      return { secret: webhook.secret };
    },
  );

  app.delete(
    '/tenants/:tenantId/webhooks/:id/previous-secret',
    {
      schema: {
        operationId: 'dropPreviousWebhookSecret',
        summary: 'Stop the secret the last rotation replaced signing now, before its grace period ends',
        tags: ['webhooks'],
        params: TenantItemParams,
        response: { 200: WebhookSchema },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const webhook = await directory.dropPreviousSecret(tenantId, id, clock.now());
      if (!webhook) throw notFound.webhook(id);
      return presentWebhook(webhook);
    },
  );

  app.delete(
    '/tenants/:tenantId/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Delete a webhook with its queued deliveries, history and dead letters',
        tags: ['webhooks'],
        params: TenantItemParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { tenantId, id } = request.params;
      if (!(await directory.deleteWebhook(tenantId, id))) throw notFound.webhook(id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/webhooks/:id/test',
    {
      schema: {
        operationId: 'testWebhook',
        summary:
          'Send a test event now and return the attempt (never retried): webhook.test, or the example of ' +
          'the catalogue type named in `eventType`, whatever the webhook subscribes to',
        tags: ['webhooks'],
        params: TenantItemParams,
        body: TestWebhook,
        response: { 200: Delivery },
      },
    },
    async (request) => {
      const { tenantId, id } = request.params;
      const { eventType = TEST_EVENT_TYPE } = request.body;
      const webhook = await loadWebhook(directory, tenantId, id);
      const data = await testDataOf(eventType, webhook.id);
      const now = clock.now();
      const event = buildEvent({ id: newId('evt', now), tenantId, event: eventType, data, now });
      const deliveryId = await sendNow(event, webhook.id);
      const delivery = await history.getDelivery(tenantId, deliveryId);
      if (!delivery) throw notFound.delivery(deliveryId); // the webhook was deleted meanwhile
      return presentDelivery(delivery);
    },
  );

  /** What a Test of `eventType` sends: Herald's test message, or the type's example. */
  async function testDataOf(eventType: string, webhookId: string): Promise<object> {
    if (eventType === TEST_EVENT_TYPE) return testEventData(webhookId);
    const type = await catalog.find(eventType);
    if (!type) throw unknownEventType(eventType);
    return type.example ?? {};
  }
};
