import type { Publisher } from '../store/store.js';
import type { HeraldMetrics } from './metrics.js';

/** The publisher the routes use, counting the events it stores (an idempotent repeat stores nothing). */
export function countedPublisher(publisher: Publisher, metrics: HeraldMetrics): Publisher {
  return {
    startTestDelivery: (...args) => publisher.startTestDelivery(...args),
    resendDelivery: (...args) => publisher.resendDelivery(...args),
    replayDeadLetters: (...args) => publisher.replayDeadLetters(...args),
    async publishEvents(events, now) {
      const published = await publisher.publishEvents(events, now);
      let stored = 0;
      for (const result of published) if (!result.duplicate) stored += 1;
      metrics.eventsPublished(stored);
      return published;
    },
  };
}
