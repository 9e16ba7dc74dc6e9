/** Time left after the last attempt's deadline to write its outcome before the lease could lapse. */
const OUTCOME_WRITE_MARGIN_MS = 5_000;

/**
 * How long a worker leases a delivery: long enough for the attempts that may be sent to the same
 * webhook before it (`roundsBefore` timeouts: the requests in flight and those waiting ahead of it in
 * the lane), its own attempt, and writing the outcome. A lease that outlives its attempt is what
 * keeps a second worker from sending the same delivery meanwhile.
 */
export function leaseMs(timeoutMs: number, roundsBefore: number): number {
  return timeoutMs * (roundsBefore + 1) + OUTCOME_WRITE_MARGIN_MS;
}
