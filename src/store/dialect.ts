/**
 * Dialect-aware column types, so one set of migrations builds the same schema on SQLite and
 * PostgreSQL, and the few statements that differ between the two can ask which one they run on.
 */

import type SQLite from 'better-sqlite3';
import {
  PostgresAdapter,
  SqliteAdapter,
  type ColumnDataType,
  type CreateTableBuilder,
  type Kysely,
} from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The SQLite adapter of a store opened by `openStore`, holding its one connection: the store's
 * transactions (which share the adapter) run on that connection, so a statement prepared on it
 * runs inside the caller's transaction.
 */
export class StoreSqliteAdapter extends SqliteAdapter {
  constructor(readonly connection: SQLite.Database) {
    super();
  }
}

/** The SQLite connection under `db` (or a transaction of it), when `openStore` opened it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sqliteConnection(db: Kysely<any>): SQLite.Database | undefined {
  const adapter = db.getExecutor().adapter;
  return adapter instanceof StoreSqliteAdapter ? adapter.connection : undefined;
}

/** Which database `db` (or a transaction of it) talks to. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function dialectOf(db: Kysely<any>): StoreDialect {
  // Kysely exposes the adapter only through its executor; migrations receive nothing else.
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** A double-precision float: SQLite `real` is 8 bytes, PostgreSQL `real` only 4. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function floatType(db: Kysely<any>): ColumnDataType {
  return dialectOf(db) === 'postgres' ? 'double precision' : 'real';
}

/**
 * Adds a generated integer primary key: `integer primary key autoincrement` on SQLite, a 64-bit
 * identity on PostgreSQL (read back as a number; see the pool's type parsers).
 */
export function addIdColumn<T extends string, C extends string>(
  table: CreateTableBuilder<T, C>,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  name: string = 'id',
): CreateTableBuilder<T, C> {
  if (dialectOf(db) === 'postgres') {
    return table.addColumn(name, 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity());
  }
  return table.addColumn(name, 'integer', (c) => c.primaryKey().autoIncrement());
}

/** Most bound parameters one statement may carry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function parameterLimit(db: Kysely<any>): number {
  // PostgreSQL's wire protocol counts parameters in 16 bits; SQLite >= 3.32 allows 32766.
  return dialectOf(db) === 'postgres' ? 65_535 : 32_766;
}
