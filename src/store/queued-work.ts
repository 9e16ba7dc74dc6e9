/**
 * The listeners of one store instance that want to hear of newly queued work (see
 * DeliveryQueue.onDeliveriesQueued). The publishing side announces; the queue side subscribes.
 */
export class QueuedWorkListeners {
  private readonly listeners = new Set<() => void>();

  /** Returns the unsubscribe function. */
  add(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  announce(): void {
    for (const listener of this.listeners) listener();
  }
}
