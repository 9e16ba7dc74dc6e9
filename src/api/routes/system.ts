import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HERALD_VERSION } from '../../version.js';
import type { ApiContext } from '../context.js';

export const systemRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app) => {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'getHealth',
        hide: false,
        summary: 'Liveness: answers 200 while the process serves requests',
        tags: ['system'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String() }) },
      },
    },
    async () => ({ status: 'ok' as const, version: HERALD_VERSION }),
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
