import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';

/** Callers (a proxy, a client) may name their request; Herald's lines then carry their id. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** Ids unique across processes, unlike Fastify's counter. */
export const newRequestId = (_request: IncomingMessage): string => randomUUID();

/**
 * A line per request would cost more than the request on the publish hot path: at Herald's default
 * level (info) requests log nothing of their own; at debug each logs one line when it completes.
 * A request that fails logs its error whatever the level (answerError decides how loudly).
 */
export class RequestLog extends LogController {
  constructor(private readonly perRequest: boolean) {
    super({ requestIdLogLabel: 'requestId' });
  }

  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    _request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (!this.perRequest) return;
    if (error)
      reply.log.debug({ res: reply, err: error, responseTime: reply.elapsedTime }, 'request errored');
    else reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
