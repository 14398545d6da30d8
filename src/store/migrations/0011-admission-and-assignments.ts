/**
 * Enforcement records: every admission decision the webhook made (what was asked, by whom, the
 * answer and the rules behind it), and policy assignments made through the API.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema
    .createTable('admission_decisions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('uid', 'text', (c) => c.notNull())
    .addColumn('time', 'text', (c) => c.notNull())
    .addColumn('api_version', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('namespace', 'text')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('allowed', 'integer', (c) => c.notNull())
    .addColumn('dry_run', 'integer', (c) => c.notNull())
    .addColumn('mode', 'text', (c) => c.notNull())
    .addColumn('rule_ids', 'text', (c) => c.notNull())
    .addColumn('rules', 'text', (c) => c.notNull())
    .addColumn('message', 'text')
    .addColumn('object', 'text')
    .execute();
  await d.schema
    .createIndex('admission_decisions_time')
    .on('admission_decisions')
    .columns(['time', 'id'])
    .execute();
  await d.schema
    .createIndex('admission_decisions_namespace_time')
    .on('admission_decisions')
    .columns(['namespace', 'time', 'id'])
    .execute();

  await d.schema
    .createTable('assignments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema.dropTable('assignments').ifExists().execute();
  await d.schema.dropIndex('admission_decisions_namespace_time').ifExists().execute();
  await d.schema.dropIndex('admission_decisions_time').ifExists().execute();
  await d.schema.dropTable('admission_decisions').ifExists().execute();
}
