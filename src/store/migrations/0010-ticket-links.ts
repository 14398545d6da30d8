/**
 * Which ticket (ServiceNow incident, Jira issue) stands for which alert or incident, per ticket
 * sink, so a status change updates that ticket and a redelivery never opens a second one.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema
    .createTable('ticket_links')
    .addColumn('sink', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('ticket_id', 'text', (c) => c.notNull())
    .addColumn('ticket_ref', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_links_pk', ['sink', 'subject'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropTable('ticket_links').ifExists().execute();
}
