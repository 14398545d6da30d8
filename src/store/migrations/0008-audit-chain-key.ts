/**
 * The audit chain is sealed with the server key: each entry records which key (by its public id)
 * computed its HMAC. Entries written before have no key id and keep their SHA-256 hash; the
 * server seals them on its next start with one keyed entry that links to them.
 * Usernames become unique regardless of case (`Ana` and `ana` are one user). Incidents get a
 * timeline of status changes and comments, as alerts have.
 */

import { sql, type Kysely } from 'kysely';
import { addIdColumn } from '../dialect.js';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const anyDb = db as AnyDb;
  // Adding a nullable column rewrites no row, so the append-only triggers do not fire.
  await anyDb.schema.alterTable('audit_log').addColumn('key_id', 'text').execute();

  await addIdColumn(anyDb.schema.createTable('incident_timeline'), anyDb)
    .addColumn('incident_id', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('actor_name', 'text')
    .addColumn('from_status', 'text', (c) => c.notNull())
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('comment', 'text')
    .execute();
  await anyDb.schema
    .createIndex('incident_timeline_incident')
    .on('incident_timeline')
    .columns(['incident_id', 'id'])
    .execute();

  // A store that already holds two users differing only in case keeps working (the server
  // refuses new ones by the same rule); the index then waits until an admin removes the twin.
  const twins = await sql<{ n: number }>`select count(*) as n from (select lower(username) as u
    from users group by lower(username) having count(*) > 1) as t`.execute(anyDb);
  if (Number(twins.rows[0]?.n ?? 0) > 0) return;
  await sql`create unique index users_username_lower on users (lower(username))`.execute(anyDb);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists users_username_lower`.execute(db);
  await (db as AnyDb).schema.dropTable('incident_timeline').ifExists().execute();
  await (db as AnyDb).schema.alterTable('audit_log').dropColumn('key_id').execute();
}
