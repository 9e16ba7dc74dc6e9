import { useEffect, useRef } from 'react';

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
