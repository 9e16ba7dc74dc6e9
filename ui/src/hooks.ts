import {
  type DependencyList,
  type Dispatch,
  type SetStateAction,
  useCallback,
  useEffect,
  useRef,
  useState,
} from 'react';
import type { Page } from './api-types';
import { useToast } from './toasts';

/**
 * Calls `tick` every `intervalMs` while the page is visible (and once more when it becomes visible
 * again). A tick never overlaps the previous one.
 */
export function usePolling(tick: () => Promise<unknown> | unknown, intervalMs: number, enabled = true): void {
  const latest = useRef(tick);
  latest.current = tick;
  useEffect(() => {
    if (!enabled) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    let running = false;
    const schedule = () => {
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(run, intervalMs);
    };
    const run = async () => {
      if (stopped) return;
      if (document.visibilityState !== 'visible' || running) {
        schedule();
        return;
      }
      running = true;
      try {
        await latest.current();
      } catch {
        // The page shows its own errors; polling just tries again.
      } finally {
        running = false;
        schedule();
      }
    };
    const onVisibility = () => {
      if (document.visibilityState === 'visible') void run();
    };
    schedule();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, enabled]);
}

export interface LivePagedList<T> {
  /** `null` until the first page has loaded (and again while a reload starts over). */
  items: T[] | null;
  /** The page's own change to the rows (after an edit it made); a refresh already on its way is dropped. */
  setItems: Dispatch<SetStateAction<T[] | null>>;
  nextCursor: string | null;
  /** Why the first load failed (nothing to show); polling keeps trying and clears it. */
  error: string | null;
  /** The last refresh failed: the rows shown are what the server said before, not now. */
  stale: boolean;
  loadingMore: boolean;
  /** Fetches the newest page and merges it into what is shown. */
  refresh: () => Promise<void>;
  /** Starts over from the first page, showing the loading state meanwhile. */
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
}

interface LivePagedListOptions {
  /** Refreshes the first page this often once the list has loaded; without it the list loads once. */
  pollMs?: number;
  /**
   * Where rows can leave the list (a replayed dead letter), the size of a page: a refresh then keeps of the
   * older pages only what lies beyond the first page, since rows that left it are gone, not moved down.
   */
  rowsLeave?: { pageSize: number };
  /** Told the ids a refresh brought that were not shown before, so the page can highlight them. */
  onNewIds?: (ids: string[]) => void;
}

/**
 * A list read page by page through a cursor, kept live by refreshing its first page (rows change in place,
 * new ones arrive on top) without losing the older pages already loaded. `fetchPage` reads one page of the
 * current filters; when `deps` (those filters) change, the list starts again from the first page.
 */
export function useLivePagedList<T extends { id: string }>(
  fetchPage: (cursor: string | null) => Promise<Page<T>>,
  deps: DependencyList,
  { pollMs, rowsLeave, onNewIds }: LivePagedListOptions = {},
): LivePagedList<T> {
  const toast = useToast();
  const [items, setItems] = useState<T[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [stale, setStale] = useState(false);
  const [loadingMore, setLoadingMore] = useState(false);
  const latest = useRef({ fetchPage, onNewIds, rowsLeave });
  latest.current = { fetchPage, onNewIds, rowsLeave };
  // How many pages are shown: a refresh only moves the cursor while that is the first one alone.
  const pages = useRef(1);
  // Bumped by each reload, so that an answer for the filters before it is dropped.
  const generation = useRef(0);
  // Bumped by each change the page makes itself, so that an answer read before it cannot undo it.
  const edits = useRef(0);

  const refresh = useCallback(async () => {
    const requested = generation.current;
    const editsBefore = edits.current;
    let page: Page<T>;
    try {
      page = await latest.current.fetchPage(null);
    } catch (err) {
      if (generation.current === requested) setStale(true);
      throw err;
    }
    if (generation.current !== requested || edits.current !== editsBefore) return;
    setError(null);
    setStale(false);
    setItems((previous) => {
      const { onNewIds, rowsLeave } = latest.current;
      if (onNewIds && previous && previous.length > 0) {
        const known = new Set(previous.map((item) => item.id));
        const fresh = page.data.filter((item) => !known.has(item.id)).map((item) => item.id);
        if (fresh.length > 0) onNewIds(fresh);
      }
      const first = keepUnchanged(previous, page.data);
      if (!previous || pages.current === 1) return first;
      const firstIds = new Set(first.map((item) => item.id));
      const older = rowsLeave ? previous.slice(rowsLeave.pageSize) : previous;
      return [...first, ...older.filter((item) => !firstIds.has(item.id))];
    });
    if (pages.current === 1) setNextCursor(page.nextCursor);
  }, []);

  const reload = useCallback(async () => {
    generation.current += 1;
    pages.current = 1;
    setItems(null);
    setError(null);
    setStale(false);
    try {
      await refresh();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }, [refresh]);

  // New filters (deps) must start again from the first page.
  useEffect(() => {
    void reload();
  }, [reload, ...deps]);

  // Polling goes on after a failure (a first load that failed included): it is how the list recovers.
  usePolling(refresh, pollMs ?? 0, pollMs !== undefined);

  async function loadMore() {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await latest.current.fetchPage(nextCursor);
      setItems((list) => {
        const ids = new Set((list ?? []).map((item) => item.id));
        return [...(list ?? []), ...page.data.filter((item) => !ids.has(item.id))];
      });
      setNextCursor(page.nextCursor);
      pages.current += 1;
    } catch (err) {
      toast(err instanceof Error ? err.message : String(err), 'error');
    } finally {
      setLoadingMore(false);
    }
  }

  const setItemsLocally = useCallback((update: SetStateAction<T[] | null>) => {
    edits.current += 1;
    setItems(update);
  }, []);

  return {
    items,
    setItems: setItemsLocally,
    nextCursor,
    error,
    stale,
    loadingMore,
    refresh,
    reload,
    loadMore,
  };
}

/**
 * The fresh rows, each replaced by the one already shown when nothing in it changed, so that a poll
 * re-renders only the rows that did change (memoised rows compare by identity).
 */
function keepUnchanged<T extends { id: string }>(previous: T[] | null, fresh: T[]): T[] {
  if (!previous) return fresh;
  const shown = new Map(previous.map((item) => [item.id, item]));
  return fresh.map((item) => {
    const before = shown.get(item.id);
    return before && JSON.stringify(before) === JSON.stringify(item) ? before : item;
  });
}

/**
 * Loads the record a dialog shows while `id` is set; forgets it when `id` changes or clears, so a
 * reopened dialog never shows the previous record, and drops an answer that comes after that.
 */
export function useDetail<T>(
  id: string | null,
  load: (id: string) => Promise<T>,
  deps: DependencyList,
): { detail: T | null; error: string | null } {
  const [detail, setDetail] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(load);
  latest.current = load;
  // The record to show is named by `id` and `deps` (its tenant); `load` may be a fresh closure each render.
  useEffect(() => {
    setDetail(null);
    setError(null);
    if (!id) return;
    let cancelled = false;
    latest
      .current(id)
      .then((d) => !cancelled && setDetail(d))
      .catch((err) => !cancelled && setError(err instanceof Error ? err.message : String(err)));
    return () => {
      cancelled = true;
    };
  }, [id, ...deps]);
  return { detail, error };
}
