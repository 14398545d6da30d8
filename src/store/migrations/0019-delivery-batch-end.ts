/**
 * Where the failing batch of each outbox consumer ends, so its attempts count for the records
 * that were in it when it first failed, and a record appended later starts with attempts of its
 * own instead of inheriting the batch's.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .alterTable('export_deliveries')
    .addColumn('batch_end_seq', 'bigint')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.alterTable('export_deliveries').dropColumn('batch_end_seq').execute();
}
