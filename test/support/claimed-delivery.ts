import type { ClaimedDelivery } from '../../src/core/types.js';

/** A delivery as a worker holds it once claimed, to `url`; the sender tests change what they need. */
export function claimedDelivery(url: string, changes: Partial<ClaimedDelivery> = {}): ClaimedDelivery {
  return {
    id: 'dlv_1',
    lease: 'test:1',
    tenantId: 'tenant_a',
    webhookId: 'wh_a',
    url,
    ordering: 'none',
    rateLimit: null,
    secret: null,
    previousSecret: null,
    eventId: 'evt_1',
    event: 'kpi.alert',
    attempt: 1,
    trigger: 'event',
    payload: Buffer.from('{}'),
    ...changes,
  };
}
