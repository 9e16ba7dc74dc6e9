import type { AttemptObserver } from '../delivery/attempt-observer.js';
import { logAttempt } from './attempt-log.js';
import type { Logger } from './logger.js';
import type { HeraldMetrics } from './metrics.js';

/** Each attempt's outcome counted in the metrics and logged (see attempt-log.ts for what and when). */
export function reportAttempts(metrics: HeraldMetrics, logger: Logger): AttemptObserver {
  return {
    attempted(delivery, outcome) {
      metrics.attempted(outcome);
      logAttempt(logger, delivery, outcome);
    },
  };
}
