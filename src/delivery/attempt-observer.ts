import type { AttemptOutcome, ClaimedDelivery } from '../core/types.js';

/**
 * Told of each attempt's outcome as it is decided (before its batch is written), for metrics and
 * logs. It runs on the delivery hot path: it must not block, throw or allocate much.
 */
export interface AttemptObserver {
  attempted(delivery: ClaimedDelivery, outcome: AttemptOutcome): void;
}
