/**
 * An outbox consumer for tests that read the export outbox: a store with no export or automation
 * rule appends no records (nobody would receive them), so such a test creates one first, the
 * way the API does (`insertExport`, which opens its delivery at the end of the outbox).
 */

import type { Kysely } from 'kysely';
import { parseExportInput } from '../../src/export/exporter-config.js';
import type { ExportRecord } from '../../src/model/export-record.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { insertExport, type ExportRow } from '../../src/store/export-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { recordOf } from '../../src/store/outbox-repository.js';
import type { Database } from '../../src/store/schema.js';

const key = serverKeyFromBytes(Buffer.alloc(32, 3));

/**
 * Creates a paused export (a syslog destination nothing sends to), so saves from now on append
 * their records to the outbox. Paused: a running exporter leaves it alone.
 */
export async function addOutboxConsumer(db: Kysely<Database>): Promise<ExportRow> {
  const settings = parseExportInput({
    name: 'outbox reader',
    enabled: false,
    sink: { kind: 'syslog', transport: 'tcp', host: 'siem.example.com', port: 514 },
  });
  return db.transaction().execute((trx) => insertExport(trx, settings, key, 'test', new Date()));
}

/** Every record in the outbox, in the order it was appended. */
export async function outboxRecords(db: Kysely<Database>): Promise<ExportRecord[]> {
  const rows = await exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .orderBy('seq')
    .execute();
  return rows.map(recordOf);
}
