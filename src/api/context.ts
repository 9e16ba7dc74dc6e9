import type { Clock } from '../core/clock.js';
import type { TenantLimits } from '../core/types.js';
import type { SendNow } from '../delivery/send-now.js';
import type { Directory, History, Publisher, Retention } from '../store/store.js';
import type { Authenticator } from './auth.js';
import type { EventCatalog } from './event-catalog.js';
import type { PublishQuota } from './publish-quota.js';
import type { Probes } from './routes/probes.js';
import type { TenantLimitsCache } from './tenant-limits.js';

/** What the routes need, handed in once: they reach nothing else. */
export interface ApiContext {
  directory: Directory;
  publisher: Publisher;
  history: History;
  retention: Retention;
  clock: Clock;
  auth: Authenticator;
  catalog: EventCatalog;
  /**
   * Why Herald would refuse to deliver to `url` (not http(s), credentials in it, a non-public
   * address outside the allow list), or null when it may. The delivery side judges it again at
   * every attempt.
   */
  refuseUrl(url: string): Promise<string | null>;
  /** The Test action's attempt, sent at once outside the queue. */
  sendNow: SendNow;
  /**
   * Base of portal links: HERALD_PUBLIC_URL, else the one address Herald listens on; null when it
   * listens on every address and no URL is set. Never the request's Host header, which the caller
   * writes: a link built from it could send a tenant's sign-in token to any host.
   */
  publicUrl(): string | null;
  /** The limits of a tenant the admin set none of its own for (HERALD_TENANT_MAX_WEBHOOKS and the like). */
  tenantLimits: Required<TenantLimits>;
  /** /healthz, /readyz and /metrics. */
  probes: Probes;
}

/** What the routes get: the context, and the quota state the server keeps for its lifetime. */
export interface RouteContext extends ApiContext {
  limits: TenantLimitsCache;
  publishQuota: PublishQuota;
}
