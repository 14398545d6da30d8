/**
 * Stores what detection raised: incidents are formed again over the alerts at hand together with
 * the stored members of the incidents they touch, so an incident never loses an alert it holds
 * in the store because that alert is not in memory (a restart, an evicted alert, a command line
 * run over a later log).
 */

import type { Kysely, Transaction } from 'kysely';
import { buildIncidents, keepIncidentIds } from '../detect/incidents.js';
import { alertFromRow } from '../export/outbox/alert-records.js';
import type { Alert, AlertStatus, Incident } from '../model/alert.js';
import { saveAlertsIn } from './alert-repository.js';
import { mergeIncidents } from './incident-aliases.js';
import type { Database } from './schema.js';

/** What one save of detection results is given. */
export interface DetectionBatch {
  /** Alerts raised or grown since the last save: always written. */
  changed: Iterable<Alert>;
  /**
   * The alerts incidents are formed from, by id (`changed` among them). Stored members of the
   * incidents they form are added to this map.
   */
  atHand: Map<string, Alert>;
  /** The incident each alert at hand was last stored in; stored members added are entered. */
  previousOf: Map<string, string>;
  /** Alerts further apart than this are not joined (buildIncidents' default when absent). */
  incidentWindowMs?: number;
  /** Whether an incident is written; all are when absent (a server skips those unchanged). */
  needsWrite?: (incident: Incident) => boolean;
}

/** What a save formed and wrote. */
export interface DetectionSaved {
  /** Every incident formed over the alerts at hand, under its stored id. */
  incidents: Incident[];
  /** The incidents written. */
  written: Incident[];
  /** Stored incidents merged into others: old id -> surviving id. */
  merged: Map<string, string>;
  /** The alerts written. */
  alerts: Alert[];
}

/**
 * Forms incidents over the alerts at hand and the stored members of those it writes (repeated
 * until no stored member is missing: a member brought back may link a further incident), keeps
 * the stored incident ids, merges stored incidents that became one, and saves alerts and
 * incidents in the caller's transaction.
 *
 * ```ts
 * await db.transaction().execute((trx) =>
 *   saveDetections(trx, { changed: alerts, atHand: byId, previousOf: stored }),
 * );
 * ```
 */
export async function saveDetections(
  trx: Transaction<Database>,
  batch: DetectionBatch,
): Promise<DetectionSaved> {
  const { atHand, previousOf } = batch;
  const needsWrite = batch.needsWrite ?? (() => true);
  let incidents: Incident[];
  let merged: Map<string, string>;
  let written: Incident[];
  for (;;) {
    incidents = buildIncidents([...atHand.values()], { windowMs: batch.incidentWindowMs });
    merged = keepIncidentIds(incidents, atHand, (id) => previousOf.get(id));
    written = incidents.filter(needsWrite);
    const touched = [...written.map((i) => i.id), ...merged.keys()];
    const missing = await storedIncidentMembers(trx, touched, (id) => atHand.has(id));
    if (missing.length === 0) break;
    for (const alert of missing) {
      atHand.set(alert.id, alert);
      if (alert.incidentId) previousOf.set(alert.id, alert.incidentId);
    }
  }

  const toSave = new Map<string, Alert>();
  for (const alert of batch.changed) toSave.set(alert.id, alert);
  for (const incident of written) {
    for (const id of incident.alerts) {
      const alert = atHand.get(id);
      if (alert) toSave.set(id, alert);
    }
  }
  const alerts = [...toSave.values()];
  const statuses = await mergeIncidents(trx, merged, new Date());
  for (const incident of written) carryStatus(incident, merged, statuses);
  await saveAlertsIn(trx, alerts, written);
  return { incidents, written, merged, alerts };
}

/**
 * Stores the alerts of one detection run (`detect` with `restore`) as the server stores its
 * own: incidents are formed over them, the stored alerts the run went on from and the stored
 * members of the incidents these touch, under the stored incident ids. Returns the incidents
 * that hold an alert of the run, and every alert they hold by id (the run's and the stored
 * ones), so that a report can list each incident whole.
 *
 * ```ts
 * const run = await detect({ paths, restore: await alertsInWindow(db, { windowMs, max }) });
 * const { incidents, members } = await saveDetectRun(db, run);
 * ```
 */
export async function saveDetectRun(
  db: Kysely<Database>,
  run: { alerts: Alert[]; restored: Alert[] },
  options: { incidentWindowMs?: number } = {},
): Promise<{ incidents: Incident[]; members: Map<string, Alert> }> {
  const atHand = new Map<string, Alert>();
  for (const alert of [...run.restored, ...run.alerts]) atHand.set(alert.id, alert);
  const saved = await db.transaction().execute(async (trx) => {
    const previousOf = await storedIncidentIds(trx, [...atHand.keys()]);
    // The run formed incidents of its own alerts alone: an alert they held may join none now.
    for (const alert of run.alerts) alert.incidentId = previousOf.get(alert.id);
    return saveDetections(trx, {
      changed: run.alerts,
      atHand,
      previousOf,
      incidentWindowMs: options.incidentWindowMs,
    });
  });
  const ran = new Set(run.alerts.map((a) => a.id));
  const incidents = saved.incidents.filter((i) => i.alerts.some((id) => ran.has(id)));
  // The alerts at hand hold every member of the incidents formed: the run's, those it went on
  // from and the stored members brought back.
  const members = new Map<string, Alert>();
  for (const incident of incidents) {
    for (const id of incident.alerts) {
      const alert = atHand.get(id);
      if (alert) members.set(id, alert);
    }
  }
  return { incidents, members };
}

/**
 * Stored alerts of the given incidents that `known` does not hold, as alerts (their
 * `incidentId` the stored one).
 */
export async function storedIncidentMembers(
  db: Kysely<Database> | Transaction<Database>,
  incidentIds: readonly string[],
  known: (alertId: string) => boolean,
): Promise<Alert[]> {
  const ids = [...new Set(incidentIds)];
  const missing: string[] = [];
  for (let i = 0; i < ids.length; i += 500) {
    const rows = await db
      .selectFrom('alerts')
      .select('id')
      .where('incident_id', 'in', ids.slice(i, i + 500))
      .execute();
    for (const r of rows) if (!known(r.id)) missing.push(r.id);
  }
  const out: Alert[] = [];
  for (let i = 0; i < missing.length; i += 500) {
    const rows = await db
      .selectFrom('alerts')
      .selectAll()
      .where('id', 'in', missing.slice(i, i + 500))
      .execute();
    out.push(...rows.map(alertFromRow));
  }
  return out;
}

/** The incident each stored alert of `alertIds` is in (those in none are left out). */
export async function storedIncidentIds(
  db: Kysely<Database> | Transaction<Database>,
  alertIds: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < alertIds.length; i += 500) {
    const rows = await db
      .selectFrom('alerts')
      .select(['id', 'incident_id'])
      .where('id', 'in', alertIds.slice(i, i + 500))
      .execute();
    for (const r of rows) if (r.incident_id) out.set(r.id, r.incident_id);
  }
  return out;
}

/**
 * A new incident that stored ones merged into takes the status an analyst gave any of them (an
 * incident already stored keeps its own: saving leaves a stored status as it is).
 */
function carryStatus(
  incident: Incident,
  merged: Map<string, string>,
  statuses: Map<string, AlertStatus>,
): void {
  for (const [old, into] of merged) {
    const status = statuses.get(old);
    if (into === incident.id && status && status !== 'active') {
      incident.status = status;
      return;
    }
  }
}
