import { useSyncExternalStore } from 'react';

/** Whether the console can reach Herald, as its last request found out. */
export interface ConnectionState {
  online: boolean;
  /** When the first request failed to reach Herald (null while online). */
  offlineSince: number | null;
  /** Why: the failed request's message. */
  reason: string | null;
}

/** How often a console that lost Herald asks again, until an answer comes. */
export const RETRY_MS = 3000;

let state: ConnectionState = { online: true, offlineSince: null, reason: null };
const listeners = new Set<() => void>();
let probe: (() => Promise<unknown>) | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

function set(next: ConnectionState): void {
  state = next;
  for (const listener of listeners) listener();
}

function scheduleProbe(): void {
  clearTimeout(retryTimer);
  // Each probe is itself a request, which reports its own outcome (reached or unreachable again).
  retryTimer = setTimeout(() => void probe?.().catch(() => undefined), RETRY_MS);
}

/**
 * The console's one record of whether Herald answers. Every request reports to it; while Herald is
 * away it asks again every few seconds by itself, so pages that do not poll recover too.
 */
export const connection = {
  state: (): ConnectionState => state,
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  /** The request that asks again while offline (any request that reports here). */
  setProbe(request: () => Promise<unknown>): void {
    probe = request;
  },
  reached(): void {
    clearTimeout(retryTimer);
    if (!state.online) set({ online: true, offlineSince: null, reason: null });
  },
  unreachable(reason: string): void {
    if (state.online) set({ online: false, offlineSince: Date.now(), reason });
    scheduleProbe();
  },
  /** Asks again now (the banner's Retry now). */
  retryNow(): void {
    clearTimeout(retryTimer);
    void probe?.().catch(() => undefined);
  },
};

export function useConnection(): ConnectionState {
  return useSyncExternalStore(connection.subscribe, connection.state);
}
