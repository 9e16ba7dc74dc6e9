import type { AttemptOutcome, ClaimedDelivery } from '../core/types.js';
import type { Logger } from './logger.js';

function ids(delivery: ClaimedDelivery) {
  return {
    tenantId: delivery.tenantId,
    webhookId: delivery.webhookId,
    deliveryId: delivery.id,
    eventId: delivery.eventId,
    attempt: delivery.attempt,
  };
}

/**
 * One line per failed attempt (warn) and per move to the dead letter queue (warn); successes only
 * at debug, checked before anything is built, so the default level costs a success nothing.
 */
export function logAttempt(logger: Logger, delivery: ClaimedDelivery, outcome: AttemptOutcome): void {
  if (outcome.verdict === 'succeeded') {
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        { ...ids(delivery), statusCode: outcome.statusCode, responseTimeMs: outcome.responseTimeMs },
        'delivery attempt succeeded',
      );
    }
    return;
  }
  const nextAttemptAt = outcome.verdict === 'retry' ? new Date(outcome.nextAttemptAt).toISOString() : null;
  const failure = { ...ids(delivery), statusCode: outcome.statusCode, error: outcome.error };
  if (outcome.verdict === 'failed') logger.info(failure, 'test delivery failed');
  else logger.warn({ ...failure, nextAttemptAt }, 'delivery attempt failed');
  if (outcome.verdict === 'dead') {
    logger.warn({ ...ids(delivery), error: outcome.error }, 'delivery moved to the dead letter queue');
  }
  if (outcome.disableWebhook) {
    logger.warn({ tenantId: delivery.tenantId, webhookId: delivery.webhookId }, outcome.disableWebhook);
  }
}
