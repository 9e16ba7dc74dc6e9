import type { Clock } from '../core/clock.js';
import type { RetrySchedule } from '../core/retry-policy.js';
import type { AttemptSender } from '../delivery/dispatcher.js';
import type { NetworkPolicy } from '../delivery/ssrf.js';
import type { Store } from '../store/store.js';
import type { Authenticator } from './auth.js';
import type { EventCatalog } from './event-catalog.js';

/** What the routes need, handed in once: they reach nothing else. */
export interface ApiContext {
  store: Store;
  clock: Clock;
  auth: Authenticator;
  catalog: EventCatalog;
  policy: NetworkPolicy;
  /** Sends the Test action's attempt at once, outside the queue. */
  sender: AttemptSender;
  schedule: RetrySchedule;
  deliveryTimeoutMs: number;
  /** Names this process in the leases of Test attempts. */
  owner: string;
  /** Base of portal links; null means the address the request came in on. */
  publicUrl: string | null;
}
