import type { TenantLimits } from './types.js';

/** The setting each tenant limit takes when the admin set none of the tenant's own. */
export const TENANT_LIMIT_SETTINGS: Readonly<Record<keyof TenantLimits, string>> = {
  maxWebhooks: 'HERALD_TENANT_MAX_WEBHOOKS',
  maxBatchEvents: 'HERALD_MAX_BATCH_EVENTS',
  publishRate: 'HERALD_TENANT_PUBLISH_RATE',
  keyPublishRate: 'HERALD_KEY_PUBLISH_RATE',
};

/**
 * Most events one batch request may carry, whatever a tenant's limit says: a batch is stored in one
 * transaction, and a larger one would hold the database writer for too long.
 */
export const MAX_BATCH_EVENTS = 1_000;

/** Highest webhook count or publish rate that a setting or a tenant's own limit may name. */
export const MAX_QUOTA = 1_000_000;
