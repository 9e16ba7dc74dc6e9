/**
 * Concurrent reads of one key share a single store call. The API's caches expire every few seconds;
 * without this, every request waiting at that moment (64 busy clients: 64) sends its own copy of
 * the same query, which on PostgreSQL cost more statements than the publishes themselves.
 */
export class SharedReads<T> {
  private readonly running = new Map<string, Promise<T>>();

  read(key: string, load: () => Promise<T>): Promise<T> {
    const running = this.running.get(key);
    if (running) return running;
    const read = load().finally(() => {
      if (this.running.get(key) === read) this.running.delete(key);
    });
    this.running.set(key, read);
    return read;
  }

  /** Reads asked for from now on start afresh: what is under way may predate a change. */
  forget(): void {
    this.running.clear();
  }
}
