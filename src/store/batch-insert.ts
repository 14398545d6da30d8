/**
 * Inserts many rows with as few statements as the database allows: each statement carries as
 * many rows as fit under the dialect's bound-parameter limit (65535 on PostgreSQL).
 */

import type {
  Kysely,
  OnConflictBuilder,
  OnConflictUpdateBuilder,
  OnConflictDoNothingBuilder,
} from 'kysely';
import { parameterLimit } from './dialect.js';
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
  const size = rowsPerStatement(db, Object.keys(rows[0]).length);
  for (let i = 0; i < rows.length; i += size) {
    // Row shapes are built by the callers from the schema's column names.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    let query = db.insertInto(table).values(rows.slice(i, i + size) as any);
    if (onConflict) query = query.onConflict(onConflict);
    await query.execute();
  }
}
