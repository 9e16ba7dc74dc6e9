import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Agent, request } from 'undici';
import { deliveryHeaders } from '../core/delivery-headers.js';
import { formatDuration } from '../core/duration.js';
import { isSuccessStatus } from '../core/retry-policy.js';
import type { AttemptResult, ClaimedDelivery } from '../core/types.js';
import { type NetworkPolicy, SSRF_ERROR_CODE } from './ssrf.js';

/** How much of a response body the history keeps; the rest is drained, never buffered. */
export const RESPONSE_EXCERPT_BYTES = 4096;
/** How many webhook URLs' literal-host verdicts are remembered (a bound, not an expectation). */
const JUDGED_URLS_LIMIT = 10_000;
/** Past this much body, the connection is dropped rather than read to the end. */
const MAX_DRAIN_BYTES = 64 * 1024;

export interface SenderOptions {
  timeoutMs: number;
  policy: NetworkPolicy;
  userAgent: string;
  /** Milliseconds since the epoch, for the attempt's timestamp. */
  now: () => number;
}

/** Sends one attempt with undici over a shared keep-alive Agent whose DNS lookup is SSRF-guarded. */
export class HttpSender {
  private readonly agent: Agent;
  private readonly literalRefusals = new Map<string, string | null>();

  constructor(private readonly options: SenderOptions) {
    this.agent = new Agent({
      connect: { lookup: options.policy.lookup, timeout: options.timeoutMs },
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      keepAliveTimeout: 4_000,
    });
  }

  async send(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const attemptedAt = this.options.now();
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refusal = this.literalHostRefusal(delivery.url);
    if (refusal) {
      return {
        attemptedAt,
        statusCode: null,
        responseTimeMs: 0,
        error: `refused: ${refusal}`,
        responseBody: null,
      };
    }
    try {
      const response = await request(delivery.url, {
        method: 'POST',
        dispatcher: this.agent,
        headers: deliveryHeaders({
          eventId: delivery.eventId,
          secret: delivery.secret,
          payload: delivery.payload,
          attemptedAtSeconds: Math.floor(attemptedAt / 1000),
          userAgent: this.options.userAgent,
        }),
        body: delivery.payload,
      });
      const responseBody = await readExcerpt(response.body);
      const statusCode = response.statusCode;
      return {
        attemptedAt,
        statusCode,
        responseTimeMs: elapsed(),
        error: isSuccessStatus(statusCode) ? null : describeStatus(statusCode, response.headers.location),
        responseBody,
      };
    } catch (error) {
      return {
        attemptedAt,
        statusCode: null,
        responseTimeMs: elapsed(),
        error: describeSendError(error, this.options.timeoutMs),
        responseBody: null,
      };
    }
  }

  /**
   * IP-literal hosts never reach the DNS lookup hook, so they are judged here. The policy is fixed
   * for the life of the process, so each URL is judged once.
   */
  private literalHostRefusal(url: string): string | null {
    let refusal = this.literalRefusals.get(url);
    if (refusal === undefined) {
      refusal = judgeLiteralHost(url, this.options.policy);
      if (this.literalRefusals.size >= JUDGED_URLS_LIMIT) this.literalRefusals.clear();
      this.literalRefusals.set(url, refusal);
    }
    return refusal;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}

function judgeLiteralHost(url: string, policy: NetworkPolicy): string | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return `invalid URL ${url}`;
  }
  const bare = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  return isIP(bare) === 0 ? null : policy.checkLiteralHost(hostname);
}

async function readExcerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (kept < RESPONSE_EXCERPT_BYTES) {
      const part = chunk.subarray(0, RESPONSE_EXCERPT_BYTES - kept);
      chunks.push(part);
      kept += part.length;
    }
    if (seen > MAX_DRAIN_BYTES) {
      body.destroy();
      break;
    }
  }
  return kept === 0 ? null : Buffer.concat(chunks).toString('utf8');
}

function describeStatus(statusCode: number, location: string | string[] | undefined): string {
  if (statusCode >= 300 && statusCode < 400) {
    const target = Array.isArray(location) ? location[0] : location;
    return `HTTP ${statusCode} redirect${target ? ` to ${target}` : ''} (redirects are not followed)`;
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
