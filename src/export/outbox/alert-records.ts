/**
 * Export records for alerts: created, changed by detection (new events folded in, severity,
 * incident link) and changed by an analyst (status, comment), each with a stable key.
 */

import type { Selectable } from 'kysely';
import type { Alert, AlertStatus } from '../../model/alert.js';
import type { AlertExportData, ExportRecord } from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import type { AlertTable } from '../../store/schema.js';
import { recordId } from './record-id.js';

/** Version of `schemas/export/alert.v1.json`. */
export const ALERT_SCHEMA_VERSION = 1;

/** The cloud accounts an alert concerns (its `cloud-account` entities). */
export function alertAccounts(alert: Alert): string[] {
  return [...new Set(alert.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value))];
}

/** `key=value` for every tag of the assessed resources an alert concerns, each once. */
export function alertResourceTags(alert: Alert): string[] {
  const out = new Set<string>();
  for (const r of alert.resources ?? []) {
    for (const [k, v] of Object.entries(r.tags)) out.add(`${k}=${v}`);
  }
  return [...out];
}

/** An alert as stored, back in the model's shape. */
export function alertFromRow(row: Selectable<AlertTable>): Alert {
  const alert: Alert = {
    id: row.id,
    title: row.title,
    description: row.description,
    severity: row.severity as Severity,
    status: row.status as AlertStatus,
    attack: JSON.parse(row.attack) as Alert['attack'],
    entities: JSON.parse(row.entities) as Alert['entities'],
    firstSeen: row.first_seen,
    lastSeen: row.last_seen,
    eventCount: row.event_count,
    evidence: JSON.parse(row.evidence) as Alert['evidence'],
    remediation: JSON.parse(row.remediation) as string[],
    rule: {
      kind: row.rule_kind as Alert['rule']['kind'],
      id: row.rule_id,
      title: row.rule_title,
      ...(row.rule_author ? { author: row.rule_author } : {}),
      ...(row.rule_license ? { license: row.rule_license } : {}),
    },
  };
  if (row.incident_id) alert.incidentId = row.incident_id;
  const resources = JSON.parse(row.resources ?? '[]') as Alert['resources'];
  if (resources?.length) alert.resources = resources;
  return alert;
}

/** What distinguishes one detection update of an alert from another. */
function updateKey(alert: Alert): (string | number | null)[] {
  return [alert.lastSeen, alert.eventCount, alert.severity, alert.incidentId ?? null];
}

/**
 * The record of an alert change. `key` names the change when the alert alone does not (the
 * timeline entry of a status change).
 *
 * ```ts
 * alertRecord(alert, { change: 'created' }, now);
 * alertRecord(alert, { change: 'status_changed', previousStatus: 'active', key: 42 }, now);
 * ```
 */
export function alertRecord(
  alert: Alert,
  change: Omit<AlertExportData, 'alert'> & { key?: string | number },
  occurredAt: string,
  kind: 'change' | 'snapshot' = 'change',
  snapshotId?: string,
): ExportRecord {
  const { key, ...data } = change;
  const parts =
    kind === 'snapshot'
      ? ['snapshot', snapshotId ?? '', alert.id]
      : data.change === 'created'
        ? [alert.id, 'created']
        : data.change === 'updated'
          ? [alert.id, 'updated', ...updateKey(alert)]
          : [alert.id, 'status', key ?? occurredAt];
  return {
    id: recordId('alert', parts),
    schemaVersion: ALERT_SCHEMA_VERSION,
    kind,
    type: 'alert',
    occurredAt,
    accounts: alertAccounts(alert),
    data: { ...data, alert },
  };
}

/** The stored facts of an alert that tell a detection update from no change. */
export interface StoredAlertState {
  status: string;
  last_seen: string;
  event_count: number;
  severity: string;
  incident_id: string | null;
}

/** Why detection reopened an alert, as its timeline and export say it. */
export function reopenComment(previousStatus: AlertStatus, alert: Alert): string {
  return `Reopened by new activity at ${alert.lastSeen} after it was ${previousStatus}.`;
}

/**
 * Whether new activity reopens a closed alert: it was resolved or dismissed, and events later
 * than any it held have arrived. The same events seen again change nothing.
 */
export function reopens(before: StoredAlertState | undefined, alert: Alert): boolean {
  return (
    before !== undefined &&
    (before.status === 'resolved' || before.status === 'dismissed') &&
    alert.lastSeen > before.last_seen
  );
}

/**
 * Records for alerts detection is about to save: `created` for new ones, `updated` for stored
 * ones whose events, severity or incident changed (with the stored status, which is kept), and
 * `status_changed` to active for the closed ones new activity reopens (see `reopens`).
 */
export function detectionRecords(
  alerts: readonly Alert[],
  stored: ReadonlyMap<string, StoredAlertState>,
): ExportRecord[] {
  const out: ExportRecord[] = [];
  for (const alert of alerts) {
    const before = stored.get(alert.id);
    if (!before) {
      // The record carries the alert as of its last event: that is when this state came about,
      // and the time a receiver files it under (an RFC 5424 header, CEF rt), as for updates.
      out.push(alertRecord(alert, { change: 'created' }, alert.lastSeen));
      continue;
    }
    const unchanged =
      before.last_seen === alert.lastSeen &&
      before.event_count === alert.eventCount &&
      before.severity === alert.severity &&
      (before.incident_id ?? null) === (alert.incidentId ?? null);
    if (unchanged) continue;
    if (reopens(before, alert)) {
      const previousStatus = before.status as AlertStatus;
      out.push(
        alertRecord(
          { ...alert, status: 'active' },
          {
            change: 'status_changed',
            previousStatus,
            actor: 'detection',
            comment: reopenComment(previousStatus, alert),
          },
          alert.lastSeen,
        ),
      );
      continue;
    }
    const kept = { ...alert, status: before.status as AlertStatus };
    out.push(alertRecord(kept, { change: 'updated' }, alert.lastSeen));
  }
  return out;
}
