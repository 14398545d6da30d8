/**
 * Dialect-aware column types, so one set of migrations builds the same schema on SQLite and
 * PostgreSQL, and the few statements that differ between the two can ask which one they run on.
 */

import { PostgresAdapter, type ColumnDataType, type CreateTableBuilder, type Kysely } from 'kysely';

export type StoreDialect = 'sqlite' | 'postgres';

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
