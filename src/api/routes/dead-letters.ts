import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HeraldError, notFound } from '../../core/errors.js';
import { DEAD_LETTER_PREFIX } from '../../core/public-ids.js';
import { DISCARD_CHUNK } from '../../store/bounded-work.js';
import type { DeadLetterFilter, Retention } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { presentDeadLetter, requireCursor, toPage } from '../presenters.js';
import {
  DeadLetter,
  DiscardDeadLetters,
  DiscardedDeadLetters,
  ErrorBody,
  PageQuery,
  pageOf,
  ReplayAll,
  ReplayedDeadLetter,
  ReplayedDeadLetters,
  TenantItemParams,
  TenantParams,
} from '../schemas.js';
import { requireActive } from './deliveries.js';
import { loadWebhook } from './webhooks.js';

/** Discards every dead letter `filter` selects, a short transaction per chunk; how many. */
async function discardAll(retention: Retention, tenantId: string, filter: DeadLetterFilter): Promise<number> {
  let discarded = 0;
  let chunk: number;
  do {
    chunk = await retention.discardDeadLetters(tenantId, filter, DISCARD_CHUNK);
    discarded += chunk;
  } while (chunk === DISCARD_CHUNK);
  return discarded;
}

export const deadLetterRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (
  app,
  { directory, history, publisher, retention, clock },
) => {
  app.get(
    '/tenants/:tenantId/dlq',
    {
      schema: {
        operationId: 'listDeadLetters',
        summary: 'The dead letter queue: deliveries that failed every attempt, newest first',
        tags: ['dead letter queue'],
        params: TenantParams,
        querystring: Type.Composite(
          [
            PageQuery,
            Type.Object({
              webhookId: Type.Optional(Type.String({ maxLength: 100 })),
              includePayload: Type.Optional(Type.Boolean({ description: 'Include each payload as sent' })),
            }),
          ],
          { additionalProperties: false },
        ),
        response: { 200: pageOf(DeadLetter) },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { limit = 50, cursor, webhookId, includePayload = false } = request.query;
      if (webhookId !== undefined) await loadWebhook(directory, tenantId, webhookId);
      const rows = await history.listDeadLetters(tenantId, {
        limit: limit + 1,
        includePayload,
        ...(cursor === undefined ? {} : { before: requireCursor(DEAD_LETTER_PREFIX, cursor) as string }),
        ...(webhookId === undefined ? {} : { webhookId }),
      });
      return toPage(rows, limit, presentDeadLetter);
    },
  );

  app.get(
    '/tenants/:tenantId/dlq/:id',
    {
      schema: {
        operationId: 'getDeadLetter',
        summary: 'One dead letter with its payload',
        tags: ['dead letter queue'],
        params: TenantItemParams,
        response: { 200: DeadLetter },
      },
    },
    async (request) => {
      const letter = await history.getDeadLetter(request.params.tenantId, request.params.id);
      if (!letter) throw notFound.deadLetter(request.params.id);
      return presentDeadLetter(letter);
    },
  );

  app.post(
    '/tenants/:tenantId/dlq/:id/replay',
    {
      schema: {
        operationId: 'replayDeadLetter',
        summary: 'Deliver a dead letter again with the full retry schedule; it leaves the DLQ',
        tags: ['dead letter queue'],
        params: TenantItemParams,
        response: {
          202: ReplayedDeadLetter,
          409: ErrorBody,
        },
      },
    },
    async (request, reply) => {
      const { tenantId, id } = request.params;
      const letter = await history.getDeadLetter(tenantId, id);
      if (!letter) throw notFound.deadLetter(id);
      requireActive(await loadWebhook(directory, tenantId, letter.webhookId));
      const [deliveryId] = await publisher.replayDeadLetters(tenantId, { ids: [id] }, clock.now());
      if (!deliveryId) throw notFound.deadLetter(id); // replayed by someone else meanwhile
      return reply.status(202).send({ id, deliveryId });
    },
  );

  app.post(
    '/tenants/:tenantId/dlq/replay-all',
    {
      schema: {
        operationId: 'replayAllDeadLetters',
        summary: 'Replay every dead letter (of one webhook, or all) whose webhook is active',
        tags: ['dead letter queue'],
        params: TenantParams,
        body: ReplayAll,
        response: { 202: ReplayedDeadLetters },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.params;
      const { webhookId } = request.body;
      if (webhookId !== undefined) await loadWebhook(directory, tenantId, webhookId);
      const replayed = await publisher.replayDeadLetters(
        tenantId,
        webhookId === undefined ? {} : { webhookId },
        clock.now(),
      );
      return reply.status(202).send({ replayed: replayed.length });
    },
  );

  app.delete(
    '/tenants/:tenantId/dlq/:id',
    {
      schema: {
        operationId: 'discardDeadLetter',
        summary: 'Discard a dead letter: it leaves the DLQ undelivered; its attempts stay in the history',
        tags: ['dead letter queue'],
        params: TenantItemParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { tenantId, id } = request.params;
      const discarded = await retention.discardDeadLetters(tenantId, { ids: [id] }, 1);
      if (discarded === 0) throw notFound.deadLetter(id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/tenants/:tenantId/dlq/discard',
    {
      schema: {
        operationId: 'discardDeadLetters',
        summary: 'Discard every dead letter (of one webhook, or all) that failed in a time range',
        tags: ['dead letter queue'],
        params: TenantParams,
        body: DiscardDeadLetters,
        response: { 200: DiscardedDeadLetters },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { webhookId, before, after } = request.body;
      // An empty range would answer 0 as if nothing had matched, hiding the caller's mistake.
      if (before !== undefined && after !== undefined && Date.parse(after) >= Date.parse(before)) {
        throw new HeraldError(
          'VALIDATION_FAILED',
          `body.after (${after}) must be earlier than body.before (${before}).`,
        );
      }
      if (webhookId !== undefined) await loadWebhook(directory, tenantId, webhookId);
      const discarded = await discardAll(retention, tenantId, {
        ...(webhookId === undefined ? {} : { webhookId }),
        ...(before === undefined ? {} : { failedBefore: Date.parse(before) }),
        ...(after === undefined ? {} : { failedFrom: Date.parse(after) }),
      });
      return { discarded };
    },
  );
};
