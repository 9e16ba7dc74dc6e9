import type { AttemptResult } from '../core/types.js';

/** Where a webhook Herald has not sent to yet starts: a few requests, growing with each success. */
const INITIAL_LIMIT = 4;

/**
 * The latency under which a webhook may use its whole maximum: past it, its share shrinks in
 * proportion, so that in flight × latency ≤ maximum × this. A webhook answering in 10 ms or 100 ms
 * can have 64 requests out; one answering in 1 s, 6; one taking 9.5 s, 1.
 */
const FULL_SHARE_LATENCY_MS = 100;

/** Weight of the newest attempt in a webhook's running latency: a few slow answers are enough to tell. */
const LATENCY_WEIGHT = 0.3;

interface WebhookState {
  /** Additive increase, drop to one on a timeout or failed connection. */
  limit: number;
  /** Running average of its attempts' durations; null until one is known. */
  latencyMs: number | null;
}

/**
 * How many requests one webhook may have in flight. A webhook starts with a few, gains one with every
 * answered attempt up to the configured maximum, and drops to one as soon as an attempt times out or
 * cannot connect: a hanging endpoint then holds one slot of the worker instead of its whole share,
 * and the healthy ones keep the rest. One answered attempt starts its climb back.
 *
 * The limit also follows latency (Little's law: in flight ≈ throughput × latency). A webhook that
 * answers slowly earns fewer slots, not more, so slow-but-successful endpoints cannot fill the
 * worker with requests that each hold a slot for seconds.
 */
export class WebhookConcurrency {
  private readonly states = new Map<string, WebhookState>();
  /** The limit of a webhook not sent to yet. */
  readonly initial: number;

  constructor(private readonly max: number) {
    this.initial = Math.min(INITIAL_LIMIT, max);
  }

  limitOf(webhookId: string): number {
    const state = this.states.get(webhookId);
    if (!state) return this.initial;
    if (state.latencyMs === null || state.latencyMs <= FULL_SHARE_LATENCY_MS) return state.limit;
    const latencyShare = Math.floor((this.max * FULL_SHARE_LATENCY_MS) / state.latencyMs);
    return Math.max(1, Math.min(state.limit, latencyShare));
  }

  record(webhookId: string, result: AttemptResult): void {
    let state = this.states.get(webhookId);
    if (!state) {
      state = { limit: this.initial, latencyMs: null };
      this.states.set(webhookId, state);
    }
    state.limit = result.statusCode === null ? 1 : Math.min(this.max, state.limit + 1);
    state.latencyMs =
      state.latencyMs === null
        ? result.responseTimeMs
        : state.latencyMs + LATENCY_WEIGHT * (result.responseTimeMs - state.latencyMs);
  }
}
