/** Milliseconds since the epoch. Everything time-based asks a Clock, so tests can move time instead of sleeping. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests of retries, backoff and leases. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2025, 0, 15, 10, 30, 0)) {}
  now(): number {
    return this.current;
  }
  advance(ms: number): void {
    this.current += ms;
  }
  set(ms: number): void {
    this.current = ms;
  }
}
