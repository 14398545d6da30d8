/**
 * Hash routing (`#/alerts/<id>`): every console page lives at `/`, so the server serves one
 * public page shell and nothing else outside the API.
 */

import { useEffect, useState } from 'react';

/** The current route's path segments, e.g. `['alerts', 'abc']`, and its query parameters. */
export interface Route {
  segments: string[];
  params: URLSearchParams;
}

function parse(hash: string): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { segments, params: new URLSearchParams(search) };
}

/** Follows `location.hash`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const update = () => setRoute(parse(location.hash));
    window.addEventListener('hashchange', update);
    return () => window.removeEventListener('hashchange', update);
  }, []);
  return route;
}

/** The href of a console page: `href('alerts', id)`. */
export function href(...segments: string[]): string {
  return '#/' + segments.map(encodeURIComponent).join('/');
}

/** Goes to a console page. */
export function navigate(...segments: string[]): void {
  location.hash = href(...segments).slice(1);
}

/**
 * Writes `values` (empty ones left out) as the current route's query string without adding a
 * history entry, so a page's filters survive a reload and can be bookmarked or shared.
 */
export function replaceParams(values: Record<string, string>): void {
  const [path] = location.hash.replace(/^#/, '').split('?');
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) search.set(key, value);
  const text = search.toString();
  const next = `#${path || '/'}${text ? `?${text}` : ''}`;
  if (next !== location.hash) history.replaceState(history.state, '', next);
}
