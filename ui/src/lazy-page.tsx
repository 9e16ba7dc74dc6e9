import { type ComponentType, useEffect, useState } from 'react';
import { ErrorNotice, Loading } from './components/feedback';

/**
 * A page whose code loads apart from the first screen. Not `React.lazy`: a lazy component suspends
 * on its first render even when its code is already here, and React then holds the page back for up
 * to 300 ms (its Suspense fallback throttle). This one renders at once once `preload` has run, and
 * shows the page the moment its code arrives otherwise.
 */
export function lazyPage<Props extends object>(
  load: () => Promise<ComponentType<Props>>,
): { Page: ComponentType<Props>; preload: () => Promise<ComponentType<Props>> } {
  let loaded: ComponentType<Props> | null = null;
  const preload = () =>
    load().then((component) => {
      loaded = component;
      return component;
    });
  // biome-ignore lint/correctness/noComponentHookFactories: called once a page, at module level
  function Page(props: Props) {
    const [component, setComponent] = useState(() => loaded);
    const [failure, setFailure] = useState<string | null>(null);
    useEffect(() => {
      if (component || failure) return;
      let current = true;
      preload().then(
        (arrived) => current && setComponent(() => arrived),
        (error: unknown) => current && setFailure(`This page could not be loaded: ${String(error)}`),
      );
      return () => {
        current = false;
      };
    }, [component, failure]);
    if (failure) return <ErrorNotice message={failure} onRetry={() => setFailure(null)} />;
    const Component = component;
    return Component ? <Component {...props} /> : <Loading />;
  }
  return { Page, preload };
}

/** Loads `pages`' code as soon as the browser is first idle, all at once: they are small. */
export function usePreloadWhenIdle(pages: readonly { preload: () => Promise<unknown> }[]): void {
  useEffect(() => {
    // Safari has no requestIdleCallback.
    const idle = window.requestIdleCallback as typeof window.requestIdleCallback | undefined;
    const preloadAll = () => {
      // A failed preload is no error: the page loads again when it is opened.
      for (const page of pages) page.preload().catch(() => {});
    };
    if (!idle) {
      const timer = window.setTimeout(preloadAll, 200);
      return () => window.clearTimeout(timer);
    }
    const request = idle(preloadAll);
    return () => window.cancelIdleCallback(request);
  }, [pages]);
}
