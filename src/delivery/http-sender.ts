import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { deliveryHeaders } from '../core/delivery-headers.js';
import { formatDuration } from '../core/duration.js';
import { parseRetryAfter } from '../core/retry-after.js';
import { isSuccessStatus } from '../core/retry-policy.js';
import type { AttemptResult, ClaimedDelivery } from '../core/types.js';
import type { AttemptSender } from './attempt-sender.js';
import { type NetworkPolicy, SSRF_ERROR_CODE } from './ssrf.js';

/** How much of a response body the history keeps; the rest is drained, never buffered. */
export const RESPONSE_EXCERPT_BYTES = 4096;
/** How many parsed webhook URLs are remembered (a bound, not an expectation). */
const KNOWN_URLS_LIMIT = 10_000;
/** Past this much body, the connection is dropped rather than read to the end. */
const MAX_DRAIN_BYTES = 64 * 1024;

export interface SenderOptions {
  timeoutMs: number;
  policy: NetworkPolicy;
  userAgent: string;
  /** Milliseconds since the epoch, for the attempt's timestamp. */
  now: () => number;
}

/** Where one webhook URL sends to, parsed once; or why it may not be sent to at all. */
type Target = { origin: string; path: string; refusal: null } | { refusal: string };

/**
 * Sends one attempt over a shared keep-alive undici Agent whose DNS lookup is SSRF-guarded. It uses
 * undici's `dispatch` with a handler of its own rather than `request`: no response stream or header
 * object is built, only the status, the location of a redirect, and the first bytes of the body are
 * kept. That halves the CPU an attempt costs, which is most of what a busy sender does.
 */
export class HttpSender implements AttemptSender {
  private readonly agent: Agent;
  private readonly targets = new Map<string, Target>();

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connect: { lookup: options.policy.lookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const attemptedAt = this.options.now();
    const target = this.targetOf(delivery.url);
    if (target.refusal !== null) {
      return Promise.resolve({
        attemptedAt,
        statusCode: null,
        responseTimeMs: 0,
        error: `refused: ${target.refusal}`,
        responseBody: null,
        retryAfterMs: null,
      });
    }
    const headers = deliveryHeaders({
      eventId: delivery.eventId,
      secret: delivery.secret,
      payload: delivery.payload,
      attemptedAtSeconds: Math.floor(attemptedAt / 1000),
      userAgent: this.options.userAgent,
    });
    return new Promise((resolve) => {
      const attempt = new AttemptHandler(attemptedAt, this.options.timeoutMs, resolve);
      this.agent.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers, body: delivery.payload },
        attempt,
      );
    });
  }

  /**
   * IP-literal hosts never reach the DNS lookup hook, so they are judged here. The policy is fixed
   * for the life of the process, so each URL is parsed and judged once.
   */
  private targetOf(url: string): Target {
    let target = this.targets.get(url);
    if (target === undefined) {
      target = parseTarget(url, this.options.policy);
      if (this.targets.size >= KNOWN_URLS_LIMIT) this.targets.clear();
      this.targets.set(url, target);
    }
    return target;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function parseTarget(url: string, policy: NetworkPolicy): Target {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { refusal: `invalid URL ${url}` };
  }
  const { hostname } = parsed;
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const refusal = isIP(bare) === 0 ? null : policy.checkLiteralHost(hostname);
  if (refusal !== null) return { refusal };
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}`, refusal: null };
}

/**
 * One attempt's undici handler (the callback interface undici runs requests with internally, so
 * nothing is wrapped): keeps the status, a redirect's location and the first bytes of the body.
 */
class AttemptHandler {
  private readonly started = performance.now();
  private statusCode: number | null = null;
  private location: string | undefined;
  private retryAfterMs: number | null = null;
  private readonly excerpt: Buffer[] = [];
  private kept = 0;
  private seen = 0;
  private abort: ((reason?: Error) => void) | null = null;
  /** Set when the body ran past MAX_DRAIN_BYTES and the connection was dropped on purpose. */
  private cutShort = false;

  constructor(
    private readonly attemptedAt: number,
    private readonly timeoutMs: number,
    private readonly resolve: (result: AttemptResult) => void,
  ) {}

  onConnect(abort: (reason?: Error) => void): void {
    this.abort = abort;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.statusCode = statusCode;
    if (statusCode >= 300 && statusCode < 400) this.location = headerValue(rawHeaders, 'location');
    if (statusCode === 429 || statusCode === 503) {
      const now = this.attemptedAt + this.elapsed();
      this.retryAfterMs = parseRetryAfter(headerValue(rawHeaders, 'retry-after'), now);
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.seen += chunk.length;
    if (this.kept < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - this.kept);
      this.excerpt.push(part);
      this.kept += part.length;
    }
    if (this.seen > MAX_DRAIN_BYTES && !this.cutShort) {
      this.cutShort = true;
      this.abort?.();
    }
    return true;
  }

  onComplete(): void {
    this.answered();
  }

  onError(error: Error): void {
    if (this.cutShort && this.statusCode !== null) {
      this.answered();
      return;
    }
    this.resolve({
      attemptedAt: this.attemptedAt,
      statusCode: null,
      responseTimeMs: this.elapsed(),
      error: describeSendError(error, this.timeoutMs),
      responseBody: null,
      retryAfterMs: null,
    });
  }

  private answered(): void {
    const statusCode = this.statusCode as number;
    this.resolve({
      attemptedAt: this.attemptedAt,
      statusCode,
      responseTimeMs: this.elapsed(),
      error: isSuccessStatus(statusCode) ? null : describeStatus(statusCode, this.location),
      responseBody: this.kept === 0 ? null : Buffer.concat(this.excerpt, this.kept).toString('utf8'),
      retryAfterMs: this.retryAfterMs,
    });
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

function headerValue(rawHeaders: Buffer[], name: string): string | undefined {
  for (let index = 0; index < rawHeaders.length; index += 2) {
    if (rawHeaders[index]?.toString('latin1').toLowerCase() === name)
      return rawHeaders[index + 1]?.toString('latin1');
  }
  return undefined;
}

function describeStatus(statusCode: number, location: string | undefined): string {
  if (statusCode >= 300 && statusCode < 400) {
    return `HTTP ${statusCode} redirect${location ? ` to ${location}` : ''} (redirects are not followed)`;
  }
  return `HTTP ${statusCode}`;
}

const ERROR_SENTENCES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by the receiver',
  EPIPE: 'connection closed by the receiver',
  UND_ERR_SOCKET: 'connection closed by the receiver',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CLOSED: 'connection closed',
};

const TIMEOUT_CODES = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ETIMEDOUT',
]);

/** A short sentence for the delivery history: "connection refused", "timed out after 10s", … */
export function describeSendError(error: unknown, timeoutMs: number): string {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    if (code === SSRF_ERROR_CODE) return `refused: ${cause.message}`;
    if (TIMEOUT_CODES.has(code)) return `timed out after ${formatDuration(timeoutMs)}`;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      const host = (cause as NodeJS.ErrnoException & { hostname?: string }).hostname;
      return `could not resolve host${host ? ` ${host}` : ''}`;
    }
    const sentence = ERROR_SENTENCES[code];
    if (sentence) return sentence;
    if (code.startsWith('ERR_TLS') || code.includes('CERT') || code.startsWith('ERR_SSL')) {
      return `TLS error: ${cause.message}`;
    }
  }
  return error instanceof Error ? error.message : String(error);
}
