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
import type SQLite from 'better-sqlite3';
import { dialectOf, parameterLimit, sqliteConnection } from './dialect.js';
import type { Database } from './schema.js';

/** Rows a statement may carry for rows of `columns` columns (never more than `cap`). */
export function rowsPerStatement(db: Kysely<Database>, columns: number, cap = 5_000): number {
  return Math.max(1, Math.min(cap, Math.floor(parameterLimit(db) / Math.max(1, columns))));
}

type Conflict<DB, T extends keyof DB> = (
  oc: OnConflictBuilder<DB, T>,
) => OnConflictUpdateBuilder<DB, T> | OnConflictDoNothingBuilder<DB, T>;

/**
 * Inserts `rows` (all with the same keys) into `table` in parameter-limited batches, with an
 * optional ON CONFLICT clause (both SQLite and PostgreSQL accept `on conflict ... do update`).
 */
export async function insertBatched<T extends keyof Database & string>(
  db: Kysely<Database>,
  table: T,
  rows: readonly Record<string, unknown>[],
  onConflict?: Conflict<Database, T>,
): Promise<void> {
  if (rows.length === 0) return;
  const postgres = dialectOf(db) === 'postgres';
  if (postgres) rows = rows.map(withoutNul);
  if (!onConflict && postgres) return insertUnnest(db, table, rows);
  if (!postgres && insertPrepared<Database, T>(db, table, rows, onConflict)) return;
  const size = rowsPerStatement(db, Object.keys(rows[0]).length);
  for (let i = 0; i < rows.length; i += size) {
    // Row shapes are built by the callers from the schema's column names.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let query = db.insertInto(table).values(rows.slice(i, i + size) as any);
    if (onConflict) query = query.onConflict(onConflict);
    await query.execute();
  }
}

/** Statements prepared on each SQLite connection, by their text. */
const prepared = new WeakMap<SQLite.Database, Map<string, SQLite.Statement>>();

/**
 * SQLite: runs one prepared single-row insert per row on the store's connection (inside the
 * caller's transaction). Building and preparing a statement of thousands of rows costs more
 * than SQLite spends storing them; a prepared statement is parsed once and only bound after.
 * Returns false, having written nothing, when it cannot (no connection of `openStore`'s, rows
 * of different columns or with undefined values): the caller then takes the general path.
 */
export function insertPrepared<DB, T extends keyof DB & string>(
  db: Kysely<DB>,
  table: T,
  rows: readonly Record<string, unknown>[],
  onConflict?: Conflict<DB, T>,
): boolean {
  const connection = sqliteConnection(db);
  if (!connection) return false;
  const columns = Object.keys(rows[0]);
  for (const row of rows) {
    if (Object.keys(row).length !== columns.length) return false;
    for (const c of columns) if (row[c] === undefined) return false;
  }
  // The statement's text comes from the same builder as the general path, with the first row.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let query = db.insertInto(table).values(rows[0] as any);
  if (onConflict) query = query.onConflict(onConflict);
  const compiled = query.compile();
  // Only a statement whose parameters are the row's values, in column order, can be re-bound.
  if (compiled.parameters.length !== columns.length) return false;
  if (compiled.parameters.some((p, i) => p !== rows[0][columns[i]])) return false;
  let statements = prepared.get(connection);
  if (!statements) prepared.set(connection, (statements = new Map()));
  let statement = statements.get(compiled.sql);
  if (!statement) statements.set(compiled.sql, (statement = connection.prepare(compiled.sql)));
  const values: unknown[] = new Array(columns.length);
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]];
    statement.run(values);
  }
  return true;
}

/**
 * PostgreSQL text cannot hold U+0000 (SQLite's can): it becomes U+FFFD there rather than failing
 * the whole save. JSON columns are unaffected (JSON.stringify escapes it).
 */
export function withoutNul(row: Record<string, unknown>): Record<string, unknown> {
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

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function typesOf(db: Kysely<any>, table: string): Promise<Map<string, string>> {
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

/**
 * PostgreSQL: `insert into t (cols) select * from unnest($1::type[], ...)`, one array a column.
 * `skipOn` names a unique column: a row whose value is already stored is skipped (`on conflict
 * do nothing`); the rows themselves must not repeat one.
 */
export async function insertUnnest(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  table: string,
  rows: readonly Record<string, unknown>[],
  skipOn?: string,
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
    `select * from unnest(${casts.join(', ')})` +
    (skipOn ? ` on conflict (${quote(skipOn)}) do nothing` : '');
  for (let i = 0; i < rows.length; i += UNNEST_ROWS) {
    const chunk = rows.slice(i, i + UNNEST_ROWS);
    const parameters = columns.map((c) => chunk.map((r) => r[c] ?? null));
    await db.executeQuery(CompiledQuery.raw(text, parameters));
  }
}
