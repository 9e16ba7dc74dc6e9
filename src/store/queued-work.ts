/**
 * What a commit can leave for others to act on: deliveries to claim, background work (a fan-out to
 * expand, a deleted webhook to purge; see bounded-work.ts), or credentials that stopped working
 * (a revoked key, a deleted tenant) that authenticators must forget.
 */
export type QueuedWork = 'deliveries' | 'background' | 'credentials';

export const QUEUED_WORK_KINDS: readonly QueuedWork[] = ['deliveries', 'background', 'credentials'];

/**
 * Told of queued work. `tenants`: the tenants whose deliveries were queued, when the writer knows
 * them (a publish, a fan-out step); left out, work of any tenant may have been queued.
 */
export type QueuedWorkSubscriber = (tenants?: readonly string[]) => void;

/**
 * The listeners of one store instance that want to hear of newly queued work (see
 * DeliveryQueue.onDeliveriesQueued, BackgroundWork.onBackgroundWorkQueued). Writers announce;
 * the dispatcher and the background worker subscribe, each to its kind.
 */
export class QueuedWorkListeners {
  private readonly listeners: Record<QueuedWork, Set<QueuedWorkSubscriber>> = {
    deliveries: new Set(),
    background: new Set(),
    credentials: new Set(),
  };

  /** Returns the unsubscribe function. */
  add(listener: QueuedWorkSubscriber, kind: QueuedWork = 'deliveries'): () => void {
    this.listeners[kind].add(listener);
    return () => this.listeners[kind].delete(listener);
  }

  announce(kind: QueuedWork = 'deliveries', tenants?: readonly string[]): void {
    for (const listener of this.listeners[kind]) listener(tenants);
  }
}
