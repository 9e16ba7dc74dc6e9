import { DEFAULT_EVENT_TYPES, WEBHOOK_DISABLED_EVENT_TYPE } from '../core/event-catalog.js';

/** What the catalogue's first versions stored of a type: later versions add the other columns. */
export interface EventTypeNaming {
  name: string;
  description: string;
}

/** A default type's place, schema and example (JSON text), as a schema version sets them. */
export interface EventTypeDetails {
  name: string;
  position: number;
  schema: string | null;
  example: string | null;
}

/** The schema version that gave event types a schema, an example and a place in the catalogue. */
const DETAILS_VERSION = 11;

/**
 * The event types a schema version brings into the catalogue, inserted by both backends' migrations
 * unless the name is taken. A fresh install gets the whole default catalogue with version 1; later
 * versions add to upgraded installs what Herald itself publishes from then on.
 */
export function eventTypesAddedBy(version: number): readonly EventTypeNaming[] {
  const naming = ({ name, description }: EventTypeNaming) => ({ name, description });
  if (version === 1) return DEFAULT_EVENT_TYPES.map(naming);
  if (version === 4)
    return DEFAULT_EVENT_TYPES.filter((type) => type.name === WEBHOOK_DISABLED_EVENT_TYPE).map(naming);
  return [];
}

/**
 * The details a schema version sets on the default types, by both backends' migrations after that
 * version's SQL: the documentation's order (positions 1..n; the version's SQL puts every other type
 * after them), and each one's schema and example.
 */
export function eventTypeDetailsSetBy(version: number): readonly EventTypeDetails[] {
  if (version !== DETAILS_VERSION) return [];
  return DEFAULT_EVENT_TYPES.map((type, index) => ({
    name: type.name,
    position: index + 1,
    schema: type.schema === null ? null : JSON.stringify(type.schema),
    example: type.example === null ? null : JSON.stringify(type.example),
  }));
}
