import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkBodySignature,
  checkStandardWebhooksSignature,
  type SignatureCheck,
} from '../core/verify-signatures.js';
import { CommandError } from './exit-codes.js';

/** One request a local receiver took, with its signatures checked when it knows the secret. */
export interface ReceivedDelivery {
  receivedAt: Date;
  method: string;
  path: string;
  webhookId: string | null;
  /** webhook-timestamp, in seconds. */
  timestamp: number | null;
  /** The parsed body, or its text when it is not JSON. */
  body: unknown;
  /** Null when the receiver was given no secret to check them with. */
  signatures: { xWebhookSignature: SignatureCheck; webhookSignature: SignatureCheck } | null;
  answeredStatus: number;
}

export interface ReceiverOptions {
  port: number;
  host: string;
  secret: string | null;
  /** The status every request is answered with; a failure status makes Herald retry. */
  status: number;
  onDelivery(delivery: ReceivedDelivery): void;
}

export interface RunningReceiver {
  url: string;
  close(): Promise<void>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function parseBody(raw: Buffer): unknown {
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(
  method: string,
  path: string,
  headers: IncomingHttpHeaders,
  raw: Buffer,
  options: ReceiverOptions,
) {
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures =
    options.secret === null
      ? null
      : {
          xWebhookSignature: checkBodySignature(options.secret, raw, header(headers, 'x-webhook-signature')),
          webhookSignature: checkStandardWebhooksSignature(options.secret, raw, {
            id: header(headers, 'webhook-id'),
            timestamp,
            signature: header(headers, 'webhook-signature'),
          }),
        };
  return {
    receivedAt: new Date(),
    method,
    path,
    webhookId: header(headers, 'webhook-id') ?? null,
    timestamp: timestamp !== undefined && /^\d+$/.test(timestamp) ? Number(timestamp) : null,
    body: parseBody(raw),
    signatures,
    answeredStatus: options.status,
  };
}

/** A webhook receiver on this machine, for trying Herald out: every request is reported, then answered. */
export async function startReceiver(options: ReceiverOptions): Promise<RunningReceiver> {
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      options.onDelivery(describe(request.method ?? '', request.url ?? '/', request.headers, raw, options));
      response.writeHead(options.status, { 'content-type': 'text/plain' });
      response.end(
        options.status < 300 ? 'ok' : `answered ${options.status} as asked (herald listen --status)`,
      );
    });
  });
  server.listen(options.port, options.host);
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      const reason = (error as { code?: string }).code ?? String(error);
      throw new CommandError(`cannot listen on ${options.host}:${options.port} (${reason})`);
    }),
  ]);
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    url: `http://${host}:${port}/`,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}
