/**
 * Saves alerts and incidents. Ids are stable (rule, entities, first time), so running detection
 * again over the same logs updates the stored alerts instead of duplicating them; a status an
 * analyst set is kept, unless new activity reopens a resolved or dismissed alert (its timeline
 * says so, by the actor `system:detection`).
 */

import type { Kysely, Transaction } from 'kysely';
import type { Alert, AlertStatus, Incident } from '../model/alert.js';
import type { Severity } from '../model/rule.js';
import {
  alertFromRow,
  alertRecord,
  detectionRecords,
  reopenComment,
  reopens,
} from '../export/outbox/alert-records.js';
import type { StoredAlertState } from '../export/outbox/alert-records.js';
import { linkAlertResources } from './alert-resources.js';
import { insertBatched } from './batch-insert.js';
import { appendOutbox, lockOutbox } from './outbox-repository.js';
import type { AlertTable, Database } from './schema.js';
import { writeAlertChange } from './status-timeline.js';
import type { AlertTimelineEntry, AlertTimelineTable, StatusChange } from './status-timeline.js';

/** The alert columns migration 0006 adds (sorting by severity, scoping by cloud account). */
export interface AlertTriageColumns {
  severity_rank: number | null;
  account: string | null;
}

/** The store as the alert API sees it: the base schema plus migration 0006's table and columns. */
export type AlertStore = Omit<Database, 'alerts'> & {
  alerts: AlertTable & AlertTriageColumns;
  alert_timeline: AlertTimelineTable;
};

/** `db` with the alert triage tables typed. */
export function alertStore(db: Kysely<Database> | Transaction<Database>): Kysely<AlertStore> {
  return db as unknown as Kysely<AlertStore>;
}

const SEVERITY_RANK: Record<Severity, number> = {
  informational: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** The alert's cloud account (its first `cloud-account` entity), for scoping. */
function accountOf(alert: Alert): string | null {
  return alert.entities.find((e) => e.kind === 'cloud-account')?.value ?? null;
}

/** The last row of each id: one statement may not upsert the same key twice on PostgreSQL. */
function lastById<T extends { id: string }>(rows: readonly T[]): T[] {
  return [...new Map(rows.map((r) => [r.id, r])).values()];
}

/** Stores alerts and incidents in one transaction, in batches; a stored status is kept. */
export async function saveAlerts(
  db: Kysely<Database>,
  alerts: Alert[],
  incidents: Incident[],
): Promise<void> {
  await db.transaction().execute((trx) => saveAlertsIn(trx, alerts, incidents));
}

/**
 * `saveAlerts` inside a transaction the caller holds. Each alert first gets the assessed
 * resources its entities name (`resources`, set on the given objects).
 */
export async function saveAlertsIn(
  trx: Transaction<Database>,
  alerts: Alert[],
  incidents: Incident[],
): Promise<void> {
  await linkAlertResources(trx, alerts);
  const incidentRows = lastById(incidents).map((i) => ({
    id: i.id,
    title: i.title,
    severity: i.severity,
    status: i.status,
    first_seen: i.firstSeen,
    last_seen: i.lastSeen,
    alerts: JSON.stringify(i.alerts),
    entities: JSON.stringify(i.entities),
    tactics: JSON.stringify(i.tactics),
  }));
  const unique = lastById(alerts);
  const alertRows = unique.map((a) => ({
    id: a.id,
    title: a.title,
    description: a.description,
    severity: a.severity,
    status: a.status,
    rule_kind: a.rule.kind,
    rule_id: a.rule.id,
    rule_title: a.rule.title,
    rule_author: a.rule.author ?? null,
    rule_license: a.rule.license ?? null,
    first_seen: a.firstSeen,
    last_seen: a.lastSeen,
    event_count: a.eventCount,
    attack: JSON.stringify(a.attack),
    entities: JSON.stringify(a.entities),
    evidence: JSON.stringify(a.evidence),
    remediation: JSON.stringify(a.remediation),
    incident_id: a.incidentId ?? null,
    resources: JSON.stringify(a.resources ?? []),
    severity_rank: SEVERITY_RANK[a.severity] ?? 0,
    account: accountOf(a),
  }));
  // The export records of these alerts go into the outbox in this same transaction.
  await lockOutbox(trx);
  const stored = await storedAlertStates(trx, alertRows);
  const records = detectionRecords(unique, stored);
  // Another writer may be further along the same alert (a running server while a command line
  // run stores an older stretch of the same log): the stored count and last time never go back.
  for (const row of alertRows) {
    const before = stored.get(row.id);
    if (!before) continue;
    if (Number(before.event_count) > row.event_count) row.event_count = Number(before.event_count);
    if (before.last_seen > row.last_seen) row.last_seen = before.last_seen;
  }
  {
    await insertBatched(trx, 'incidents', incidentRows, (oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        title: eb.ref('excluded.title'),
        severity: eb.ref('excluded.severity'),
        first_seen: eb.ref('excluded.first_seen'),
        last_seen: eb.ref('excluded.last_seen'),
        alerts: eb.ref('excluded.alerts'),
        entities: eb.ref('excluded.entities'),
        tactics: eb.ref('excluded.tactics'),
      })),
    );
    await insertBatched(trx, 'alerts', alertRows, (oc) =>
      oc.column('id').doUpdateSet((eb) => ({
        title: eb.ref('excluded.title'),
        description: eb.ref('excluded.description'),
        severity: eb.ref('excluded.severity'),
        rule_kind: eb.ref('excluded.rule_kind'),
        rule_id: eb.ref('excluded.rule_id'),
        rule_title: eb.ref('excluded.rule_title'),
        rule_author: eb.ref('excluded.rule_author'),
        rule_license: eb.ref('excluded.rule_license'),
        first_seen: eb.ref('excluded.first_seen'),
        last_seen: eb.ref('excluded.last_seen'),
        event_count: eb.ref('excluded.event_count'),
        attack: eb.ref('excluded.attack'),
        entities: eb.ref('excluded.entities'),
        evidence: eb.ref('excluded.evidence'),
        remediation: eb.ref('excluded.remediation'),
        incident_id: eb.ref('excluded.incident_id'),
        resources: eb.ref('excluded.resources'),
        // Columns of migration 0006, not in the base schema's types.
        ...({
          severity_rank: eb.ref('excluded.severity_rank' as 'excluded.severity'),
          account: eb.ref('excluded.account' as 'excluded.severity'),
        } as object),
      })),
    );
  }
  const now = new Date();
  for (const alert of unique) {
    const before = stored.get(alert.id);
    if (!before || !reopens(before, alert)) continue;
    await writeAlertChange(
      trx,
      alert.id,
      {
        status: 'active',
        comment: reopenComment(before.status as AlertStatus, alert),
        actor: { kind: 'system', name: 'detection' },
      },
      now,
    );
  }
  await appendOutbox(trx, records, now);
}

/** What is stored of the given alerts, before a save changes it. */
async function storedAlertStates(
  trx: Transaction<Database>,
  alerts: readonly { id: string }[],
): Promise<Map<string, StoredAlertState>> {
  const out = new Map<string, StoredAlertState>();
  for (let i = 0; i < alerts.length; i += 500) {
    const rows = await trx
      .selectFrom('alerts')
      .select(['id', 'status', 'last_seen', 'event_count', 'severity', 'incident_id'])
      .where(
        'id',
        'in',
        alerts.slice(i, i + 500).map((a) => a.id),
      )
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Stored alerts, most recent first. */
export async function storedAlerts(db: Kysely<Database>, limit = 1_000) {
  return db
    .selectFrom('alerts')
    .selectAll()
    .orderBy('last_seen', 'desc')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/**
 * Sets an alert's status (or keeps it, for a comment alone) and appends the timeline entry, in
 * the caller's transaction, with the status change queued for export. Returns undefined when no
 * alert has this id.
 */
export async function changeAlertStatus(
  trx: Transaction<Database>,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<AlertTimelineEntry | undefined> {
  await lockOutbox(trx);
  const entry = await writeAlertChange(trx, id, change, now);
  if (!entry) return undefined;
  const full = await trx.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
  if (full) {
    const record = alertRecord(
      alertFromRow(full),
      {
        change: 'status_changed',
        previousStatus: entry.from,
        ...(change.comment ? { comment: change.comment } : {}),
        ...(change.actor.name ? { actor: change.actor.name } : {}),
        key: entry.id,
      },
      entry.at,
    );
    await appendOutbox(trx, [record], now);
  }
  return entry;
}

/** Stored statuses of the given incidents (those that exist). */
export async function incidentStatuses(
  db: Kysely<Database>,
  ids: string[],
): Promise<Map<string, AlertStatus>> {
  const out = new Map<string, AlertStatus>();
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'status'])
      .where('id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, r.status as AlertStatus);
  }
  return out;
}
