import type { Clock } from '../core/clock.js';
import type { TenantLimits } from '../core/types.js';
import type { TenantDirectory } from '../store/store.js';

/** Every limit of a tenant: its own where the admin set one, else the setting; 0 is no limit. */
export type Limits = Required<TenantLimits>;

/**
 * How long a tenant's limits are reused before they are read again: a change made through another
 * API process takes effect here within this time.
 */
const REREAD_AFTER_MS = 5_000;
const MAX_CACHED_TENANTS = 10_000;

export function effectiveLimits(own: TenantLimits, defaults: Limits): Limits {
  return { ...defaults, ...own };
}

/**
 * Each tenant's limits, read from the directory and kept for a few seconds: every publish checks
 * them, and a query per publish would cost more than the publish on PostgreSQL.
 */
export class TenantLimitsCache {
  private readonly cached = new Map<string, { limits: Promise<Limits>; until: number }>();

  constructor(
    private readonly tenants: Pick<TenantDirectory, 'getTenant'>,
    /** The settings, for the limits a tenant has none of its own for. */
    readonly defaults: Limits,
    private readonly clock: Clock,
  ) {}

  of(tenantId: string): Promise<Limits> {
    const now = this.clock.now();
    const hit = this.cached.get(tenantId);
    if (hit && hit.until > now) return hit.limits;
    const limits = this.read(tenantId);
    if (this.cached.size >= MAX_CACHED_TENANTS) this.cached.clear();
    const entry = { limits, until: now + REREAD_AFTER_MS };
    this.cached.set(tenantId, entry);
    // A failed read (the database is away) is not kept: the next request reads again.
    limits.catch(() => {
      if (this.cached.get(tenantId) === entry) this.cached.delete(tenantId);
    });
    return limits;
  }

  /** After a change through this process: the next request reads the tenant again. */
  forget(tenantId: string): void {
    this.cached.delete(tenantId);
  }

  private async read(tenantId: string): Promise<Limits> {
    const tenant = await this.tenants.getTenant(tenantId);
    return effectiveLimits(tenant?.limits ?? {}, this.defaults);
  }
}
