/**
 * Alert list indexes that cover its time range: each ends in (last_seen, id, first_seen), so a
 * page filtered by severity or status and `since`/`until` is read in order from the index alone.
 */

import type { Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** Index name, columns before and after this migration. */
const INDEXES: [string, string[], string[]][] = [
  [
    'alerts_severity_time',
    ['severity', 'last_seen'],
    ['severity', 'last_seen', 'id', 'first_seen'],
  ],
  ['alerts_status', ['status', 'last_seen'], ['status', 'last_seen', 'id', 'first_seen']],
  ['alerts_last_seen', ['last_seen', 'id'], ['last_seen', 'id', 'first_seen']],
];

async function rebuild(db: AnyDb, name: string, columns: string[]): Promise<void> {
  await db.schema.dropIndex(name).ifExists().execute();
  await db.schema.createIndex(name).on('alerts').columns(columns).execute();
}

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, , after] of INDEXES) await rebuild(db as AnyDb, name, after);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [name, before] of INDEXES) await rebuild(db as AnyDb, name, before);
}
