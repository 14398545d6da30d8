/**
 * Saves alerts and incidents. Ids are stable (rule, entities, first time), so running detection
 * again over the same logs updates the stored alerts instead of duplicating them; a status an
 * analyst set is kept.
 */

import type { Kysely } from 'kysely';
import type { Alert, Incident } from '../model/alert.js';
import type { Database } from './schema.js';

/** Stores alerts and incidents in one transaction. */
export async function saveAlerts(
  db: Kysely<Database>,
  alerts: Alert[],
  incidents: Incident[],
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (const i of incidents) {
      const row = {
        id: i.id,
        title: i.title,
        severity: i.severity,
        status: i.status,
        first_seen: i.firstSeen,
        last_seen: i.lastSeen,
        alerts: JSON.stringify(i.alerts),
        entities: JSON.stringify(i.entities),
        tactics: JSON.stringify(i.tactics),
      };
      await trx
        .insertInto('incidents')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ ...row, id: undefined, status: undefined }),
        )
        .execute();
    }
    for (const a of alerts) {
      const row = {
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
      };
      await trx
        .insertInto('alerts')
        .values(row)
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({ ...row, id: undefined, status: undefined }),
        )
        .execute();
    }
  });
}

/** Stored alerts, most recent first. */
export async function storedAlerts(db: Kysely<Database>, limit = 1_000) {
  return db.selectFrom('alerts').selectAll().orderBy('last_seen', 'desc').limit(limit).execute();
}
