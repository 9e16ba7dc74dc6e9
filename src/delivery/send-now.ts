import type { Clock } from '../core/clock.js';
import { decideOutcome } from '../core/outcome.js';
import type { RetryPolicy } from '../core/retry-policy.js';
import type { NewEvent } from '../core/types.js';
import type { DeliveryQueue, Publisher } from '../store/store.js';
import type { AttemptObserver } from './attempt-observer.js';
import type { AttemptSender } from './attempt-sender.js';
import type { HealthMonitor } from './health-monitor.js';
import { leaseMs } from './lease.js';

/**
 * Sends `event` to one webhook at once, outside the queue, and resolves with the delivery's id once
 * its outcome is recorded. The Test action's path: its delivery is never retried.
 */
export type SendNow = (event: NewEvent, webhookId: string) => Promise<string>;

export interface SendNowOptions {
  store: Pick<Publisher, 'startTestDelivery'> & Pick<DeliveryQueue, 'completeDeliveries'>;
  sender: AttemptSender;
  clock: Clock;
  retryPolicy: RetryPolicy;
  /** Disables a webhook whose receiver answered 410 Gone, as the workers do. */
  health: Pick<HealthMonitor, 'disable'>;
  /** Names this process in the leases. */
  owner: string;
  timeoutMs: number;
  observer?: AttemptObserver;
}

/**
 * The delivery is stored already leased to this process, so no worker claims it while the request is
 * out; the lease covers this one attempt (nothing waits ahead of it) and the outcome's write.
 */
export function sendNowWith(options: SendNowOptions): SendNow {
  const { store, sender, clock, retryPolicy, health, owner, timeoutMs, observer } = options;
  return async (event, webhookId) => {
    const now = clock.now();
    const lease = { owner, until: now + leaseMs(timeoutMs, 0) };
    const claimed = await store.startTestDelivery(event, webhookId, lease, now);
    const result = await sender.send(claimed);
    const finished = clock.now();
    const outcome = decideOutcome(claimed, result, retryPolicy, finished);
    observer?.attempted(claimed, outcome);
    await store.completeDeliveries([outcome], finished);
    if (outcome.disableWebhook) await health.disable(claimed, outcome.disableWebhook);
    return claimed.id;
  };
}
