import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  method: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  receivedAt: number;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Answer after this many milliseconds. */
  delayMs?: number;
  /** Never answer (until the test receiver closes). */
  hang?: boolean;
}

/**
 * A real HTTP receiver on loopback: records every request, answers per path as told (200 by
 * default), and lets tests wait for what they expect instead of sleeping.
 */
export class Receiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly replies = new Map<string, Reply>();
  private waiters: (() => void)[] = [];
  private server: Server | null = null;
  port = 0;

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        this.requests.push({
          path,
          method: request.method ?? '',
          headers: request.headers,
          body: Buffer.concat(chunks),
          receivedAt: Date.now(),
        });
        for (const wake of this.waiters.splice(0)) wake();
        const reply = this.replies.get(path) ?? { status: 200, body: 'ok' };
        if (reply.hang) return;
        const answer = () => {
          response.writeHead(reply.status, reply.headers);
          response.end(reply.body ?? '');
        };
        if (reply.delayMs) setTimeout(answer, reply.delayMs);
        else answer();
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  reply(path: string, reply: Reply): void {
    this.replies.set(path, reply);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((request) => request.path === path);
  }

  /** Resolves once `count` requests reached `path`; fails after `timeoutMs`. */
  async waitFor(path: string, count: number, timeoutMs = 10_000): Promise<ReceivedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.at(path).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `expected ${count} requests at ${path} within ${timeoutMs} ms, got ${this.at(path).length}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.at(path);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    this.server?.close();
  }
}
