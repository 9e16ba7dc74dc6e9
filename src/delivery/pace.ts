/**
 * A webhook's delivery rate limit (its `rateLimit`, deliveries per second): a bucket of one
 * second's worth of starts, at least one, refilled continuously. Each worker keeps its own.
 */
export class Pace {
  private tokens: number;
  private refilledAt: number;

  constructor(
    readonly perSecond: number,
    now: number,
  ) {
    this.tokens = this.capacity();
    this.refilledAt = now;
  }

  /** Takes one start if the rate allows it now. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next start is allowed; 0 when it is now. */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.perSecond) * 1000);
  }

  /** How many deliveries may wait for a start and all get one within `windowMs`. */
  startsWithin(windowMs: number): number {
    return Math.max(1, Math.floor((this.perSecond * windowMs) / 1000));
  }

  private capacity(): number {
    return Math.max(1, this.perSecond);
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity(), this.tokens + (elapsed * this.perSecond) / 1000);
    this.refilledAt = now;
  }
}
