// A Herald receiver on Fastify: npm install fastify @herald/sdk
import { verifyWebhook, WebhookVerificationError } from '@herald/sdk';
import Fastify from 'fastify';

const secret = process.env.HERALD_WEBHOOK_SECRET;
if (!secret) throw new Error("Set HERALD_WEBHOOK_SECRET to the webhook's secret.");
const app = Fastify();

// In its own plugin, so that only this route reads JSON as raw bytes: the signature covers them.
await app.register(async (receiver) => {
  receiver.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  receiver.post('/webhooks/herald', async (request, reply) => {
    try {
      const { payload, id } = verifyWebhook(request.body as Buffer, request.headers, secret);
      // `id` is the same on every attempt of one event: drop the ones already handled.
      request.log.info({ id, event: payload.event }, 'webhook received');
      return reply.code(204).send();
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return reply.code(400).send(error.message);
    }
  });
});

await app.listen({ port: Number(process.env.PORT ?? 3000) });
