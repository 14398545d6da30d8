/**
 * The target sets of deleted sources, so their past assessments drop out of the estate's score,
 * its trend and `palisade history` instead of standing in for sources that no longer exist.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .createTable('retired_target_sets')
    .addColumn('target_set', 'text', (c) => c.primaryKey())
    .addColumn('source_name', 'text', (c) => c.notNull())
    .addColumn('retired_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropTable('retired_target_sets').ifExists().execute();
}
