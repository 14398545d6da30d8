/**
 * Export records for incidents: an analyst changed an incident's status or commented on it, sent
 * as alert status changes are, keyed by the incident's timeline entry.
 */

import type { Kysely, Selectable, Transaction } from 'kysely';
import type { AlertEntity, AlertStatus, Incident } from '../../model/alert.js';
import type { ExportRecord, IncidentExportData } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import { appendOutbox, lockOutbox } from '../../store/outbox-repository.js';
import type { Database, IncidentTable } from '../../store/schema.js';
import {
  changeIncidentStatus,
  type IncidentTimelineEntry,
  type StatusChange,
} from '../../store/status-timeline.js';
import { recordId } from './record-id.js';

/** Version of `schemas/export/incident.v1.json`. */
export const INCIDENT_SCHEMA_VERSION = 1;

/** An incident as stored, back in the model's shape. */
export function incidentFromRow(row: Selectable<IncidentTable>): Incident {
  return {
    id: row.id,
    title: row.title,
    severity: row.severity as Severity,
    status: row.status as AlertStatus,
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    alerts: JSON.parse(row.alerts) as string[],
    entities: JSON.parse(row.entities) as AlertEntity[],
    tactics: JSON.parse(row.tactics) as string[],
  };
}

/**
 * The record of a status change (or comment) of `incident`, keyed by its timeline entry.
 *
 * ```ts
 * incidentRecord(incident, { change: 'status_changed', previousStatus: 'active' }, 42, at);
 * ```
 */
export function incidentRecord(
  incident: Incident,
  change: Omit<IncidentExportData, 'incident'>,
  entryId: number,
  occurredAt: string,
): ExportRecord {
  const accounts = incident.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value);
  return {
    id: recordId('incident', [incident.id, 'status', entryId]),
    schemaVersion: INCIDENT_SCHEMA_VERSION,
    kind: 'change',
    type: 'incident',
    occurredAt,
    accounts: [...new Set(accounts)],
    data: { ...change, incident },
  };
}

/**
 * Changes incident `id`'s status (or comments on it) and appends the change's export record in
 * the same transaction, so the change is stored with its record or not at all.
 *
 * ```ts
 * await db.transaction().execute((trx) =>
 *   changeIncidentStatusExported(trx, id, { status: 'resolved', comment, actor }, now),
 * );
 * ```
 */
export async function changeIncidentStatusExported(
  trx: Transaction<Database>,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<IncidentTimelineEntry | undefined> {
  await lockOutbox(trx);
  const entry = await changeIncidentStatus(trx, id, change, now);
  if (entry) await appendIncidentRecord(trx, entry, now);
  return entry;
}

/** Appends the record of `entry`, just written, in the caller's transaction. */
async function appendIncidentRecord(
  trx: Kysely<Database>,
  entry: IncidentTimelineEntry,
  now: Date,
): Promise<void> {
  const row = await trx
    .selectFrom('incidents')
    .selectAll()
    .where('id', '=', entry.incidentId)
    .executeTakeFirst();
  if (!row) return;
  const record = incidentRecord(
    incidentFromRow(row),
    {
      change: 'status_changed',
      previousStatus: entry.from,
      ...(entry.comment ? { comment: entry.comment } : {}),
      ...(entry.actor.name ? { actor: entry.actor.name } : {}),
    },
    entry.id,
    entry.at,
  );
  await appendOutbox(trx, [record], now);
}
