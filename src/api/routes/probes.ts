import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { HeraldError } from '../../core/errors.js';
import { HERALD_VERSION } from '../../version.js';
import { ErrorBody } from '../schemas/shapes.js';

/** What operators' probes read: liveness, readiness, and the metrics. */
export interface Probes {
  /** Why this process cannot serve now, or null when it can (see observability/readiness.ts). */
  whyNotReady(): Promise<string | null>;
  /** Serves GET /metrics unless null (HERALD_METRICS=off on the API port). */
  metrics: {
    contentType: string;
    render(): Promise<string>;
    /** Throws (401/403) unless the caller may read the metrics; absent: anyone may. */
    authorize?: (request: FastifyRequest) => Promise<void>;
  } | null;
}

export const probeRoutes: FastifyPluginAsyncTypebox<Probes> = async (app, probes) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        summary: 'Liveness: answers 200 while the process serves requests',
        tags: ['system'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' as const, version: HERALD_VERSION }),
  );

  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'getReadiness',
        summary:
          'Readiness: 200 when the database answers and its schema is up to date, else 503 SERVICE_UNAVAILABLE',
        tags: ['system'],
        security: [],
        response: {
          200: Type.Object({ status: Type.Literal('ready'), version: Type.String() }),
          503: ErrorBody,
        },
      },
    },
    async () => {
      const why = await probes.whyNotReady();
      if (why !== null) throw new HeraldError('SERVICE_UNAVAILABLE', why);
      return { status: 'ready' as const, version: HERALD_VERSION };
    },
  );

  const { metrics } = probes;
  if (!metrics) return;
  app.get(
    '/metrics',
    {
      schema: {
        operationId: 'getMetrics',
        summary: "Metrics in Prometheus' text format (see docs/monitoring.md)",
        tags: ['system'],
        ...(metrics.authorize ? {} : { security: [] }),
      },
      onRequest: metrics.authorize,
    },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()),
  );
};
