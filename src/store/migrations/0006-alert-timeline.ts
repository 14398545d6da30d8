/**
 * Alert triage: each alert's status changes and comments as a timeline, plus the columns the
 * alert list filters and sorts on (severity rank, cloud account) and their indexes.
 */

import { sql, type Kysely } from 'kysely';
import { addIdColumn } from '../dialect.js';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await addIdColumn(d.schema.createTable('alert_timeline'), d)
    .addColumn('alert_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .execute();
  await d.schema
    .createIndex('alert_timeline_alert')
    .on('alert_timeline')
    .columns(['alert_id', 'id'])
    .execute();

  await d.schema.alterTable('alerts').addColumn('severity_rank', 'integer').execute();
  await d.schema.alterTable('alerts').addColumn('account', 'text').execute();
  await d
    .updateTable('alerts')
    .set({
      severity_rank: sql`case severity when 'critical' then 4 when 'high' then 3
        when 'medium' then 2 when 'low' then 1 else 0 end`,
    })
    .execute();
  await d.schema
    .createIndex('alerts_last_seen')
    .on('alerts')
    .columns(['last_seen', 'id'])
    .execute();
  await d.schema
    .createIndex('alerts_status')
    .on('alerts')
    .columns(['status', 'last_seen'])
    .execute();
  await d.schema.createIndex('alerts_rule').on('alerts').columns(['rule_id']).execute();
  await d.schema.createIndex('alerts_incident').on('alerts').columns(['incident_id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await d.schema.dropTable('alert_timeline').ifExists().execute();
}
