/**
 * Where the server's file tailers had read to, so a restart reads on from there: the lines written
 * while it was down are not lost.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .createTable('tail_positions')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('inode', 'text', (c) => c.notNull())
    .addColumn('read_to', 'bigint', (c) => c.notNull())
    .addColumn('head', 'text', (c) => c.notNull())
    .addColumn('behind', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropTable('tail_positions').ifExists().execute();
}
