/** Webhooks' attempts are counted by clock hour (UTC), epoch milliseconds at the hour's start. */
export const HOUR_MS = 3_600_000;

export function hourOf(time: number): number {
  return time - (time % HOUR_MS);
}

/** The starts of the `count` clock hours up to `now`, its own hour last. */
export function lastHours(now: number, count: number): number[] {
  const current = hourOf(now);
  return Array.from({ length: count }, (_, index) => current - (count - 1 - index) * HOUR_MS);
}
