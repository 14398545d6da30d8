/**
 * Saves alerts and incidents. Ids are stable (rule, entities, first time), so running detection
 * again over the same logs updates the stored alerts instead of duplicating them; a status an
 * analyst set is kept.
 */

import type { Kysely } from 'kysely';
import type { Alert, Incident } from '../model/alert.js';
import { insertBatched } from './batch-insert.js';
import type { Database } from './schema.js';

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
  const alertRows = lastById(alerts).map((a) => ({
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
  }));
  await db.transaction().execute(async (trx) => {
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
      })),
    );
  });
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
