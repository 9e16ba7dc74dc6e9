/**
 * The HTTP side shared by the harness's reference deliverers (the peers on BullMQ, graphile-worker
 * and pg-boss, the minimal durable relays): the delivery body and its signatures, the publish
 * server, the two ways of POSTing, and grouping publishes into one insert.
 */
import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Agent, type Dispatcher, request } from 'undici';
import { TENANT_ID } from './payload.js';

/** Herald's documented delivery body for a published `{event, data}`. */
export function envelope(event: string, data: unknown): string {
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  return JSON.stringify({ event, timestamp, tenantId: TENANT_ID, data });
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const SECRET_KEY = Buffer.from(SECRET.slice('whsec_'.length), 'base64');

/** The headers Herald sends with a delivery, both signatures included, so each deliverer puts the same bytes on the wire. */
export function signedHeaders(id: string, payload: string | Buffer): Record<string, string> {
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', SECRET_KEY).update(`${id}.${timestamp}.`).update(payload);
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': `v1,${signature.digest('base64')}`,
    'x-webhook-signature': `sha256=${createHmac('sha256', SECRET).update(payload).digest('hex')}`,
  };
}

async function readJson(request: IncomingMessage): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

export interface JsonServer {
  /** Stops listening and drops kept-alive connections. */
  close(): Promise<void>;
}

/**
 * A `node:http` server on 127.0.0.1:`port` that answers each request's JSON body with what
 * `handle` returns, and with a 500 carrying the error if it throws.
 */
export async function listenJson(
  port: number,
  handle: (url: string, body: any) => Promise<Answer<unknown>>,
): Promise<JsonServer> {
  const server = createServer((req, res) => {
    readJson(req)
      .then((body) => handle(req.url ?? '/', body))
      .then(
        (answer) => reply(res, answer.statusCode, answer.body),
        (error: unknown) => reply(res, 500, { error: { code: 'INTERNAL', message: String(error) } }),
      );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    },
  };
}

export interface Answer<Body = string> {
  statusCode: number;
  body: Body;
}

/** POST with undici's `dispatch` and a handler that keeps the status and the body: no streams built. */
export function postWithDispatch(
  agent: Agent,
  target: { origin: string; path: string },
  headers: Record<string, string>,
  body: string | Buffer,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let statusCode = 0;
    const chunks: Buffer[] = [];
    const handler: Dispatcher.DispatchHandler = {
      onConnect: () => undefined,
      onHeaders: (status: number) => {
        statusCode = status;
        return true;
      },
      onData: (chunk: Buffer) => {
        chunks.push(chunk);
        return true;
      },
      onComplete: () => resolve({ statusCode, body: Buffer.concat(chunks).toString('utf8') }),
      onError: reject,
    };
    agent.dispatch({ ...target, method: 'POST', headers, body }, handler);
  });
}

/** What a peer's job carries: where to deliver, the delivery id, and the body fixed at publish time. */
export interface DeliveryJob {
  url: string;
  id: string;
  payload: string;
}

/**
 * Signs and POSTs one job with `undici.request`, as a Node team's job handler would; throws on a
 * non-2xx answer so that the job queue retries it.
 */
export async function deliverSigned(dispatcher: Agent, job: DeliveryJob): Promise<void> {
  const response = await request(job.url, {
    method: 'POST',
    dispatcher,
    headers: signedHeaders(job.id, job.payload),
    body: job.payload,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  await response.body.dump();
  if (response.statusCode < 200 || response.statusCode >= 300) {
    throw new Error(`HTTP ${response.statusCode}`);
  }
}

/**
 * Group commit for a publish API: every item added while the previous `flush` was under way goes
 * into the next one, and each `add` resolves once the flush holding its item has.
 */
export function batchWhileBusy<T>(flush: (items: T[]) => Promise<unknown>): (item: T) => Promise<void> {
  let waiting: { item: T; resolve(): void; reject(error: unknown): void }[] = [];
  let flushing = false;
  const next = (): void => {
    if (flushing || waiting.length === 0) return;
    flushing = true;
    const batch = waiting;
    waiting = [];
    flush(batch.map((entry) => entry.item))
      .then(
        () => {
          for (const entry of batch) entry.resolve();
        },
        (error: unknown) => {
          for (const entry of batch) entry.reject(error);
        },
      )
      .finally(() => {
        flushing = false;
        next();
      });
  };
  return (item) =>
    new Promise<void>((resolve, reject) => {
      waiting.push({ item, resolve, reject });
      // What the same turn of the event loop read joins this flush.
      setImmediate(next);
    });
}
