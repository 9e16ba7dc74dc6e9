import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { EventType } from './api-types';

/** The event-type catalogue, loaded once by the console for the pages that list or pick event types. */
export interface EventTypesState {
  /** In the catalogue's order, which is the documentation's: never re-sorted by the console. */
  data: EventType[] | null;
  error: string | null;
  reload: () => void;
}

export function useEventTypes(): EventTypesState {
  const [data, setData] = useState<EventType[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    setError(null);
    try {
      setData((await api.eventTypes()).data);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return { data, error, reload: () => void load() };
}

/**
 * The body a delivery of `type`'s example carries, keys in the documented order. `timestamp` and
 * `tenantId` are Herald's to fill in: callers pass what they know, or placeholders that say so.
 */
export function examplePayload(type: EventType, tenantId: string, timestamp: string): string {
  return JSON.stringify({ event: type.name, timestamp, tenantId, data: type.example ?? {} }, null, 2);
}
