import type { AttemptResult } from '../core/types.js';

/** Where a webhook Herald has not sent to yet starts: a few requests, growing with each success. */
const INITIAL_LIMIT = 4;

/**
 * How many requests one webhook may have in flight. A webhook starts with a few, gains one with every
 * answered attempt up to the configured maximum, and drops to one as soon as an attempt times out or
 * cannot connect: a hanging endpoint then holds one slot of the worker instead of its whole share,
 * and the healthy ones keep the rest. One answered attempt starts its climb back.
 */
export class WebhookConcurrency {
  private readonly limits = new Map<string, number>();
  private readonly initial: number;

  constructor(private readonly max: number) {
    this.initial = Math.min(INITIAL_LIMIT, max);
  }

  limitOf(webhookId: string): number {
    return this.limits.get(webhookId) ?? this.initial;
  }

  record(webhookId: string, result: AttemptResult): void {
    const current = this.limitOf(webhookId);
    const next = result.statusCode === null ? 1 : Math.min(this.max, current + 1);
    if (next !== current) this.limits.set(webhookId, next);
  }
}
