/**
 * Assessments with their control scores, findings, resources and the files they read. Types go
 * through the dialect helpers, so SQLite gets exactly what it always got and PostgreSQL its own.
 */

import type { Kysely } from 'kysely';
import { addIdColumn, floatType } from '../dialect.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  const float = floatType(db);
  await db.schema
    .createTable('assessments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('targets', 'text', (c) => c.notNull())
    .addColumn('secure_score', float, (c) => c.notNull())
    .addColumn('resources', 'integer', (c) => c.notNull())
    .addColumn('rules', 'integer', (c) => c.notNull())
    .addColumn('pass', 'integer', (c) => c.notNull())
    .addColumn('fail', 'integer', (c) => c.notNull())
    .addColumn('not_applicable', 'integer', (c) => c.notNull())
    .addColumn('error', 'integer', (c) => c.notNull())
    .addColumn('exempt', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('assessments_started')
    .on('assessments')
    .column('started_at')
    .execute();

  await db.schema
    .createTable('control_scores')
    .addColumn('assessment_id', 'text', (c) =>
      c.notNull().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('max_score', float, (c) => c.notNull())
    .addColumn('current_score', float, (c) => c.notNull())
    .addColumn('healthy', 'integer', (c) => c.notNull())
    .addColumn('unhealthy', 'integer', (c) => c.notNull())
    .addColumn('not_applicable', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('control_scores_pk', ['assessment_id', 'control_id'])
    .execute();

  await addIdColumn(db.schema.createTable('findings'), db)
    .addColumn('assessment_id', 'text', (c) =>
      c.notNull().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('control', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('line', 'integer')
    .addColumn('exemption', 'text')
    .execute();
  await db.schema
    .createIndex('findings_assessment_rule')
    .on('findings')
    .columns(['assessment_id', 'rule_id'])
    .execute();

  await db.schema
    .createTable('resources')
    .addColumn('assessment_id', 'text', (c) =>
      c.notNull().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('cloud', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('region', 'text')
    .addColumn('source_kind', 'text', (c) => c.notNull())
    .addColumn('file', 'text')
    .addColumn('line', 'integer')
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('resources_assessment')
    .on('resources')
    .columns(['assessment_id', 'type'])
    .execute();

  await db.schema
    .createTable('source_files')
    .addColumn('assessment_id', 'text', (c) =>
      c.notNull().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('file', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('resources', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['source_files', 'resources', 'findings', 'control_scores', 'assessments']) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
