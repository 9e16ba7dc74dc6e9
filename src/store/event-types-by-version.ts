import { DEFAULT_EVENT_TYPES, WEBHOOK_DISABLED_EVENT_TYPE } from '../core/event-catalog.js';
import type { EventType } from '../core/types.js';

/**
 * The event types a schema version brings into the catalogue, inserted by both backends' migrations
 * unless the name is taken. A fresh install gets the whole default catalogue with version 1; later
 * versions add to upgraded installs what Herald itself publishes from then on.
 */
export function eventTypesAddedBy(version: number): readonly EventType[] {
  if (version === 1) return DEFAULT_EVENT_TYPES;
  if (version === 4) return DEFAULT_EVENT_TYPES.filter((type) => type.name === WEBHOOK_DISABLED_EVENT_TYPE);
  return [];
}
