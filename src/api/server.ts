import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { HeraldError } from '../core/errors.js';
import type { Logger } from '../observability/logger.js';
import type { Principal } from './auth.js';
import type { ApiContext, RouteContext } from './context.js';
import { answerClientError, answerError, MAX_PARAM_LENGTH, routeNotFound } from './error-answers.js';
import { BODY_LIMIT_BYTES } from './limits.js';
import { openapiOptions } from './openapi.js';
import { PublishQuota } from './publish-quota.js';
import { newRequestId, REQUEST_ID_HEADER, RequestLog } from './request-log.js';
import { deadLetterRoutes } from './routes/dead-letters.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { eventTypeRoutes } from './routes/event-types.js';
import { eventRoutes } from './routes/events.js';
import { probeRoutes } from './routes/probes.js';
import { systemRoutes } from './routes/system.js';
import { tenantRoutes } from './routes/tenants.js';
import { webhookRoutes } from './routes/webhooks.js';
import { TenantLimitsCache } from './tenant-limits.js';
import { bodyAjv, describeSchemaError, refuseNulText, textAjv } from './validation.js';

export async function buildServer(
  context: ApiContext,
  options: { logger?: Logger; uiDir?: string } = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    ...logging(options.logger),
    bodyLimit: BODY_LIMIT_BYTES,
    return503OnClosing: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerError,
    clientErrorHandler: answerClientError,
    // Node would answer a missing Host with a bare 400 of its own; the hook below answers it instead.
    http: { requireHostHeader: false },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyAjv : textAjv).compile(schema),
  );
  app.setSchemaErrorFormatter((errors, dataVar) => new Error(describeSchemaError(errors, dataVar)));

  // JSON only. A missing or empty body is an empty object: action routes (test, resend, replay)
  // and optional bodies (create a tenant) work from `curl -X POST` with or without a content type.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, {});
    else parseJson(request, body as string, done);
  });
  // The hooks every request runs are synchronous (a throw is the request's error): an async hook
  // costs each request a promise and a turn of the microtask queue.
  app.addHook('onRequest', (request, _reply, done) => {
    if (request.raw.httpVersion === '1.1' && request.headers.host === undefined) {
      throw new HeraldError('INVALID_REQUEST', 'An HTTP/1.1 request must carry a Host header.');
    }
    // Node's parser refuses a raw NUL in the request line, so one can only arrive as %00: the walk over
    // every parameter is left to the requests that carry it, off the publish path.
    if (request.raw.url?.includes('%00')) {
      refuseNulText('path', request.params);
      refuseNulText('querystring', request.query);
    }
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined || request.body === null) request.body = {};
    done();
  });

  app.setErrorHandler(answerError);
  // The console is a single-page app: any other GET for a page answers with its index.html.
  const uiDir = options.uiDir && existsSync(join(options.uiDir, 'index.html')) ? options.uiDir : null;
  if (uiDir) await app.register(fastifyStatic, { root: uiDir, prefix: '/', index: 'index.html' });
  app.setNotFoundHandler((request, reply) => {
    const wantsPage =
      request.method === 'GET' &&
      !request.url.startsWith('/v1/') &&
      request.headers.accept?.includes('text/html');
    if (uiDir && wantsPage) return reply.type('text/html').sendFile('index.html');
    const error = routeNotFound(request.method, request.url.split('?')[0] ?? '');
    reply.status(error.status).send(error.toJSON());
  });

  await app.register(swagger, openapiOptions(context.publicUrl));
  // The API reference, rendered in the browser from /docs/json by Swagger UI's files in the package.
  await app.register(swaggerUi, { routePrefix: '/docs', theme: { title: 'Herald API reference' } });

  const routeContext: RouteContext = {
    ...context,
    limits: new TenantLimitsCache(context.directory, context.tenantLimits, context.clock),
    publishQuota: new PublishQuota(context.clock),
  };
  app.decorateRequest<Principal | null>('principal', null);
  await app.register(probeRoutes, context.probes);
  await app.register(systemRoutes, context);
  await app.register(
    async (v1) => {
      v1.addHook('onRequest', async (request) => {
        request.principal = await context.auth.authenticate(request.headers.authorization);
        const tenantId = (request.params as { tenantId?: string }).tenantId;
        if (tenantId !== undefined) await context.auth.requireTenant(request.principal, tenantId);
      });
      for (const routes of [
        tenantRoutes,
        eventTypeRoutes,
        webhookRoutes,
        deliveryRoutes,
        eventRoutes,
        deadLetterRoutes,
      ]) {
        await v1.register(routes, routeContext);
      }
    },
    { prefix: '/v1' },
  );
  return app;
}

/** Fastify logs with Herald's logger, one line per request only at debug (RequestLog). */
export function logging(logger: Logger | undefined) {
  return {
    // Fastify's own logger type: a pino Logger is one, but typed as it, it would retype every route.
    loggerInstance: logger as FastifyBaseLogger | undefined,
    logController: new RequestLog(logger?.isLevelEnabled('debug') ?? false),
    requestIdHeader: REQUEST_ID_HEADER,
    genReqId: newRequestId,
  };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}
