import { useCallback, useEffect, useState } from 'react';
import { api } from './api';
import type { EventType } from './api-types';

/** The event-type catalogue, loaded once by the console for the pages that list or pick event types. */
export interface EventTypesState {
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
