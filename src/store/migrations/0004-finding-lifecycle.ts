/**
 * Finding lifecycle for continuous assessment: each failing (rule, resource) of a set of targets
 * keeps when it was first and last seen and whether it is open or resolved, and every change
 * (new, reopened, resolved) is kept as an event of the assessment that caused it.
 */

import type { Kysely } from 'kysely';
import { addIdColumn } from '../dialect.js';
import { targetSetKey } from '../target-set.js';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema.alterTable('assessments').addColumn('target_set', 'text').execute();
  const existing = await d.selectFrom('assessments').select(['id', 'targets']).execute();
  for (const row of existing as { id: string; targets: string }[]) {
    await d
      .updateTable('assessments')
      .set({ target_set: targetSetKey(JSON.parse(row.targets) as string[]) })
      .where('id', '=', row.id)
      .execute();
  }
  await d.schema
    .createIndex('assessments_target_set')
    .on('assessments')
    .columns(['target_set', 'started_at'])
    .execute();

  await d.schema
    .createTable('finding_states')
    .addColumn('target_set', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('first_seen', 'text', (c) => c.notNull())
    .addColumn('last_seen', 'text', (c) => c.notNull())
    .addColumn('status_changed_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .addColumn('first_assessment_id', 'text', (c) => c.notNull())
    .addColumn('last_assessment_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('finding_states_pk', [
      'target_set',
      'rule_id',
      'resource_type',
      'resource_id',
    ])
    .execute();
  await d.schema
    .createIndex('finding_states_rule_resource')
    .on('finding_states')
    .columns(['rule_id', 'resource_id'])
    .execute();

  await addIdColumn(d.schema.createTable('finding_events'), d)
    .addColumn('assessment_id', 'text', (c) =>
      c.notNull().references('assessments.id').onDelete('cascade'),
    )
    .addColumn('target_set', 'text', (c) => c.notNull())
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('resource_type', 'text', (c) => c.notNull())
    .addColumn('resource_id', 'text', (c) => c.notNull())
    .addColumn('resource_name', 'text', (c) => c.notNull())
    .addColumn('severity', 'text', (c) => c.notNull())
    .addColumn('change', 'text', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await d.schema
    .createIndex('finding_events_assessment')
    .on('finding_events')
    .column('assessment_id')
    .execute();
  await d.schema
    .createIndex('finding_events_rule_resource')
    .on('finding_events')
    .columns(['rule_id', 'resource_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema.dropTable('finding_events').ifExists().execute();
  await d.schema.dropTable('finding_states').ifExists().execute();
  await d.schema.dropIndex('assessments_target_set').ifExists().execute();
  await d.schema.alterTable('assessments').dropColumn('target_set').execute();
}
