import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import { answerError, routeNotFound } from './error-answers.js';
import { type Probes, probeRoutes } from './routes/probes.js';
import { logging } from './server.js';

/**
 * The probes alone (HERALD_METRICS_PORT), for Prometheus and orchestrators on a private port: a
 * worker process has no API to serve them, and an API process can keep /metrics off its public one.
 */
export async function buildProbeServer(probes: Probes, logger: Logger | undefined): Promise<FastifyInstance> {
  const app = Fastify(logging(logger)).withTypeProvider<TypeBoxTypeProvider>();
  app.setErrorHandler(answerError);
  app.setNotFoundHandler((request, reply) => {
    const error = routeNotFound(request.method, request.url.split('?')[0] ?? '');
    reply.status(error.status).send(error.toJSON());
  });
  await app.register(probeRoutes, probes);
  return app;
}
