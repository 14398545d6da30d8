/**
 * Cursor pagination for lists computed in memory (recommendations, inventory health): the same
 * opaque cursors and ordering rules as SQL lists (NULLs smallest, ties broken by a unique id).
 */

import { decodeCursor, encodeCursor, type Sort } from './pagination.js';

type Key = string | number | null;

function compare(a: Key, b: Key): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/**
 * One page of `items`, sorted by `sort` (the value `valueOf(item, column)`) then by `idOf`.
 *
 * ```ts
 * paginateArray(recs, { sort: parseSort('-potentialIncrease'), idOf: (r) => r.ruleId,
 *   valueOf: (r, c) => r[c], limit: 50 });
 * ```
 */
export function paginateArray<T>(
  items: readonly T[],
  options: {
    sort: Sort;
    idOf: (item: T) => string | number;
    valueOf: (item: T, column: string) => Key;
    cursor?: string;
    limit: number;
  },
): { items: T[]; nextCursor: string | null } {
  const { sort, idOf, valueOf, limit } = options;
  const sign = sort.direction === 'asc' ? 1 : -1;
  const order = (a: { v: Key; id: Key }, b: { v: Key; id: Key }) =>
    sign * (compare(a.v, b.v) || compare(a.id, b.id));
  let keyed = items
    .map((item) => ({ item, v: valueOf(item, sort.column), id: idOf(item) as Key }))
    .sort(order);
  if (options.cursor) {
    const at = decodeCursor(options.cursor, sort);
    keyed = keyed.filter((k) => order(k, { v: at.value, id: at.id }) > 0);
  }
  const page = keyed.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((k) => k.item),
    nextCursor: keyed.length > limit && last ? encodeCursor(sort, last.v, last.id) : null,
  };
}
