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
