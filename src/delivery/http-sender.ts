import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent } from 'undici';
import { deliveryHeaders } from '../core/delivery-headers.js';
import { formatDuration } from '../core/duration.js';
import { parseRetryAfter } from '../core/retry-after.js';
import { isSuccessStatus } from '../core/retry-policy.js';
import type { AttemptResult } from '../core/types.js';
import type { AttemptSender, Sendable } from './attempt-sender.js';
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
  private readonly inFlight = new AttemptsInFlight();

  constructor(private readonly options: SenderOptions) {
    // Each attempt's own deadline (AttemptHandler) bounds headers and body, so undici's timers for
    // them are off: its bodyTimeout is an idle timer between chunks, which a receiver sending a byte
    // a second never trips. The connect timeout stays, to free a socket that never connects; it
    // starts after the attempt's deadline, so it never decides an attempt.
    this.agent = new Agent({
      connect: { lookup: options.policy.lookup, timeout: options.timeoutMs },
      headersTimeout: 0,
      bodyTimeout: 0,
      keepAliveTimeout: 4_000,
    });
  }

  send(delivery: Sendable): Promise<AttemptResult> {
    const attemptedAt = this.options.now();
    const target = this.targetOf(delivery.url);
    if (target.refusal !== null) {
      return Promise.resolve({
        attemptedAt,
        statusCode: null,
        responseTimeMs: 0,
        error: `refused: ${target.refusal}`,
        responseBody: null,
        requestHeaders: null,
        retryAfterMs: null,
      });
    }
    const headers = deliveryHeaders({
      eventId: delivery.eventId,
      secret: delivery.secret,
      previousSecret: delivery.previousSecret,
      payload: delivery.payload,
      attemptedAtSeconds: Math.floor(attemptedAt / 1000),
      userAgent: this.options.userAgent,
    });
    this.inFlight.started();
    return new Promise((resolve) => {
      const attempt = new AttemptHandler(
        attemptedAt,
        headers,
        this.options.timeoutMs,
        resolve,
        this.inFlight,
      );
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

  /** Resolves once every attempt under way has its result (each by its deadline) and the agent closed. */
  async close(): Promise<void> {
    await this.inFlight.none();
    await this.agent.close();
  }
}

/**
 * Counts the attempts under way, so that close() can wait for them: undici's Agent.close() does not
 * always. Undici 7 counts an origin's connections by origin, and when one closes while another is
 * still connecting it forgets that origin's pool, whose requests Agent.close() then never waits for.
 */
class AttemptsInFlight {
  private count = 0;
  private noneLeft: Promise<void> | null = null;
  private markNoneLeft: () => void = () => undefined;

  started(): void {
    this.count += 1;
  }

  ended(): void {
    this.count -= 1;
    if (this.count === 0 && this.noneLeft !== null) {
      this.noneLeft = null;
      this.markNoneLeft();
    }
  }

  none(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    this.noneLeft ??= new Promise((resolve) => {
      this.markNoneLeft = resolve;
    });
    return this.noneLeft;
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
 *
 * THE DEADLINE. One timer, armed when the attempt starts, bounds connect, response headers and body
 * together. When it fires the attempt ends there: the request is aborted, which destroys its
 * connection (never reused), and the result is
 *   - with no status yet: a failure, `timed out after 10s`;
 *   - with a status already: that status (a 2xx is a success, anything else fails as itself), with
 *     the excerpt that arrived so far and the time to the deadline.
 * A status that arrived is an answer, so the rest of its body is not worth failing the attempt
 * over, nor holding a worker slot for: the same rule as a body that runs past MAX_DRAIN_BYTES. A
 * connection the receiver breaks mid-body is different: its answer is unfinished, so the attempt
 * fails with the error (and is retried; `webhook-id` lets the receiver drop a duplicate).
 *
 * The result is resolved exactly once: whatever undici reports after that (the abort's own error
 * included) is ignored, and the deadline is cleared however else the attempt ends.
 */
class AttemptHandler {
  private readonly started = performance.now();
  private readonly deadline: NodeJS.Timeout;
  /** Null once the result is in. */
  private resolve: ((result: AttemptResult) => void) | null;
  private statusCode: number | null = null;
  private location: string | undefined;
  private retryAfterMs: number | null = null;
  private readonly excerpt: Buffer[] = [];
  private kept = 0;
  private seen = 0;
  private abort: ((reason?: Error) => void) | null = null;

  constructor(
    private readonly attemptedAt: number,
    private readonly requestHeaders: Record<string, string>,
    private readonly timeoutMs: number,
    resolve: (result: AttemptResult) => void,
    private readonly inFlight: AttemptsInFlight,
  ) {
    this.resolve = resolve;
    // The attempt resolves within timeoutMs plus a few ms of timer scheduling, whatever the receiver
    // does, so the lease (lease.ts: timeout × (rounds + 1) + 5 s) always outlasts it.
    this.deadline = setTimeout(onDeadline, timeoutMs, this);
  }

  onConnect(abort: (reason?: Error) => void): void {
    // Connected only after the deadline (the result is in already): the request goes no further.
    if (this.resolve === null) abort();
    else this.abort = abort;
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
    if (this.seen > MAX_DRAIN_BYTES) this.hangUp();
    return true;
  }

  onComplete(): void {
    this.answered();
  }

  onError(error: Error): void {
    this.failed(describeSendError(error, this.timeoutMs));
  }

  /** The deadline: the answer so far if there is one, else a timeout; either way the request ends. */
  expire(): void {
    if (this.statusCode === null) this.failed(timedOutAfter(this.timeoutMs));
    else this.answered();
    // Not connected yet: onConnect aborts it.
    this.abort?.();
  }

  /** Ends an attempt that has its status: the answer so far is its result, the connection is dropped. */
  private hangUp(): void {
    this.answered();
    this.abort?.();
  }

  private answered(): void {
    const statusCode = this.statusCode as number;
    this.settle({
      attemptedAt: this.attemptedAt,
      statusCode,
      responseTimeMs: this.elapsed(),
      error: isSuccessStatus(statusCode) ? null : describeStatus(statusCode, this.location),
      responseBody: this.kept === 0 ? null : Buffer.concat(this.excerpt, this.kept).toString('utf8'),
      requestHeaders: this.requestHeaders,
      retryAfterMs: this.retryAfterMs,
    });
  }

  private failed(error: string): void {
    this.settle({
      attemptedAt: this.attemptedAt,
      statusCode: null,
      responseTimeMs: this.elapsed(),
      error,
      responseBody: null,
      requestHeaders: this.requestHeaders,
      retryAfterMs: null,
    });
  }

  private settle(result: AttemptResult): void {
    const resolve = this.resolve;
    if (resolve === null) return;
    this.resolve = null;
    clearTimeout(this.deadline);
    resolve(result);
    this.inFlight.ended();
  }

  private elapsed(): number {
    return Math.round(performance.now() - this.started);
  }
}

/** The deadline's callback: a plain function given its handler, so arming it allocates no closure. */
function onDeadline(attempt: AttemptHandler): void {
  attempt.expire();
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
  // Closed before the body announced by Content-Length was in (a reset of a closing connection too).
  UND_ERR_RES_CONTENT_LENGTH_MISMATCH: 'connection closed by the receiver',
  UND_ERR_HEADERS_OVERFLOW: 'response headers too large',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CLOSED: 'connection closed',
};

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

function timedOutAfter(timeoutMs: number): string {
  return `timed out after ${formatDuration(timeoutMs)}`;
}

/** A short sentence for the delivery history: "connection refused", "timed out after 10s", … */
export function describeSendError(error: unknown, timeoutMs: number): string {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? '';
    if (code === SSRF_ERROR_CODE) return `refused: ${cause.message}`;
    if (TIMEOUT_CODES.has(code)) return timedOutAfter(timeoutMs);
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
