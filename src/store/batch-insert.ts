/**
 * Inserts many rows with as few statements as the database allows: multi-row VALUES under the
 * dialect's bound-parameter limit (65535 on PostgreSQL), or on PostgreSQL one array per column
 * through `unnest`, which carries any number of rows in as many parameters as there are columns.
 */

import {
  CompiledQuery,
  sql,
  type Kysely,
  type OnConflictBuilder,
  type OnConflictUpdateBuilder,
  type OnConflictDoNothingBuilder,
} from 'kysely';
import { dialectOf, parameterLimit } from './dialect.js';
import type { Database } from './schema.js';

/** Rows a statement may carry for rows of `columns` columns (never more than `cap`). */
export function rowsPerStatement(db: Kysely<Database>, columns: number, cap = 5_000): number {
  return Math.max(1, Math.min(cap, Math.floor(parameterLimit(db) / Math.max(1, columns))));
}

type Conflict<T extends keyof Database> = (
  oc: OnConflictBuilder<Database, T>,
) => OnConflictUpdateBuilder<Database, T> | OnConflictDoNothingBuilder<Database, T>;

/**
 * Inserts `rows` (all with the same keys) into `table` in parameter-limited batches, with an
 * optional ON CONFLICT clause (both SQLite and PostgreSQL accept `on conflict ... do update`).
 */
export async function insertBatched<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Record<string, unknown>[],
  onConflict?: Conflict<T>,
): Promise<void> {
  if (rows.length === 0) return;
  const postgres = dialectOf(db) === 'postgres';
  if (postgres) rows = rows.map(withoutNul);
  if (!onConflict && postgres) return insertUnnest(db, table, rows);
  const size = rowsPerStatement(db, Object.keys(rows[0]).length);
  for (let i = 0; i < rows.length; i += size) {
    // Row shapes are built by the callers from the schema's column names.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let query = db.insertInto(table).values(rows.slice(i, i + size) as any);
    if (onConflict) query = query.onConflict(onConflict);
    await query.execute();
  }
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can): it becomes U+FFFD there rather than failing
 * the whole save. JSON columns are unaffected (JSON.stringify escapes it).
 */
function withoutNul(row: Record<string, unknown>): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(row)) {
    if (typeof value !== 'string' || !value.includes('\u0000')) continue;
    copy ??= { ...row };
    copy[key] = value.replaceAll('\u0000', '\uFFFD');
  }
  return copy ?? row;
}

/** Rows one `unnest` statement carries: bounds the size of a single message to the server. */
const UNNEST_ROWS = 10_000;

/** Column types of a table, read from the catalog once per table name. */
const columnTypes = new Map<string, Map<string, string>>();

async function typesOf(db: Kysely<Database>, table: string): Promise<Map<string, string>> {
  const known = columnTypes.get(table);
  if (known) return known;
  const { rows } = await sql<{ name: string; type: string }>`
    select a.attname as name, format_type(a.atttypid, a.atttypmod) as type
    from pg_attribute a
    where a.attrelid = to_regclass(${table}) and a.attnum > 0 and not a.attisdropped`.execute(db);
  const types = new Map(rows.map((r) => [r.name, r.type]));
  // Every Palisade schema runs the same migrations, so a table's types are the same in all.
  if (types.size > 0) columnTypes.set(table, types);
  return types;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** PostgreSQL: `insert into t (cols) select * from unnest($1::type[], ...)`, one array a column. */
async function insertUnnest(
  db: Kysely<Database>,
  table: string,
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  const columns = Object.keys(rows[0]);
  const types = await typesOf(db, table);
  const casts = columns.map((c, i) => {
    const type = types.get(c);
    if (!type) throw new Error(`table ${table} has no column ${c}`);
    return `$${i + 1}::${type}[]`;
  });
  const text =
    `insert into ${quote(table)} (${columns.map(quote).join(', ')}) ` +
    `select * from unnest(${casts.join(', ')})`;
  for (let i = 0; i < rows.length; i += UNNEST_ROWS) {
    const chunk = rows.slice(i, i + UNNEST_ROWS);
    const parameters = columns.map((c) => chunk.map((r) => r[c] ?? null));
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
