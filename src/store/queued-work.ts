/**
 * What a commit can leave for the workers: deliveries to claim, or background work (a fan-out to
 * expand, a deleted webhook to purge; see bounded-work.ts).
 */
export type QueuedWork = 'deliveries' | 'background';

/**
 * The listeners of one store instance that want to hear of newly queued work (see
 * DeliveryQueue.onDeliveriesQueued, BackgroundWork.onBackgroundWorkQueued). Writers announce;
 * the dispatcher and the background worker subscribe, each to its kind.
 */
export class QueuedWorkListeners {
  private readonly listeners: Record<QueuedWork, Set<() => void>> = {
    deliveries: new Set(),
    background: new Set(),
  };

  /** Returns the unsubscribe function. */
  add(listener: () => void, kind: QueuedWork = 'deliveries'): () => void {
    this.listeners[kind].add(listener);
    return () => this.listeners[kind].delete(listener);
  }

  announce(kind: QueuedWork = 'deliveries'): void {
    for (const listener of this.listeners[kind]) listener();
  }
}
