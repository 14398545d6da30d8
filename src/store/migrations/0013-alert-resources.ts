/**
 * The assessed resources an alert concerns, with their tags, kept on the alert: tag-scoped
 * exports and automation then take its status changes as well as its creation.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .alterTable('alerts')
    .addColumn('resources', 'text', (c) => c.notNull().defaultTo('[]'))
    .execute();
  // Saving alerts looks their resource entities up by id and by name.
  await (db as AnyDb).schema.createIndex('resources_by_id').on('resources').column('id').execute();
  await (db as AnyDb).schema
    .createIndex('resources_by_name')
    .on('resources')
    .column('name')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropIndex('resources_by_name').ifExists().execute();
  await (db as AnyDb).schema.dropIndex('resources_by_id').ifExists().execute();
  await (db as AnyDb).schema.alterTable('alerts').dropColumn('resources').execute();
}
