import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HeraldError, notFound } from '../../core/errors.js';
import { DEAD_LETTER_PREFIX } from '../../core/public-ids.js';
import { DISCARD_CHUNK, REPLAY_CHUNK } from '../../store/bounded-work.js';
import type { DeadLetterCount, DeadLetterFilter, Retention } from '../../store/store.js';
import type { ApiContext } from '../context.js';
import { presentDeadLetter, presentDelivery, requireCursor, toPage } from '../presenters.js';
import {
  DeadLetter,
  DeadLetterPage,
  DeadLetterQuery,
  DiscardDeadLetters,
  DiscardedDeadLetters,
  ReplayAll,
  ReplayedDeadLetter,
  ReplayedDeadLetters,
  ReplayPage,
  type SkippedDeadLettersT,
} from '../schemas/dead-letters.js';
import { Delivery } from '../schemas/deliveries.js';
import { ErrorBody, listOf, PageQuery, TenantItemParams, TenantParams, Text } from '../schemas/shapes.js';
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

interface FilterFields {
  ids?: string[];
  webhookId?: string;
  event?: string;
  after?: string;
  before?: string;
}

/**
 * The store's filter for the fields a request gave; its webhook, when named, must be the tenant's.
 * `where` names the fields in errors ("querystring", "body").
 */
async function deadLetterFilter(
  directory: ApiContext['directory'],
  tenantId: string,
  { ids, webhookId, event, after, before }: FilterFields,
  where: string,
): Promise<DeadLetterFilter> {
  // An empty range would answer 0 as if nothing had matched, hiding the caller's mistake.
  if (before !== undefined && after !== undefined && Date.parse(after) >= Date.parse(before)) {
    throw new HeraldError(
      'VALIDATION_FAILED',
      `${where}.after (${after}) must be earlier than ${where}.before (${before}).`,
    );
  }
  if (webhookId !== undefined) await loadWebhook(directory, tenantId, webhookId);
  return {
    ...(ids === undefined ? {} : { ids }),
    ...(webhookId === undefined ? {} : { webhookId }),
    ...(event === undefined ? {} : { event }),
    ...(after === undefined ? {} : { failedFrom: Date.parse(after) }),
    ...(before === undefined ? {} : { failedBefore: Date.parse(before) }),
  };
}

/** The selected dead letters a replay leaves in the queue, per webhook: those whose webhook is not active. */
function skippedOf(counts: DeadLetterCount[]): SkippedDeadLettersT[] {
  return counts
    .filter((count) => count.webhookStatus !== 'active')
    .map((count) => ({
      webhookId: count.webhookId,
      url: count.url,
      description: count.description,
      reason: 'webhook_disabled' as const,
      disabledReason: count.disabledReason,
      count: count.count,
    }));
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
        summary: 'The dead letter queue: deliveries that failed every attempt, newest first, with the total',
        tags: ['dead letter queue'],
        params: TenantParams,
        querystring: Type.Composite([PageQuery, DeadLetterQuery], { additionalProperties: false }),
        response: { 200: DeadLetterPage },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { limit = 50, cursor, includePayload = false, ...fields } = request.query;
      const filter = await deadLetterFilter(directory, tenantId, fields, 'querystring');
      const [rows, counts] = await Promise.all([
        history.listDeadLetters(tenantId, {
          ...filter,
          limit: limit + 1,
          includePayload,
          ...(cursor === undefined ? {} : { before: requireCursor(DEAD_LETTER_PREFIX, cursor) as string }),
        }),
        history.countDeadLetters(tenantId, filter),
      ]);
      const total = counts.reduce((sum, count) => sum + count.count, 0);
      return { ...toPage(rows, limit, presentDeadLetter), total };
    },
  );

  app.get(
    '/tenants/:tenantId/dlq/replays',
    {
      schema: {
        operationId: 'listReplays',
        summary: 'Replays under way: each until it succeeds or fails back into the DLQ, newest first',
        tags: ['dead letter queue'],
        params: TenantParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
            webhookId: Type.Optional(Text({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: ReplayPage },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const { limit = 50, webhookId } = request.query;
      if (webhookId !== undefined) await loadWebhook(directory, tenantId, webhookId);
      const { deliveries, total } = await history.listReplays(tenantId, {
        limit,
        ...(webhookId === undefined ? {} : { webhookId }),
      });
      return { data: deliveries.map(presentDelivery), total };
    },
  );

  app.get(
    '/tenants/:tenantId/dlq/:id',
    {
      schema: {
        operationId: 'getDeadLetter',
        summary: 'One dead letter with its payload and its last response',
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

  app.get(
    '/tenants/:tenantId/dlq/:id/attempts',
    {
      schema: {
        operationId: 'listDeadLetterAttempts',
        summary: "Every attempt of the dead letter's event to its webhook, oldest first",
        tags: ['dead letter queue'],
        params: TenantItemParams,
        response: { 200: listOf(Delivery) },
      },
    },
    async (request) => {
      const attempts = await history.deadLetterAttempts(request.params.tenantId, request.params.id);
      if (!attempts) throw notFound.deadLetter(request.params.id);
      return { data: attempts.map(presentDelivery) };
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
      const [deliveryId] = await publisher.replayDeadLetters(tenantId, { ids: [id] }, clock.now(), 1);
      if (!deliveryId) throw notFound.deadLetter(id); // replayed by someone else meanwhile
      return reply.status(202).send({ id, deliveryId });
    },
  );

  app.post(
    '/tenants/:tenantId/dlq/replay-all',
    {
      schema: {
        operationId: 'replayAllDeadLetters',
        summary:
          'Replay the dead letters selected (by ids, or all that match the filters) whose webhook is active; ' +
          'says what it skipped and why. dryRun counts first and changes nothing.',
        tags: ['dead letter queue'],
        params: TenantParams,
        body: ReplayAll,
        response: { 200: ReplayedDeadLetters, 202: ReplayedDeadLetters },
      },
    },
    async (request, reply) => {
      const { tenantId } = request.params;
      const { dryRun = false, ...fields } = request.body;
      const filter = await deadLetterFilter(directory, tenantId, fields, 'body');
      if (dryRun) {
        const counts = await history.countDeadLetters(tenantId, filter);
        const replayed = counts
          .filter((count) => count.webhookStatus === 'active')
          .reduce((sum, count) => sum + count.count, 0);
        return reply.status(200).send({ replayed, skipped: skippedOf(counts), dryRun });
      }
      // A chunk a transaction, so that no replay holds the database for long however many match.
      let replayed = 0;
      for (;;) {
        const chunk = await publisher.replayDeadLetters(tenantId, filter, clock.now(), REPLAY_CHUNK);
        replayed += chunk.length;
        if (chunk.length < REPLAY_CHUNK) break;
      }
      // What the selection still holds after the replay is what it passed over.
      const skipped = skippedOf(await history.countDeadLetters(tenantId, filter));
      return reply.status(202).send({ replayed, skipped, dryRun });
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
        summary: 'Discard the dead letters selected (by ids, or all that match the filters)',
        tags: ['dead letter queue'],
        params: TenantParams,
        body: DiscardDeadLetters,
        response: { 200: DiscardedDeadLetters },
      },
    },
    async (request) => {
      const { tenantId } = request.params;
      const filter = await deadLetterFilter(directory, tenantId, request.body, 'body');
      return { discarded: await discardAll(retention, tenantId, filter) };
    },
  );
};
