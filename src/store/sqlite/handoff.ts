import { DELIVERY_PREFIX, toPublicId } from '../../core/public-ids.js';
import type { ClaimedDelivery, NewEvent, WebhookOrdering } from '../../core/types.js';
import type { DeliveryTaker } from '../store.js';

/** The local worker that publishes hand their deliveries to, if one is registered (setDeliveryTaker). */
export interface TakerSlot {
  taker: DeliveryTaker | null;
}

/** What a delivery to a webhook needs from it, as a publish reads its tenant's subscribers. */
export interface Subscriber {
  id: string;
  url: string;
  secret: string | null;
  previousSecret: string | null;
  ordering: WebhookOrdering;
  rateLimit: number | null;
  events: string[];
}

/**
 * The deliveries one flush of publishes hands to the local worker: how much room it has left per
 * webhook, and what it has been given so far.
 */
export class Handoff {
  private readonly room = new Map<string, number>();
  private readonly tenantRoom = new Map<string, number>();
  private readonly taken: ClaimedDelivery[] = [];
  readonly leaseUntil: number;

  constructor(
    private readonly taker: DeliveryTaker,
    readonly lease: string,
    now: number,
  ) {
    this.leaseUntil = now + taker.leaseMs;
  }

  /** Whether the worker takes one more delivery to this webhook of this tenant (and counts it if so). */
  takesOne(tenantId: string, webhookId: string): boolean {
    const tenantRoom = this.tenantRoom.get(tenantId) ?? this.taker.tenantRoomFor(tenantId);
    const room = this.room.get(webhookId) ?? this.taker.roomFor(webhookId);
    if (tenantRoom <= 0 || room <= 0) return false;
    this.tenantRoom.set(tenantId, tenantRoom - 1);
    this.room.set(webhookId, room - 1);
    return true;
  }

  /** Records the first attempt of `event` to `webhook`, stored as row `id` under this handoff's lease. */
  add(id: number, event: NewEvent, webhook: Subscriber): void {
    this.taken.push({
      id: toPublicId(DELIVERY_PREFIX, id),
      lease: this.lease,
      tenantId: event.tenantId,
      webhookId: webhook.id,
      url: webhook.url,
      secret: webhook.secret,
      previousSecret: webhook.previousSecret,
      ordering: webhook.ordering,
      rateLimit: webhook.rateLimit,
      eventId: event.id,
      event: event.event,
      attempt: 1,
      trigger: 'event',
      payload: event.payload,
    });
  }

  give(): void {
    if (this.taken.length > 0) this.taker.take(this.taken);
  }
}
