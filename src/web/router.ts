/**
 * Hash routing (`#/alerts/<id>`): every console page lives at `/`, so the server serves one
 * public page shell and nothing else outside the API.
 */

import { useEffect, useState } from 'react';

/** The current route's path segments, e.g. `['alerts', 'abc']`, and its query parameters. */
export interface Route {
  segments: string[];
  params: URLSearchParams;
  /**
   * Counts visits: it grows on every hash change (a link, back, forward), never on
   * `replaceParams`, so a page keyed on it starts again from the address it was sent to.
   */
  visit: number;
}

/** A segment decoded, or as written when its escapes are malformed (`%E0`): never a throw. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parse(hash: string, visit: number): Route {
  const [path, search = ''] = hash.replace(/^#/, '').split('?');
  const segments = path.split('/').filter(Boolean).map(decode);
  return { segments, params: new URLSearchParams(search), visit };
}

/** Follows `location.hash`. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash, 0));
  useEffect(() => {
    const update = () => setRoute((before) => parse(location.hash, before.visit + 1));
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
