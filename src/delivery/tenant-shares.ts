/**
 * How a worker's slots (HERALD_CONCURRENCY) are shared between tenants: tenants first, then each
 * tenant's webhooks (round-robin claims, per-webhook limits).
 *
 * Requests are not pre-empted, so a share must be kept free before it is needed: no tenant may push
 * the free slots below a reserve once it holds its guaranteed share, which is the concurrency split
 * between the tenants holding work and one more, the next to show up. The reserve is what one
 * webhook may have in flight (HERALD_WEBHOOK_CONCURRENCY), at least an eighth of the slots and at
 * most half: a tenant that appears while another fills the worker with requests that hang for their
 * whole timeout is served at once and at full speed. Every tenant holding work can always grow to its
 * guaranteed share; a lone tenant may use all but the reserve.
 */
export class TenantShares {
  /** Deliveries each tenant has waiting in lanes or in flight. */
  private readonly held = new Map<string, number>();
  private readonly reserve: number;

  constructor(
    private readonly concurrency: number,
    webhookConcurrency: number,
  ) {
    this.reserve = Math.min(
      Math.floor(concurrency / 2),
      Math.max(Math.ceil(concurrency / 8), webhookConcurrency),
    );
  }

  add(tenantId: string, count = 1): void {
    this.held.set(tenantId, (this.held.get(tenantId) ?? 0) + count);
  }

  remove(tenantId: string, count = 1): void {
    const left = (this.held.get(tenantId) ?? 0) - count;
    if (left > 0) this.held.set(tenantId, left);
    else this.held.delete(tenantId);
  }

  /** How many more deliveries of the tenant the worker takes now, with `free` of its slots free. */
  roomFor(tenantId: string, free: number): number {
    return this.roomWith(this.held.get(tenantId) ?? 0, free);
  }

  /** Each tenant's room for a claim: those holding work by name, any other as `others`. */
  claimRooms(free: number): { rooms: Map<string, number>; others: number } {
    const rooms = new Map<string, number>();
    for (const [tenantId, held] of this.held) rooms.set(tenantId, this.roomWith(held, free));
    return { rooms, others: this.roomWith(0, free) };
  }

  private roomWith(held: number, free: number): number {
    const holding = this.held.size + (held === 0 ? 1 : 0);
    const guaranteed = Math.floor(this.concurrency / (holding + 1));
    const room = Math.max(guaranteed - held, free - this.reserve);
    return Math.max(0, Math.min(free, room));
  }
}
