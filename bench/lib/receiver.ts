/**
 * The webhook receiver (a forked process, driven over IPC): plain node:http, answers 200 with an
 * empty body, and records for every request its arrival time and, from the `x-bench-sent` header or
 * the body's `data.sentAt`, its publish time. Paths are free-form (`/<group>/<n>`), so fan-out
 * targets are distinct; requests to a "hanging" path prefix are never answered; `down` stops
 * listening (connections are refused) until `up`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { wallNow } from './payload.js';
import { serveRpc } from './rpc.js';
import { summarize } from './stats.js';

export interface ReceiverReset {
  /** Count only the first receipt of each `data.seq` (below this bound) as delivered. */
  uniqueSeqs?: number;
  /** Latency is recorded for events whose seq is at least this (a warm-up before it is ignored). */
  latencyFromSeq?: number;
}

export interface GroupStats {
  received: number;
  firstAt: number;
  lastAt: number;
  /** Receipts per second from the group's first to its last receipt. */
  rate: number;
}

export interface ReceiverStats {
  /** Requests answered 200 (duplicates included). */
  received: number;
  /** Distinct seqs received (when uniqueSeqs was set), else `received`. */
  delivered: number;
  duplicates: number;
  /** Requests held open on hanging paths. */
  hung: number;
  distinctPaths: number;
  firstAt: number;
  lastAt: number;
  /** Deliveries per second from first to last receipt. */
  rate: number;
  /** Deliveries per second between the 10th and 90th percentile of arrivals (warm-up and tail excluded). */
  steadyRate: number;
  latencyMs: ReturnType<typeof summarize>;
  groups: Record<string, GroupStats>;
}

let port = 0;
let listening = false;
const sockets = new Set<Socket>();
let hangPrefixes: string[] = [];

let seen: Uint8Array | null = null;
let latencyFromSeq = 0;
let received = 0;
let delivered = 0;
let duplicates = 0;
let hung = 0;
let arrivals: Float64Array = new Float64Array(1 << 16);
let latencies: Float64Array = new Float64Array(1 << 16);
let latencyCount = 0;
let paths = new Set<string>();
let groups = new Map<string, GroupStats>();
let waiters: { count: number; group: string | null; resolve(): void }[] = [];

const SEQ = /"seq":(\d+)/;
const SENT_AT = /"sentAt":([\d.]+)/;

function push(array: Float64Array, index: number, value: number): Float64Array {
  let target = array;
  if (index >= target.length) {
    target = new Float64Array(target.length * 2);
    target.set(array);
  }
  target[index] = value;
  return target;
}

function groupOf(url: string): string {
  const end = url.indexOf('/', 1);
  return end === -1 ? url.slice(1) : url.slice(1, end);
}

function record(url: string, body: string, sentHeader: string | undefined): void {
  const now = wallNow();
  received += 1;
  paths.add(url);
  const groupName = groupOf(url);
  let group = groups.get(groupName);
  if (!group) {
    group = { received: 0, firstAt: now, lastAt: now, rate: 0 };
    groups.set(groupName, group);
  }
  group.received += 1;
  group.lastAt = now;

  const seq = Number(SEQ.exec(body)?.[1] ?? -1);
  if (seen && seq >= 0 && seq < seen.length) {
    if (seen[seq]) {
      duplicates += 1;
      return;
    }
    seen[seq] = 1;
  }
  arrivals = push(arrivals, delivered, now);
  delivered += 1;
  const sentAt = Number(sentHeader ?? SENT_AT.exec(body)?.[1] ?? Number.NaN);
  if (Number.isFinite(sentAt) && seq >= latencyFromSeq) {
    latencies = push(latencies, latencyCount, now - sentAt);
    latencyCount += 1;
  }
  if (waiters.length > 0) {
    waiters = waiters.filter((waiter) => {
      const count = waiter.group === null ? delivered : (groups.get(waiter.group)?.received ?? 0);
      if (count < waiter.count) return true;
      waiter.resolve();
      return false;
    });
  }
}

function handle(request: IncomingMessage, response: ServerResponse): void {
  const url = request.url ?? '/';
  if (hangPrefixes.some((prefix) => url.startsWith(prefix))) {
    hung += 1;
    request.resume();
    return; // never answered: the sender's timeout ends it
  }
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    const sent = request.headers['x-bench-sent'];
    record(url, Buffer.concat(chunks).toString('utf8'), Array.isArray(sent) ? sent[0] : sent);
    response.writeHead(200, { 'content-length': '0' });
    response.end();
  });
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.on('connection', (socket) => {
  sockets.add(socket);
  socket.once('close', () => sockets.delete(socket));
});

function listen(): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      const address = server.address();
      port = typeof address === 'object' && address ? address.port : port;
      listening = true;
      resolve();
    });
  });
}

function stats(): ReceiverStats {
  const firstAt = arrivals[0] ?? 0;
  const lastAt = delivered > 0 ? (arrivals[delivered - 1] ?? 0) : 0;
  const lo = Math.floor(delivered * 0.1);
  const hi = Math.floor(delivered * 0.9);
  const steadySpan = (arrivals[hi] ?? 0) - (arrivals[lo] ?? 0);
  const span = lastAt - firstAt;
  const groupStats: Record<string, GroupStats> = {};
  for (const [name, group] of groups) {
    const groupSpan = group.lastAt - group.firstAt;
    groupStats[name] = { ...group, rate: groupSpan > 0 ? ((group.received - 1) / groupSpan) * 1000 : 0 };
  }
  return {
    received,
    delivered,
    duplicates,
    hung,
    distinctPaths: paths.size,
    firstAt,
    lastAt,
    rate: span > 0 ? ((delivered - 1) / span) * 1000 : 0,
    steadyRate: steadySpan > 0 && hi > lo ? ((hi - lo) / steadySpan) * 1000 : 0,
    latencyMs: summarize(latencies.subarray(0, latencyCount)),
    groups: groupStats,
  };
}

serveRpc({
  async start(): Promise<{ port: number }> {
    await listen();
    return { port };
  },
  reset(options: ReceiverReset): void {
    seen = options.uniqueSeqs ? new Uint8Array(options.uniqueSeqs) : null;
    latencyFromSeq = options.latencyFromSeq ?? 0;
    received = delivered = duplicates = hung = latencyCount = 0;
    arrivals = new Float64Array(Math.max(1 << 16, options.uniqueSeqs ?? 0));
    latencies = new Float64Array(Math.max(1 << 16, options.uniqueSeqs ?? 0));
    paths = new Set();
    groups = new Map();
    hangPrefixes = [];
  },
  hang(options: { prefixes: string[] }): void {
    hangPrefixes = options.prefixes;
  },
  /** Stops listening and drops every connection: new ones are refused until `up`. */
  async down(): Promise<void> {
    if (!listening) return;
    listening = false;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  },
  async up(): Promise<{ at: number }> {
    if (!listening) await listen();
    return { at: wallNow() };
  },
  stats,
  /** Deliveries (first receipts of a seq) that arrived from `from` until `to`, wall-clock ms. */
  deliveredBetween(options: { from: number; to: number }): number {
    let count = 0;
    for (let i = 0; i < delivered; i++) {
      const at = arrivals[i] ?? 0;
      if (at >= options.from && at < options.to) count += 1;
    }
    return count;
  },
  /**
   * Resolves once `count` deliveries (of `group`, if given) have arrived, or when nothing has
   * arrived for `idleMs`, or after `timeoutMs`; answers whether the count was reached.
   */
  waitFor(options: { count: number; group?: string; timeoutMs: number; idleMs: number }): Promise<boolean> {
    const group = options.group ?? null;
    const current = () => (group === null ? delivered : (groups.get(group)?.received ?? 0));
    if (current() >= options.count) return Promise.resolve(true);
    return new Promise((resolve) => {
      let last = received;
      const waiter = {
        count: options.count,
        group,
        resolve: () => {
          clearInterval(idle);
          clearTimeout(deadline);
          resolve(true);
        },
      };
      const finish = () => {
        clearInterval(idle);
        clearTimeout(deadline);
        waiters = waiters.filter((other) => other !== waiter);
        resolve(false);
      };
      const idle = setInterval(() => {
        if (received === last) finish();
        last = received;
      }, options.idleMs);
      const deadline = setTimeout(finish, options.timeoutMs);
      waiters.push(waiter);
    });
  },
});
