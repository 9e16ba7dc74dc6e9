// A Herald receiver on Express: npm install express @herald/sdk
import { verifyWebhook, WebhookVerificationError } from '@herald/sdk';
import express from 'express';

const secret = process.env.HERALD_WEBHOOK_SECRET;
if (!secret) throw new Error("Set HERALD_WEBHOOK_SECRET to the webhook's secret.");
const app = express();

// express.raw keeps the bytes as sent: the signature covers them, not a re-serialised JSON.
app.post('/webhooks/herald', express.raw({ type: 'application/json', limit: '1mb' }), (request, response) => {
  try {
    const { payload, id } = verifyWebhook(request.body as Buffer, request.headers, secret);
    // `id` is the same on every attempt of one event: drop the ones already handled.
    console.log(`${id}: ${payload.event}`, payload.data);
    response.sendStatus(204);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    response.status(400).send(error.message);
  }
});

app.listen(Number(process.env.PORT ?? 3000));
