/**
 * Stored export configurations: created with their sink secrets sealed by the server key,
 * listed with secrets redacted, and read back whole only to build a sink.
 */

import { newId } from '../server/auth/secrets.js';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ExportDataType, ExportFormat } from '../model/export-record.js';
import type { Severity } from '../model/rule.js';
import { parseScope, type ExportScope, type ExportSettings } from '../export/exporter-config.js';
import { openSecrets, redacted, sealSecrets, splitSecrets } from '../export/exporter-secrets.js';
import type { ServerKey } from '../server/auth/server-key.js';
import { deleteConsumerDelivery, startConsumerDelivery } from './consumer-delivery.js';
import { exportStore, type ExportsTable } from './export-store.js';
import type { Database } from './schema.js';

/** An export as listed: the sink configuration with its secrets shown as `********`. */
export interface ExportDefinition {
  id: string;
  name: string;
  enabled: boolean;
  scope: ExportScope;
  types: ExportDataType[];
  minSeverity: Severity | null;
  format: ExportFormat;
  sink: Record<string, unknown>;
  /** Names of the sink fields kept encrypted. */
  secretFields: string[];
  maxAttempts: number;
  batchSize: number;
  snapshotMinutes: number | null;
  lastSnapshotAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export type ExportRow = Selectable<ExportsTable>;

/** The consumer name of an export in the delivery tables. */
export function exportConsumer(id: string): string {
  return `export:${id}`;
}

/** Associated data binding an export's sealed secrets to its row. */
function secretContext(id: string): string {
  return `export:${id}`;
}

/** A stored export as listed (no secrets). */
export function exportView(row: ExportRow): ExportDefinition {
  const open = JSON.parse(row.sink_config) as Record<string, unknown>;
  const names = (open.__secretFields as string[] | undefined) ?? [];
  delete open.__secretFields;
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    scope: parseScope(row.scope_kind === 'all' ? 'all' : `${row.scope_kind}:${row.scope_value}`),
    types: JSON.parse(row.data_types) as ExportDataType[],
    minSeverity: row.min_severity as Severity | null,
    format: row.format as ExportFormat,
    sink: redacted(open, names),
    secretFields: names,
    maxAttempts: row.max_attempts,
    batchSize: row.batch_size,
    snapshotMinutes: row.snapshot_minutes,
    lastSnapshotAt: row.last_snapshot_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns that hold `settings`, the sink's secrets sealed to the row `id`. */
function settingsColumns(id: string, settings: ExportSettings, key: ServerKey) {
  const { open, secrets } = splitSecrets(settings.sink);
  return {
    name: settings.name,
    enabled: settings.enabled ? 1 : 0,
    scope_kind: settings.scope.kind,
    scope_value: settings.scope.kind === 'all' ? null : settings.scope.value,
    data_types: JSON.stringify(settings.types),
    min_severity: settings.minSeverity,
    format: settings.format,
    sink_kind: settings.sink.kind,
    sink_config: JSON.stringify({ ...open, __secretFields: Object.keys(secrets) }),
    sink_secrets: sealSecrets(key, secrets, secretContext(id)),
    max_attempts: settings.maxAttempts,
    batch_size: settings.batchSize,
    snapshot_minutes: settings.snapshotMinutes,
  };
}

/**
 * Stores a new export in the caller's transaction. It starts at the current end of the outbox:
 * changes from now on (a snapshot fills a new SIEM with the current state).
 */
export async function insertExport(
  trx: Transaction<Database>,
  settings: ExportSettings,
  key: ServerKey,
  createdBy: string,
  now: Date,
): Promise<ExportRow> {
  const id = newId(9);
  const at = now.toISOString();
  const row: ExportRow = {
    id,
    ...settingsColumns(id, settings, key),
    last_snapshot_at: null,
    created_by: createdBy,
    created_at: at,
    updated_at: at,
  };
  await exportStore(trx).insertInto('exports').values(row).execute();
  await startConsumerDelivery(trx, exportConsumer(id), at);
  return row;
}

/**
 * Rewrites an export's settings in the caller's transaction; its delivery state stays, so a
 * paused export resumes where it stopped. `updated_at` changes, which makes a running exporter
 * build the sink again.
 */
export async function updateExport(
  trx: Transaction<Database>,
  row: ExportRow,
  settings: ExportSettings,
  key: ServerKey,
  now: Date,
): Promise<ExportRow> {
  const values = { ...settingsColumns(row.id, settings, key), updated_at: now.toISOString() };
  await exportStore(trx).updateTable('exports').set(values).where('id', '=', row.id).execute();
  return { ...row, ...values };
}

/** Every export, oldest first. */
export async function listExportRows(db: Kysely<Database>): Promise<ExportRow[]> {
  return exportStore(db)
    .selectFrom('exports')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** One export, or undefined. */
export async function findExportRow(
  db: Kysely<Database>,
  id: string,
): Promise<ExportRow | undefined> {
  return exportStore(db).selectFrom('exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes an export with its delivery state, dead letters and snapshot rows. */
export async function deleteExport(trx: Transaction<Database>, id: string): Promise<boolean> {
  const db = exportStore(trx);
  const result = await db.deleteFrom('exports').where('id', '=', id).executeTakeFirst();
  await deleteConsumerDelivery(trx, exportConsumer(id));
  await db.deleteFrom('export_outbox').where('target', '=', id).execute();
  return Number(result.numDeletedRows) > 0;
}

/** The export's whole sink configuration, secrets decrypted, for `createSink`. */
export function exportSinkConfig(row: ExportRow, key: ServerKey): Record<string, unknown> {
  const open = JSON.parse(row.sink_config) as Record<string, unknown>;
  delete open.__secretFields;
  return { ...open, ...openSecrets(key, row.sink_secrets, secretContext(row.id)) };
}

/** Records when the export's last snapshot was taken. */
export async function markSnapshot(db: Kysely<Database>, id: string, at: Date): Promise<void> {
  await exportStore(db)
    .updateTable('exports')
    .set({ last_snapshot_at: at.toISOString() })
    .where('id', '=', id)
    .execute();
}
