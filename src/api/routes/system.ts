import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiContext } from '../context.js';

export const systemRoutes: FastifyPluginAsyncTypebox<ApiContext> = async (app) => {
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
