/**
 * Continuous export and workflow automation: the durable outbox every change is written to in
 * its own transaction, each consumer's delivery state and dead letters, the export and automation
 * configurations, automation runs, and the last compliance state of each set of targets.
 */

import type { Kysely } from 'kysely';
import { addIdColumn } from '../dialect.js';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await addIdColumn(d.schema.createTable('export_outbox'), d, 'seq')
    .addColumn('record_id', 'text', (c) => c.notNull().unique())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('severity_rank', 'integer')
    .addColumn('accounts', 'text', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('occurred_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .execute();

  await d.schema
    .createTable('export_deliveries')
    .addColumn('consumer', 'text', (c) => c.primaryKey())
    .addColumn('cursor_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text')
    .addColumn('last_error', 'text')
    .addColumn('lease_owner', 'text')
    .addColumn('lease_until', 'text')
    .addColumn('delivered', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await addIdColumn(d.schema.createTable('export_dead_letters'), d)
    .addColumn('consumer', 'text', (c) => c.notNull())
    .addColumn('outbox_seq', 'bigint', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('error', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('failed_at', 'text', (c) => c.notNull())
    .addColumn('replayed_at', 'text')
    .execute();
  await d.schema
    .createIndex('export_dead_letters_consumer')
    .on('export_dead_letters')
    .columns(['consumer', 'status', 'id'])
    .execute();

  await d.schema
    .createTable('exports')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('scope_kind', 'text', (c) => c.notNull())
    .addColumn('scope_value', 'text')
    .addColumn('data_types', 'text', (c) => c.notNull())
    .addColumn('min_severity', 'text')
    .addColumn('format', 'text', (c) => c.notNull())
    .addColumn('sink_kind', 'text', (c) => c.notNull())
    .addColumn('sink_config', 'text', (c) => c.notNull())
    .addColumn('sink_secrets', 'text')
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('batch_size', 'integer', (c) => c.notNull())
    .addColumn('snapshot_minutes', 'integer')
    .addColumn('last_snapshot_at', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await d.schema
    .createTable('automation_rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('triggers', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('action_secrets', 'text')
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await addIdColumn(d.schema.createTable('automation_runs'), d)
    .addColumn('rule_id', 'text', (c) => c.notNull())
    .addColumn('record_id', 'text', (c) => c.notNull())
    .addColumn('outbox_seq', 'bigint', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await d.schema
    .createIndex('automation_runs_rule')
    .on('automation_runs')
    .columns(['rule_id', 'id'])
    .execute();

  await d.schema
    .createTable('compliance_states')
    .addColumn('target_set', 'text', (c) => c.notNull())
    .addColumn('standard', 'text', (c) => c.notNull())
    .addColumn('control_id', 'text', (c) => c.notNull())
    .addColumn('standard_name', 'text', (c) => c.notNull())
    .addColumn('control_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('passed', 'integer', (c) => c.notNull())
    .addColumn('failed', 'integer', (c) => c.notNull())
    .addColumn('assessment_id', 'text', (c) => c.notNull())
    .addColumn('accounts', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('compliance_states_pk', ['target_set', 'standard', 'control_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  for (const table of [
    'compliance_states',
    'automation_runs',
    'automation_rules',
    'exports',
    'export_dead_letters',
    'export_deliveries',
    'export_outbox',
  ]) {
    await d.schema.dropTable(table).ifExists().execute();
  }
}
