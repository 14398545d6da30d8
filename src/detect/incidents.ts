/**
 * Groups alerts into incidents: alerts that share an entity (an account, an IP, a host, a cloud
 * resource) within the correlation window belong together, ordered along the kill chain.
 */

import { createHash } from 'node:crypto';
import type { Alert, AlertEntity, Incident } from '../model/alert.js';
import { rank } from './alert-builder.js';
import { KILL_CHAIN } from './attack-tactics.js';

export { KILL_CHAIN } from './attack-tactics.js';

/** Entities an incident lists at most (its alerts keep their own). */
export const MAX_INCIDENT_ENTITIES = 100;

export interface IncidentOptions {
  /** Alerts further apart than this are not joined (default 24 h). */
  windowMs?: number;
  /** Entities too common to link alerts (the cloud account itself, shared NAT IPs). */
  ignore?: (entity: AlertEntity) => boolean;
}

function stage(alert: Alert): number {
  const positions = alert.attack.tactics.map((t) => KILL_CHAIN.indexOf(t)).filter((i) => i >= 0);
  return positions.length > 0 ? Math.min(...positions) : KILL_CHAIN.length;
}

/** Links alerts that share entities within the window; an incident needs at least two alerts. */
export function buildIncidents(alerts: Alert[], options: IncidentOptions = {}): Incident[] {
  const windowMs = options.windowMs ?? 24 * 60 * 60 * 1000;
  const ignore = options.ignore ?? ((e: AlertEntity) => e.kind === 'cloud-account');
  const sorted = [...alerts].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));

  const lastByEntity = new Map<string, number>();
  sorted.forEach((alert, i) => {
    for (const entity of alert.entities) {
      if (ignore(entity)) continue;
      const key = `${entity.kind}:${entity.value}`;
      const previous = lastByEntity.get(key);
      if (
        previous !== undefined &&
        Date.parse(alert.firstSeen) - Date.parse(sorted[previous].lastSeen) <= windowMs
      ) {
        parent[find(i)] = find(previous);
      }
      lastByEntity.set(key, i);
    }
  });

  const groups = new Map<number, Alert[]>();
  sorted.forEach((alert, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), alert]);
  });

  const incidents: Incident[] = [];
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    members.sort((a, b) => stage(a) - stage(b) || a.firstSeen.localeCompare(b.firstSeen));
    const worst = members.reduce(
      (w, a) => (rank(a.severity) > rank(w.severity) ? a : w),
      members[0],
    );
    const tactics = KILL_CHAIN.filter((t) => members.some((a) => a.attack.tactics.includes(t)));
    const counts = new Map<string, number>();
    for (const a of members)
      for (const e of a.entities)
        if (!ignore(e))
          counts.set(`${e.kind}:${e.value}`, (counts.get(`${e.kind}:${e.value}`) ?? 0) + 1);
    const shared = [...counts].filter(([, n]) => n > 1).map(([k]) => k);
    // The shared entities first (they are what links the alerts), then the rest, capped.
    const all = dedupe(members.flatMap((a) => a.entities));
    const sharedKeys = new Set(shared);
    const entities = [
      ...all.filter((e) => sharedKeys.has(`${e.kind}:${e.value}`)),
      ...all.filter((e) => !sharedKeys.has(`${e.kind}:${e.value}`)),
    ].slice(0, MAX_INCIDENT_ENTITIES);
    const id = createHash('sha256')
      .update(
        members
          .map((a) => a.id)
          .sort()
          .join('|'),
      )
      .digest('hex')
      .slice(0, 20);
    const focus = shared[0]?.split(':').slice(1).join(':') ?? entities[0]?.value ?? 'the estate';
    incidents.push({
      id,
      title: `${tactics.length > 1 ? 'Multi-stage activity' : 'Related activity'} involving ${focus} (${members.length} alerts)`,
      severity: worst.severity,
      status: 'active',
      firstSeen: members.reduce(
        (t, a) => (a.firstSeen < t ? a.firstSeen : t),
        members[0].firstSeen,
      ),
      lastSeen: members.reduce((t, a) => (a.lastSeen > t ? a.lastSeen : t), members[0].lastSeen),
      alerts: members.map((a) => a.id),
      entities,
      tactics,
    });
    for (const a of members) a.incidentId = id;
  }
  return incidents.sort(
    (a, b) => rank(b.severity) - rank(a.severity) || a.firstSeen.localeCompare(b.firstSeen),
  );
}

function dedupe(list: AlertEntity[]): AlertEntity[] {
  const seen = new Map<string, AlertEntity>();
  for (const e of list) seen.set(`${e.kind}:${e.value}`, e);
  return [...seen.values()];
}
