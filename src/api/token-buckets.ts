interface Bucket {
  tokens: number;
  rate: number;
  at: number;
}

/** Below this many buckets, none is dropped. */
const MIN_SWEEP_SIZE = 1_024;

/**
 * Token buckets by name: each fills at `rate` tokens a second and holds one second's worth, the
 * burst. Times are passed in, so callers and tests control them.
 *
 * A cost larger than the burst (a batch over the rate) may be taken from a full bucket, which goes
 * into debt and refills from below zero: the long-run rate holds, and a big request is slowed
 * rather than refused for ever.
 *
 * A bucket left alone until full is the same as no bucket, so full ones are dropped whenever the
 * map has doubled since the last sweep: memory follows the callers of the last second or so, not
 * every caller since start-up.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private sweepAt = MIN_SWEEP_SIZE;

  /** Milliseconds until `cost` tokens can be taken from `name` at `rate` (0: now). */
  waitMs(name: string, rate: number, cost: number, now: number): number {
    const needed = Math.min(cost, rate);
    const missing = needed - this.level(name, rate, now);
    return missing <= 0 ? 0 : Math.ceil((missing * 1000) / rate);
  }

  /** Takes `cost` tokens from `name`, into debt if it holds fewer. */
  take(name: string, rate: number, cost: number, now: number): void {
    this.buckets.set(name, { tokens: this.level(name, rate, now) - cost, rate, at: now });
    if (this.buckets.size >= this.sweepAt) this.dropFull(now);
  }

  get size(): number {
    return this.buckets.size;
  }

  private level(name: string, rate: number, now: number): number {
    const bucket = this.buckets.get(name);
    if (!bucket) return rate;
    return Math.min(rate, bucket.tokens + ((now - bucket.at) * rate) / 1000);
  }

  private dropFull(now: number): void {
    for (const [name, bucket] of this.buckets) {
      if (this.level(name, bucket.rate, now) >= bucket.rate) this.buckets.delete(name);
    }
    this.sweepAt = Math.max(MIN_SWEEP_SIZE, this.buckets.size * 2);
  }
}
