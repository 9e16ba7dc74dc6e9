import { randomBytes } from 'node:crypto';

/**
 * Names leases: the worker, this store instance, and a counter. Another instance (another process,
 * or a process restarted under the same worker name) can never mint a lease equal to one of ours,
 * so an outcome written under a stale lease is always recognised as stale.
 */
export class LeaseIds {
  /** Also tags this instance's wake-up notifications (PostgreSQL), so it can ignore its own. */
  readonly instance = randomBytes(6).toString('hex');
  private counter = 0;

  next(owner: string): string {
    this.counter += 1;
    return `${owner}:${this.instance}:${this.counter}`;
  }
}
