/**
 * Lists for every route: keyset (cursor) pagination, sorting by an allowed column, and equality
 * and time-range filters. Cursors are opaque to clients and bound to the sort they came from.
 */

import { Type, type TSchema } from '@sinclair/typebox';
import { sql, type SelectQueryBuilder } from 'kysely';
import { HttpError } from './http-error.js';

/** Largest page a client may ask for. */
export const MAX_PAGE = 500;

/** Query-string fields of a paginated list; spread into a route's querystring schema. */
export const PageQueryFields = {
  cursor: Type.Optional(Type.String({ maxLength: 1024, description: 'nextCursor of a page' })),
  limit: Type.Integer({ minimum: 1, maximum: MAX_PAGE, default: 50 }),
};

/** A page of `item`: the response schema of a list route. */
export function Page<T extends TSchema>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: 'pass as `cursor` for the next page; null on the last page',
    }),
  });
}

/**
 * The `sort` query field for `columns`: `name` ascending, `-name` descending.
 *
 * ```ts
 * querystring: Type.Object({ ...PageQueryFields, sort: SortField(['at', 'action'], '-at') })
 * ```
 */
export function SortField(columns: readonly string[], fallback: string) {
  const values = columns.flatMap((c) => [c, `-${c}`]);
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    { default: fallback },
  );
}

/** A parsed sort: output column name and direction. */
export interface Sort {
  column: string;
  direction: 'asc' | 'desc';
}

/** Parses `-at` into `{ column: 'at', direction: 'desc' }`. */
export function parseSort(sort: string): Sort {
  return sort.startsWith('-')
    ? { column: sort.slice(1), direction: 'desc' }
    : { column: sort, direction: 'asc' };
}

type Key = string | number | null;

/** An opaque cursor for the row after which the next page starts. */
export function encodeCursor(sort: Sort, value: Key, id: Key): string {
  return Buffer.from(JSON.stringify([`${sort.direction}:${sort.column}`, value, id])).toString(
    'base64url',
  );
}

function isKey(v: unknown): v is Key {
  return v === null || typeof v === 'string' || typeof v === 'number';
}

/** The position a cursor points at; 400 when it is malformed or from another sort. */
export function decodeCursor(cursor: string, sort: Sort): { value: Key; id: Key } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.length === 3 &&
    parsed[0] === `${sort.direction}:${sort.column}` &&
    isKey(parsed[1]) &&
    isKey(parsed[2]);
  if (!valid) throw new HttpError(400, 'BAD_CURSOR', 'cursor is malformed or from another sort');
  const [, value, id] = parsed as [string, Key, Key];
  return { value, id };
}

/** How to page one query. */
export interface PageOptions {
  sort: Sort;
  /** Unique column breaking ties (its output name must match the last segment). */
  idColumn: string;
  /** Qualified column to sort by when the output name is ambiguous, e.g. `alerts.last_seen`. */
  sortColumn?: string;
  cursor?: string;
  limit: number;
}

type Ref = ReturnType<typeof sql.ref>;

/** Keyset condition: rows after (value, id) in the sort order, NULLs being the smallest. */
function afterKey(sort: Sort, col: Ref, id: Ref, at: { value: Key; id: Key }) {
  if (sort.direction === 'asc') {
    if (at.value === null) return sql<boolean>`(${col} is not null or ${id} > ${at.id})`;
    return sql<boolean>`(${col} > ${at.value} or (${col} = ${at.value} and ${id} > ${at.id}))`;
  }
  if (at.value === null) return sql<boolean>`(${col} is null and ${id} < ${at.id})`;
  return sql<boolean>`(${col} < ${at.value} or ${col} is null
    or (${col} = ${at.value} and ${id} < ${at.id}))`;
}

const outputName = (column: string) => column.split('.').pop() as string;

/**
 * Fetches one page of `query` after `cursor`, sorted by `sort` then `idColumn`.
 *
 * ```ts
 * const page = await paginate(db.selectFrom('audit_log').selectAll(),
 *   { sort: parseSort('-seq'), idColumn: 'seq', limit: 50, cursor });
 * ```
 */
export async function paginate<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  options: PageOptions,
): Promise<{ items: O[]; nextCursor: string | null }> {
  const { sort, idColumn, limit } = options;
  const sortRef = sql.ref(options.sortColumn ?? sort.column);
  const idRef = sql.ref(idColumn);

  let q = query;
  if (options.cursor) {
    const at = decodeCursor(options.cursor, sort);
    q = q.where(afterKey(sort, sortRef, idRef, at));
  }
  // NULLs sort as the smallest value on every dialect, so cursors mean the same everywhere.
  const order = sql.raw(sort.direction === 'asc' ? 'asc nulls first' : 'desc nulls last');
  const rows = await q
    .orderBy(sql`${sortRef} ${order}`)
    .orderBy(sql`${idRef} ${sql.raw(sort.direction)}`)
    .limit(limit + 1)
    .execute();

  const items = rows.slice(0, limit);
  if (rows.length <= limit) return { items, nextCursor: null };
  const last = items[items.length - 1] as Record<string, Key>;
  return {
    items,
    nextCursor: encodeCursor(sort, last[outputName(sort.column)], last[outputName(idColumn)]),
  };
}

/**
 * Applies equality filters: `filters` maps a query field to its column; a value that is an array
 * means any of them. Undefined values are skipped.
 */
export function applyFilters<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  values: Record<string, unknown>,
  filters: Record<string, string>,
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  for (const [field, column] of Object.entries(filters)) {
    const value = values[field];
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0) continue;
    q = q.where(sql.ref(column), 'in', list as never);
  }
  return q;
}

/** Applies a time range on an ISO-time column: `since` inclusive, `until` exclusive. */
export function applyTimeRange<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  range: { since?: string; until?: string },
): SelectQueryBuilder<DB, TB, O> {
  let q = query;
  if (range.since) q = q.where(sql.ref(column), '>=', range.since as never);
  if (range.until) q = q.where(sql.ref(column), '<', range.until as never);
  return q;
}
