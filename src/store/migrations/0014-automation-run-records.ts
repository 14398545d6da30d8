/**
 * Automation runs by rule and record: a retried record looks up which of its rule's actions
 * already succeeded, so a retry does not send them again.
 */

import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('automation_runs_record')
    .on('automation_runs')
    .columns(['rule_id', 'record_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('automation_runs_record').execute();
}
