/**
 * The audit chain is sealed with the server key: each entry records which key (by its public id)
 * computed its HMAC. Entries written before have no key id and keep their SHA-256 hash; the
 * server seals them on its next start with one keyed entry that links to them.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  // Adding a nullable column rewrites no row, so the append-only triggers do not fire.
  await (db as AnyDb).schema.alterTable('audit_log').addColumn('key_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.alterTable('audit_log').dropColumn('key_id').execute();
}
