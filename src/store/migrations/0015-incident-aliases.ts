/**
 * Incidents merged into another: the id an incident had before it merged, and the incident that
 * now holds its alerts, so a link or ticket naming the old id still finds the incident.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .createTable('incident_aliases')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('merged_at', 'text', (c) => c.notNull())
    .execute();
  await (db as AnyDb).schema
    .createIndex('incident_aliases_incident')
    .on('incident_aliases')
    .columns(['incident_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropTable('incident_aliases').ifExists().execute();
}
