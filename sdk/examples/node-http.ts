// A Herald receiver on node:http alone: npm install @herald/sdk
import { createServer } from 'node:http';
import { verifyWebhook, WebhookVerificationError } from '@herald/sdk';

const secret = process.env.HERALD_WEBHOOK_SECRET;
if (!secret) throw new Error("Set HERALD_WEBHOOK_SECRET to the webhook's secret.");

createServer((request, response) => {
  if (request.method !== 'POST' || request.url !== '/webhooks/herald') return response.writeHead(404).end();
  // Collect the bytes as sent: the signature covers them, not a re-serialised JSON.
  const chunks: Buffer[] = [];
  let size = 0;
  request.on('data', (chunk: Buffer) => {
    size += chunk.length;
    // Herald's payloads are far smaller: refuse to buffer an unbounded body.
    if (size > 1_048_576) request.destroy();
    else chunks.push(chunk);
  });
  request.on('end', () => {
    try {
      const { payload, id } = verifyWebhook(Buffer.concat(chunks), request.headers, secret);
      // `id` is the same on every attempt of one event: drop the ones already handled.
      console.log(`${id}: ${payload.event}`, payload.data);
      response.writeHead(204).end();
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      response.writeHead(400, { 'content-type': 'text/plain' }).end(error.message);
    }
  });
}).listen(Number(process.env.PORT ?? 3000));
