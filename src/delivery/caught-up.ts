import type { ClaimedDelivery } from '../core/types.js';

/** What a claim asked of each webhook and tenant: rooms by name, and the room of any other. */
export interface ClaimRooms {
  webhooks: ReadonlyMap<string, number>;
  otherWebhooks: number;
  tenants: ReadonlyMap<string, number>;
  otherTenants: number;
}

/**
 * After a claim came back short, the dispatcher is caught up with the store: another claim is not
 * worth its query until something says there may be more. Lanes that were busy, or that the claim
 * filled to their room: their wanting more says so (work can fall due for them unannounced:
 * retries, released leases). Tenants the claim filled to their room, or that had none: their
 * regaining a claim's worth of room says so.
 */
export class CaughtUp {
  readonly busyLanes: ReadonlySet<string>;
  readonly cappedTenants: ReadonlySet<string>;

  constructor(claimed: readonly ClaimedDelivery[], rooms: ClaimRooms, busyLanes: Iterable<string>) {
    this.busyLanes = new Set([
      ...filled(countBy(claimed, 'webhookId'), rooms.webhooks, rooms.otherWebhooks),
      ...busyLanes,
    ]);
    this.cappedTenants = new Set(filled(countBy(claimed, 'tenantId'), rooms.tenants, rooms.otherTenants));
  }
}

/** Who took all the room a claim gave it, or was given none. */
function filled(taken: Map<string, number>, rooms: ReadonlyMap<string, number>, other: number): string[] {
  return [
    ...[...taken].filter(([id, count]) => count >= (rooms.get(id) ?? other)).map(([id]) => id),
    ...[...rooms].filter(([, room]) => room === 0).map(([id]) => id),
  ];
}

function countBy(deliveries: readonly ClaimedDelivery[], key: 'webhookId' | 'tenantId'): Map<string, number> {
  const counts = new Map<string, number>();
  for (const delivery of deliveries) counts.set(delivery[key], (counts.get(delivery[key]) ?? 0) + 1);
  return counts;
}
