import type { Clock } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import { WEBHOOK_DISABLED_EVENT_TYPE } from '../core/event-catalog.js';
import { newId } from '../core/ids.js';
import { buildEvent } from '../core/payload.js';
import type { WebhookHealth } from '../store/store.js';

/** How often workers look for webhooks that have failed for too long. */
const SWEEP_EVERY_MS = 60_000;
/** Webhooks disabled per look; the rest wait for the next one. */
const SWEEP_BATCH = 100;

export interface HealthMonitorOptions {
  store: WebhookHealth;
  clock: Clock;
  /** A webhook whose every attempt has failed for this long is disabled (HERALD_DISABLE_AFTER). */
  disableAfterMs: number;
  onError?: (error: unknown) => void;
}

/** The webhook a receiver's answer concerns, as a claimed delivery knows it. */
export interface WebhookRef {
  tenantId: string;
  webhookId: string;
  url: string;
}

/**
 * Acts on what receivers say over time: a webhook that answered 410 Gone, or whose every attempt has
 * failed for HERALD_DISABLE_AFTER, is disabled with the reason recorded, and its tenant hears of it
 * through a webhook.disabled event to its other webhooks that subscribe to it. A success resets the
 * failure clock (the store keeps it with each batch of outcomes).
 */
export class HealthMonitor {
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly options: HealthMonitorOptions) {}

  /** Looks for webhooks failing too long now and then every minute, until stop(). */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(
      () => void this.sweep().catch((error) => this.options.onError?.(error)),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
    void this.sweep().catch((error) => this.options.onError?.(error));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Disables the webhook for `reason` unless it already is; resolves whether this call did it. */
  async disable(webhook: WebhookRef, reason: string, failingSince: number | null = null): Promise<boolean> {
    const now = this.options.clock.now();
    const notice = buildEvent({
      id: newId('evt', now),
      tenantId: webhook.tenantId,
      event: WEBHOOK_DISABLED_EVENT_TYPE,
      data: {
        webhookId: webhook.webhookId,
        url: webhook.url,
        reason,
        failingSince: failingSince === null ? null : new Date(failingSince).toISOString(),
      },
      now,
    });
    return this.options.store.disableWebhook(webhook.tenantId, webhook.webhookId, reason, notice, now);
  }

  /** Disables every active webhook whose attempts have all failed for HERALD_DISABLE_AFTER; returns how many. */
  async sweep(): Promise<number> {
    const { disableAfterMs } = this.options;
    const cutoff = this.options.clock.now() - disableAfterMs;
    let disabled = 0;
    for (;;) {
      const failing = await this.options.store.listWebhooksFailingSince(cutoff, SWEEP_BATCH);
      for (const webhook of failing) {
        const since = webhook.failingSince as number;
        const reason = `Every attempt failed for ${formatDuration(disableAfterMs)} (since ${new Date(since).toISOString()}).`;
        const ref = { tenantId: webhook.tenantId, webhookId: webhook.id, url: webhook.url };
        if (await this.disable(ref, reason, since)) disabled += 1;
      }
      if (failing.length < SWEEP_BATCH) return disabled;
    }
  }
}
