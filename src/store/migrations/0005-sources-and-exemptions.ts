/**
 * Continuous assessment's configuration: sources (named sets of paths re-assessed on an
 * interval) and exemptions made through the API, applied by every later assessment.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema
    .createTable('sources')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('paths', 'text', (c) => c.notNull())
    .addColumn('target_set', 'text', (c) => c.notNull().unique())
    .addColumn('interval_minutes', 'integer', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_run_at', 'text')
    .addColumn('last_assessment_id', 'text')
    .addColumn('last_error', 'text')
    .execute();

  await d.schema
    .createTable('exemptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('rule', 'text', (c) => c.notNull())
    .addColumn('resource', 'text', (c) => c.notNull())
    .addColumn('justification', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('expires', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  // Findings are looked up per resource of an assessment (inventory health, resource detail).
  await d.schema
    .createIndex('findings_assessment_resource')
    .on('findings')
    .columns(['assessment_id', 'resource_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema.dropIndex('findings_assessment_resource').ifExists().execute();
  await d.schema.dropTable('exemptions').ifExists().execute();
  await d.schema.dropTable('sources').ifExists().execute();
}
