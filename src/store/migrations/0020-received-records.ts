/**
 * The receipt keys of the records continuous detection took in lately (a record's own id, or its
 * content and occurrence in an HTTP request), so a record sent again (a shipper's retry) is not
 * counted twice, also after a restart. A row holds the keys one write stored, packed; rows are
 * deleted once their keys are past the window (see `received-records.ts`).
 */

import type { Kysely } from 'kysely';
import { addIdColumn } from '../dialect.js';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

export async function up(db: Kysely<unknown>): Promise<void> {
  const d = db as AnyDb;
  await addIdColumn(d.schema.createTable('received_records'), d, 'seq')
    .addColumn('first_ms', 'bigint', (c) => c.notNull())
    .addColumn('last_ms', 'bigint', (c) => c.notNull())
    .addColumn('count', 'integer', (c) => c.notNull())
    .addColumn('keys', 'text', (c) => c.notNull())
    .addColumn('times', 'text', (c) => c.notNull())
    .execute();
  await d.schema
    .createIndex('received_records_last')
    .on('received_records')
    .column('last_ms')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropTable('received_records').ifExists().execute();
}
