import { useEffect, useState } from 'preact/hooks';

export const BASE = '/ui/';

/** The UI's own path below /ui/, without the leading slash: `secrets/kv/list/app`. */
export function currentRoute(): string {
  const path = location.pathname;
  return path.startsWith(BASE) ? path.slice(BASE.length) : '';
}

const listeners = new Set<() => void>();
let navigated = false;

/** Whether the page was changed by the UI (or back/forward) since it loaded. */
export function hasNavigated(): boolean {
  return navigated;
}

/** History navigation: the server answers every /ui/ path with index.html, so reloads work. */
export function navigate(route: string, options: { replace?: boolean } = {}): void {
  if (options.replace === true) history.replaceState(null, '', href(route));
  else history.pushState(null, '', href(route));
  navigated = true;
  for (const listener of listeners) listener();
}

export function useRoute(): string {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => {
      navigated = true;
      setRoute(currentRoute());
    };
    listeners.add(update);
    addEventListener('popstate', update);
    return () => {
      listeners.delete(update);
      removeEventListener('popstate', update);
    };
  }, []);
  return route;
}

export function href(route: string): string {
  return `${BASE}${route.replace(/^\/+/, '')}`;
}
