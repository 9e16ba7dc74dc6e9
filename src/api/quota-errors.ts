import { HeraldError } from '../core/errors.js';
import { MAX_BATCH_EVENTS, TENANT_LIMIT_SETTINGS } from '../core/tenant-limits.js';
import type { TenantLimits } from '../core/types.js';

/** Who can raise a limit, and how: for one tenant, and for all of them. */
function howToRaise(tenantId: string, limit: keyof TenantLimits): string {
  const setting = TENANT_LIMIT_SETTINGS[limit];
  return (
    `The Herald admin can raise it for this tenant (PATCH /v1/tenants/${tenantId} ` +
    `{"limits":{"${limit}":…}}) or for every tenant (${setting}).`
  );
}

export function tooManyWebhooks(tenantId: string, maxWebhooks: number): HeraldError {
  return new HeraldError(
    'QUOTA_EXCEEDED',
    `Tenant ${tenantId} has reached its limit of ${maxWebhooks} webhooks: delete one first. ` +
      howToRaise(tenantId, 'maxWebhooks'),
  );
}

export function batchTooLarge(tenantId: string, events: number, maxBatchEvents: number): HeraldError {
  const raise = maxBatchEvents < MAX_BATCH_EVENTS ? ` ${howToRaise(tenantId, 'maxBatchEvents')}` : '';
  return new HeraldError(
    'QUOTA_EXCEEDED',
    `This batch has ${events} events; tenant ${tenantId} may publish at most ${maxBatchEvents} in one ` +
      `request: split it.${raise}`,
  );
}

export function publishRateExceeded(
  tenantId: string,
  limit: 'publishRate' | 'keyPublishRate',
  rate: number,
  retryAfterSeconds: number,
): HeraldError {
  const who = limit === 'publishRate' ? `Tenant ${tenantId}` : `This API key of tenant ${tenantId}`;
  return new HeraldError(
    'RATE_LIMITED',
    `${who} may publish ${rate} events a second and has used them up: retry in ${retryAfterSeconds} s ` +
      `(the Retry-After header). ${howToRaise(tenantId, limit)}`,
    retryAfterSeconds,
  );
}
