import { randomBytes } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';

/** One request as the hostile receiver read it, before it misbehaved. */
export interface HostileRequest {
  /** The request target as sent: path and query, e.g. `/trickle?every=100`. */
  target: string;
  body: Buffer;
  receivedAt: number;
}

/** What the receiver does once it has read a request; `params` is the request's query. */
type Behaviour = (socket: Socket, params: URLSearchParams) => void;

const CHUNK = Buffer.alloc(64 * 1024, 'x');

/**
 * A receiver that misbehaves in every way a webhook endpoint can, on raw TCP so that it can also
 * break HTTP itself. The path picks the behaviour and the query tunes it, so a URL says what it
 * does (`/trickle?every=100`, `/answer?status=429&retry-after=120`):
 *
 *   /answer?status=200&retry-after=…&body=…  a plain answer (status 200, empty body by default)
 *   /trickle?status=200&retry-after=…&every=100
 *                                            the status at once, then one body byte every `every` ms, forever
 *   /slow-headers?after=1000                 a 200 only `after` ms after the request
 *   /hang                                    reads the request, then never reads or answers again
 *   /giant?bytes=10485760                    a 200 whose body of `bytes` is sent as fast as it is taken
 *   /endless                                 a 200 with a chunked body sent as fast as it is taken, forever
 *   /reset-mid-body                          the status and part of the body, then a TCP reset
 *   /close-mid-body                          the status and part of the body, then a plain close
 *   /reset-before-headers                    a TCP reset instead of an answer
 *   /garbage?text=hello                      `text` and a blank line instead of HTTP, then a close
 *   /noise?bytes=1024                        random bytes instead of HTTP, then a close
 *   /huge-headers?bytes=102400               a 200 whose headers weigh `bytes`
 *
 * Any other path answers 404. One request per connection: every answer closes it. Requests are
 * recorded once read in full, before the behaviour starts, so tests can wait for them.
 */
export class HostileReceiver {
  readonly requests: HostileRequest[] = [];
  /** Emits `change` when a request arrives or a connection closes. */
  private readonly changes = new EventEmitter();
  private readonly sockets = new Set<Socket>();
  private accepted = 0;
  private readonly server: Server = createServer((socket) => this.accept(socket));
  port = 0;

  async start(): Promise<this> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  url(target: string): string {
    return `http://127.0.0.1:${this.port}${target}`;
  }

  at(target: string): HostileRequest[] {
    return this.requests.filter((request) => request.target === target);
  }

  /** How many connections to the receiver are open. */
  get openConnections(): number {
    return this.sockets.size;
  }

  /** How many connections the receiver has accepted so far. */
  get acceptedConnections(): number {
    return this.accepted;
  }

  /** Resolves once `count` requests reached `target`; fails after `timeoutMs`. */
  async waitFor(target: string, count: number, timeoutMs = 10_000): Promise<HostileRequest[]> {
    await this.waitUntil(() => this.at(target).length >= count, `${count} requests at ${target}`, timeoutMs);
    return this.at(target);
  }

  /** Resolves once no connection is open (the clients hung up); fails after `timeoutMs`. */
  async waitForNoConnections(timeoutMs = 10_000): Promise<void> {
    await this.waitUntil(() => this.sockets.size === 0, 'every connection to close', timeoutMs);
  }

  /** Resolves once `done()` holds, looking again whenever a request arrives or a connection closes. */
  async waitUntil(done: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs);
    while (!done()) {
      try {
        await once(this.changes, 'change', { signal });
      } catch {
        throw new Error(
          `waited ${timeoutMs} ms for ${what}: ${this.requests.length} requests, ${this.sockets.size} connections open`,
        );
      }
    }
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private accept(socket: Socket): void {
    this.accepted += 1;
    this.sockets.add(socket);
    // Clients hang up on a misbehaving receiver: resets and broken pipes are expected here.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.changes.emit('change');
    });
    let received = Buffer.alloc(0);
    const read = (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const request = parseRequest(received);
      if (request === null) return;
      socket.off('data', read);
      socket.pause();
      this.requests.push(request);
      this.changes.emit('change');
      const url = new URL(request.target, 'http://receiver');
      const behaviour = BEHAVIOURS[url.pathname] ?? notFound;
      behaviour(socket, url.searchParams);
    };
    socket.on('data', read);
  }
}

/** The request once its head and its whole body (by Content-Length) are in; null until then. */
function parseRequest(received: Buffer): HostileRequest | null {
  const headEnd = received.indexOf('\r\n\r\n');
  if (headEnd === -1) return null;
  const head = received.subarray(0, headEnd).toString('latin1');
  const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0);
  const bodyStart = headEnd + 4;
  if (received.length < bodyStart + length) return null;
  const target = head.split(' ', 2)[1] ?? '/';
  return { target, body: received.subarray(bodyStart, bodyStart + length), receivedAt: Date.now() };
}

function statusHead(status: number, headers: Record<string, string | number> = {}): string {
  const lines = Object.entries({ connection: 'close', ...headers }).map(
    ([name, value]) => `${name}: ${value}`,
  );
  return `HTTP/1.1 ${status} Hostile\r\n${lines.join('\r\n')}\r\n\r\n`;
}

/** The head of an answer tuned by the query: `status` (200 by default) and `retry-after`. */
function answerHead(params: URLSearchParams, headers: Record<string, string | number>): string {
  const retryAfter = params.get('retry-after');
  if (retryAfter !== null) headers['retry-after'] = retryAfter;
  return statusHead(numberParam(params, 'status', 200), headers);
}

function numberParam(params: URLSearchParams, name: string, fallback: number): number {
  const value = params.get(name);
  return value === null ? fallback : Number(value);
}

/** Runs `action` every `ms` until the connection closes. */
function every(socket: Socket, ms: number, action: () => void): void {
  const timer = setInterval(action, ms);
  socket.once('close', () => clearInterval(timer));
}

/** Runs `action` once after `ms`, unless the connection closed first. */
function after(socket: Socket, ms: number, action: () => void): void {
  const timer = setTimeout(action, ms);
  socket.once('close', () => clearTimeout(timer));
}

/** Writes `next()` as fast as the client takes it, until it returns null or the connection closes. */
function pump(socket: Socket, next: () => Buffer | string | null): void {
  const fill = () => {
    while (socket.writable) {
      const piece = next();
      if (piece === null) {
        socket.end();
        return;
      }
      if (!socket.write(piece)) {
        socket.once('drain', fill);
        return;
      }
    }
  };
  fill();
}

function notFound(socket: Socket): void {
  socket.end(statusHead(404, { 'content-length': 0 }));
}

const BEHAVIOURS: Record<string, Behaviour> = {
  '/answer': (socket, params) => {
    const body = params.get('body') ?? '';
    socket.end(answerHead(params, { 'content-length': Buffer.byteLength(body) }) + body);
  },
  '/trickle': (socket, params) => {
    // No Content-Length and no chunking: the body runs until the connection closes.
    socket.write(answerHead(params, { 'content-type': 'text/plain' }));
    every(socket, numberParam(params, 'every', 100), () => {
      if (socket.writable) socket.write('x');
    });
  },
  '/slow-headers': (socket, params) => {
    after(socket, numberParam(params, 'after', 1_000), () => {
      socket.end(`${statusHead(200, { 'content-length': 2 })}ok`);
    });
  },
  '/hang': () => undefined,
  '/giant': (socket, params) => {
    let left = numberParam(params, 'bytes', 10 * 1024 * 1024);
    socket.write(statusHead(200, { 'content-length': left }));
    pump(socket, () => {
      if (left === 0) return null;
      const piece = CHUNK.subarray(0, Math.min(left, CHUNK.length));
      left -= piece.length;
      return piece;
    });
  },
  '/endless': (socket) => {
    socket.write(statusHead(200, { 'transfer-encoding': 'chunked' }));
    const chunk = Buffer.concat([
      Buffer.from(`${CHUNK.length.toString(16)}\r\n`),
      CHUNK,
      Buffer.from('\r\n'),
    ]);
    pump(socket, () => chunk);
  },
  '/reset-mid-body': (socket) => {
    // Announced as kept alive: on a connection announced as closing, undici takes a reset for the end
    // of the body and reports a short body instead.
    const head = statusHead(200, { connection: 'keep-alive', 'content-length': 1_000 });
    socket.write(`${head}${'x'.repeat(100)}`);
    after(socket, 50, () => socket.resetAndDestroy());
  },
  '/close-mid-body': (socket) => {
    socket.end(`${statusHead(200, { 'content-length': 1_000 })}${'x'.repeat(100)}`);
  },
  '/reset-before-headers': (socket) => {
    socket.resetAndDestroy();
  },
  '/garbage': (socket, params) => {
    socket.end(`${params.get('text') ?? 'hello'}\r\n\r\n`);
  },
  '/noise': (socket, params) => {
    socket.end(randomBytes(numberParam(params, 'bytes', 1_024)));
  },
  '/huge-headers': (socket, params) => {
    const line = `x-filler: ${'y'.repeat(1_000)}\r\n`;
    const filler = line.repeat(Math.ceil(numberParam(params, 'bytes', 100 * 1024) / line.length));
    socket.end(`HTTP/1.1 200 OK\r\nconnection: close\r\n${filler}content-length: 2\r\n\r\nok`);
  },
};
