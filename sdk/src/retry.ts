/** Answers that mean the server did not act on the request: it can be sent again as it was. */
const RETRIED_STATUSES = new Set([429, 503]);

export interface RetryOptions {
  /** Retries after the first attempt (0 turns retrying off). Default 3. */
  retries?: number;
  /** Wait before the first retry when the answer names no Retry-After; doubled for each next one. Default 500 ms. */
  initialDelayMs?: number;
  /** The longest wait: an answer asking for more (Retry-After) is returned instead. Default 30 s. */
  maxDelayMs?: number;
  /** Injected by tests, which must not wait for real. */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

type Fetch = (request: Request) => Promise<Response>;

/** `Retry-After` as seconds or as an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * A fetch that sends a request again, byte for byte, after a 429 or 503: waiting as long as
 * Retry-After says, else backing off exponentially with jitter (so many clients turned away together
 * do not all come back at the same instant).
 */
export function retryingFetch(fetch: Fetch, options: RetryOptions = {}): Fetch {
  const {
    retries = 3,
    initialDelayMs = 500,
    maxDelayMs = 30_000,
    sleep = sleepFor,
    random = Math.random,
    now = Date.now,
  } = options;
  const backoffMs = (retry: number) => {
    const ceiling = Math.min(maxDelayMs, initialDelayMs * 2 ** retry);
    return ceiling / 2 + (random() * ceiling) / 2;
  };
  return async (request) => {
    for (let retry = 0; ; retry++) {
      // A body can be read once: every attempt but the last sends a copy.
      const response = await fetch(retry < retries ? request.clone() : request);
      if (!RETRIED_STATUSES.has(response.status) || retry >= retries) return response;
      const delayMs = retryAfterMs(response.headers.get('retry-after'), now()) ?? backoffMs(retry);
      if (delayMs > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(delayMs);
    }
  };
}
