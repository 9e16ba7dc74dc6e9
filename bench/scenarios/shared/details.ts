/**
 * The load generator's and the receiver's figures as a run keeps them in its details (the JSON):
 * rounded, without the bulk.
 */
import type { LoadResult } from '../../lib/loadgen.js';
import type { ReceiverStats } from '../../lib/receiver.js';

export function loadDetails(result: LoadResult) {
  return {
    requests: result.requests,
    failedEvents: result.failedEvents,
    statuses: result.statuses,
    errors: result.errors,
    publishPerSec: Math.round(result.eventsPerSec),
    responseMs: roundAll(result.responseMs),
    maxLagMs: Math.round(result.maxLagMs * 10) / 10,
  };
}

export function receiverDetails(stats: ReceiverStats) {
  return {
    received: stats.received,
    delivered: stats.delivered,
    duplicates: stats.duplicates,
    hung: stats.hung,
    rate: Math.round(stats.rate),
    steadyRate: Math.round(stats.steadyRate),
    latencyMs: roundAll(stats.latencyMs),
  };
}

/** Both sides of one load: what the publisher sent and what the receiver got. */
export function publishedAndReceived(result: LoadResult, stats: ReceiverStats) {
  return { publisher: loadDetails(result), receiver: receiverDetails(stats) };
}

function roundAll<T extends object>(values: T): T {
  return Object.fromEntries(
    Object.entries(values).map(([key, value]) => [
      key,
      typeof value === 'number' ? Math.round(value * 10) / 10 : value,
    ]),
  ) as T;
}
