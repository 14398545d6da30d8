/**
 * Groups alerts into incidents: alerts of the same cloud accounts that share an entity (an
 * account, an IP, a host, a cloud resource) within the correlation window belong together,
 * ordered along the kill chain. A local
 * account (`root`, uid `1000`), a file path or a command line only links alerts on the same host; the host or local account of
 * an alert from outside (it names an IP) links it with local activity there, not with other
 * outsiders; an incident spans at most seven windows; and alerts that are one and the same
 * activity (one event seen by two rules) make an incident that says so, never a multi-stage one.
 */

import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import type { Alert, AlertEntity, Incident } from '../model/alert.js';
import { rank } from './alert-builder.js';
import { canonicalTactic, KILL_CHAIN } from './attack-tactics.js';
import { isHostLog } from './host-logs.js';
import { counted } from '../report/counted.js';

export { KILL_CHAIN } from './attack-tactics.js';

/** Entities an incident lists at most (its alerts keep their own). */
export const MAX_INCIDENT_ENTITIES = 100;

export interface IncidentOptions {
  /** Alerts further apart than this are not joined (default 24 h). */
  windowMs?: number;
  /** An incident spans at most this long from its first alert (default 7 windows). */
  maxSpanMs?: number;
  /** Entities too common to link alerts (the cloud account itself, shared NAT IPs). */
  ignore?: (entity: AlertEntity) => boolean;
}

function stage(alert: Alert): number {
  const positions = alert.attack.tactics
    .map((t) => KILL_CHAIN.indexOf(canonicalTactic(t)))
    .filter((i) => i >= 0);
  return positions.length > 0 ? Math.min(...positions) : KILL_CHAIN.length;
}

/** Entity kinds that name something on one host: they link alerts of that host only. */
const HOST_KINDS = new Set<AlertEntity['kind']>(['file', 'process']);

/** One way an alert can be linked to others: a key, and how an incident title names it. */
interface Link {
  key: string;
  entity: AlertEntity;
  label: string;
  /**
   * A place (host, local account) of an alert whose activity came from outside (it names an IP):
   * it links the alert with local activity there, not with other outsiders' alerts there. An
   * internet-facing host sees many unrelated attackers; the host alone does not make them one
   * story.
   */
  outside?: boolean;
}

/**
 * True when the alert's accounts are a host's local accounts: its events are host logs, or,
 * without evidence at hand, it names a host and no cloud account.
 */
function hasLocalAccounts(alert: Alert): boolean {
  if (alert.evidence.length > 0) {
    return alert.evidence.every((e) => isHostLog(e.source));
  }
  const names = (kind: AlertEntity['kind']) => alert.entities.some((e) => e.kind === kind);
  return names('host') && !names('cloud-account');
}

/**
 * The links of an alert. A local account links only alerts on one of the alert's hosts (`root`
 * on web1 is not `root` on db9). When its events name no host, the log files they came from
 * stand in for it (a file without host names is one host's log); with neither, it links nothing.
 */
function linksOf(alert: Alert, ignore: (entity: AlertEntity) => boolean): Link[] {
  const local = hasLocalAccounts(alert);
  let places: { key: string; label: string }[] | undefined;
  // A peer named by host name (sshd with UseDNS) is as much an outsider as one named by address.
  const outside = alert.entities.some((e) => e.kind === 'ip' || e.kind === 'remote-host');
  const links: Link[] = [];
  for (const entity of alert.entities) {
    if (ignore(entity)) continue;
    // A file path or a command line names something on one host, as a local account does:
    // `/etc/shadow` read on web1 and on db9 are two stories.
    const onHost = HOST_KINDS.has(entity.kind) || (local && entity.kind === 'account');
    if (!onHost) {
      const key = `${entity.kind}:${entity.value}`;
      const link: Link = { key, entity, label: entity.value };
      if (outside && entity.kind === 'host') link.outside = true;
      links.push(link);
      continue;
    }
    places ??= placesOf(alert);
    for (const place of places) {
      links.push({
        key: `${entity.kind}:${entity.value}@${place.key}`,
        entity,
        label: `${entity.value} ${place.label}`,
        ...(outside ? { outside: true } : {}),
      });
    }
  }
  return links;
}

/** The alert's cloud accounts as one key ('' when it names none). */
function accountsOf(alert: Alert): string {
  const accounts = alert.entities.filter((e) => e.kind === 'cloud-account').map((e) => e.value);
  return accounts.length < 2 ? (accounts[0] ?? '') : [...new Set(accounts)].sort().join(',');
}

/** Where a local account of the alert lives: its hosts, else the files its events came from. */
function placesOf(alert: Alert): { key: string; label: string }[] {
  const hosts = alert.entities.filter((e) => e.kind === 'host');
  if (hosts.length > 0)
    return hosts.map((h) => ({ key: `host:${h.value}`, label: `on ${h.value}` }));
  const files = new Set(alert.evidence.map((e) => e.source.file).filter((f) => f !== undefined));
  return [...files].map((f) => ({ key: `file:${f}`, label: `in ${basename(f)}` }));
}

/**
 * What an alert saw, when all of its events are at hand: alerts of different rules with the
 * same key are one activity (one CloudTrail record matched by a built-in and a Sigma rule).
 * Undefined when the alert kept only a sample of its events.
 */
function activityKey(alert: Alert): string | undefined {
  if (alert.evidence.length === 0 || alert.evidence.length !== alert.eventCount) return undefined;
  return alert.evidence
    .map(
      (e) => `${e.time}|${e.source.file ?? ''}|${e.source.line ?? ''}|${JSON.stringify(e.fields)}`,
    )
    .sort()
    .join('\n');
}

/** How many distinct activities the alerts are: alerts on the very same events count once. */
function activityCount(members: Alert[]): number {
  const keys = new Set<string>();
  let unique = 0;
  for (const alert of members) {
    const key = activityKey(alert);
    if (key === undefined) unique++;
    else keys.add(key);
  }
  return unique + keys.size;
}

/**
 * Links alerts that share entities within the window; an incident needs at least two alerts.
 * Alerts that all saw the same events are one activity seen by several rules: their incident is
 * titled so (the analyst triages them once), whatever tactics the rules name.
 */
export function buildIncidents(alerts: Alert[], options: IncidentOptions = {}): Incident[] {
  const windowMs = options.windowMs ?? 24 * 60 * 60 * 1000;
  const maxSpanMs = options.maxSpanMs ?? 7 * windowMs;
  const ignore = options.ignore ?? ((e: AlertEntity) => e.kind === 'cloud-account');
  const sorted = [...alerts].sort((a, b) => a.firstSeen.localeCompare(b.firstSeen));
  // Links hold within one set of cloud accounts: an incident never spans accounts, so a caller
  // limited to some accounts sees each of their incidents whole, and an alert raised in another
  // account (by whoever may send that account's events) cannot pull theirs out of view.
  const links = sorted.map((alert) => {
    const accounts = accountsOf(alert);
    const own = linksOf(alert, ignore);
    return accounts ? own.map((l) => ({ ...l, key: `${accounts}\u0000${l.key}` })) : own;
  });
  const parent = sorted.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));

  // Earliest first-seen of each group (at its root): an incident does not grow past maxSpanMs.
  const start = sorted.map((a) => Date.parse(a.firstSeen));
  const join = (i: number, previous: number | undefined): void => {
    if (previous === undefined) return;
    const alert = sorted[i];
    if (Date.parse(alert.firstSeen) - Date.parse(sorted[previous].lastSeen) > windowMs) return;
    const [a, b] = [find(i), find(previous)];
    if (a === b) return;
    const first = Math.min(start[a], start[b]);
    if (Date.parse(alert.lastSeen) - first > maxSpanMs) return;
    parent[a] = b;
    start[b] = first;
  };
  // By key: the last alert with it from inside, and the last one from outside (see Link).
  const lastInside = new Map<string, number>();
  const lastOutside = new Map<string, number>();
  sorted.forEach((_, i) => {
    for (const { key, outside } of links[i]) {
      join(i, lastInside.get(key));
      if (outside) {
        lastOutside.set(key, i);
      } else {
        join(i, lastOutside.get(key));
        lastInside.set(key, i);
      }
    }
  });

  const groups = new Map<number, number[]>();
  sorted.forEach((_, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), i]);
  });

  const incidents: Incident[] = [];
  for (const indexes of groups.values()) {
    const members = indexes.map((i) => sorted[i]);
    if (members.length < 2) continue;
    members.sort((a, b) => stage(a) - stage(b) || a.firstSeen.localeCompare(b.firstSeen));
    const worst = members.reduce(
      (w, a) => (rank(a.severity) > rank(w.severity) ? a : w),
      members[0],
    );
    // Alerts stored before their rule's tags were read as ATT&CK v19 may hold older names.
    const named = new Set(members.flatMap((a) => a.attack.tactics.map(canonicalTactic)));
    const tactics = KILL_CHAIN.filter((t) => named.has(t));
    const counts = new Map<string, { n: number; link: Link; inside: boolean }>();
    for (const i of indexes) {
      for (const link of links[i]) {
        const seen = counts.get(link.key);
        const inside = (seen?.inside ?? false) || link.outside !== true;
        counts.set(link.key, { n: (seen?.n ?? 0) + 1, link, inside });
      }
    }
    // What most of the alerts share first: the title names it.
    const byCount = [...counts.values()].filter(({ n }) => n > 1).sort((a, b) => b.n - a.n);
    const shared = byCount.map(({ link }) => link);
    // The shared entities first (they are what links the alerts), then the rest, capped.
    const all = dedupe(members.flatMap((a) => a.entities));
    const sharedKeys = new Set(shared.map(({ entity: e }) => `${e.kind}:${e.value}`));
    const entities = [
      ...all.filter((e) => sharedKeys.has(`${e.kind}:${e.value}`)),
      ...all.filter((e) => !sharedKeys.has(`${e.kind}:${e.value}`)),
    ].slice(0, MAX_INCIDENT_ENTITIES);
    const id = incidentIdOf(members);
    // Named only by outsiders' alerts, a host or local account is the place they hit (a brute
    // force lists every user name it tried): the title names it only when nothing else is shared.
    const titled = byCount.find(({ inside }) => inside)?.link ?? shared[0];
    const focus = titled?.label ?? entities[0]?.value ?? 'the estate';
    incidents.push({
      id,
      title: incidentTitle(members, tactics, focus),
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

/**
 * An incident's id: that of its earliest alert (first seen, then alert id), hashed. Alerts that
 * join later leave it as it is, so an incident keeps its id, status and timeline as it grows;
 * when two incidents merge, the one with the earliest alert keeps its id.
 */
export function incidentIdOf(members: readonly Alert[]): string {
  const earliest = members.reduce((e, a) =>
    a.firstSeen < e.firstSeen || (a.firstSeen === e.firstSeen && a.id < e.id) ? a : e,
  );
  return createHash('sha256').update(`incident\u0000${earliest.id}`).digest('hex').slice(0, 20);
}

/** Alerts by first seen, then id: the order that decides an incident's id. */
function byFirstSeen(a: Alert, b: Alert): number {
  if (a.firstSeen !== b.firstSeen) return a.firstSeen < b.firstSeen ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Gives incidents formed again the ids their alerts were stored under (`previousOf`: alert id ->
 * the incident id it had), so an incident keeps its id even once its earliest alert is no longer
 * among those it is formed from, and incidents stored under an older scheme keep theirs. An
 * incident takes the previous id of its earliest alert that has one; when two incidents merge,
 * that is the id of the one with the earliest alert. An id goes to one incident only: the one
 * with the earliest alert. Sets the new ids on the incidents and their alerts (`alerts`, by id).
 * Returns, for each previous id no incident keeps, the incident that holds its alerts now.
 *
 * ```ts
 * const merged = keepIncidentIds(buildIncidents(alerts), byId, (id) => stored.get(id));
 * ```
 */
export function keepIncidentIds(
  incidents: Incident[],
  alerts: ReadonlyMap<string, Alert>,
  previousOf: (alertId: string) => string | undefined,
): Map<string, string> {
  const members = new Map<Incident, Alert[]>();
  for (const incident of incidents) {
    const list = incident.alerts.flatMap((id) => alerts.get(id) ?? []);
    members.set(incident, list.sort(byFirstSeen));
  }
  const order = [...incidents].sort((a, b) => {
    const [x, y] = [members.get(a)![0], members.get(b)![0]];
    return x && y ? byFirstSeen(x, y) : 0;
  });

  const taken = new Set<string>();
  const kept = new Map<Incident, string>();
  for (const incident of order) {
    for (const alert of members.get(incident)!) {
      const previous = previousOf(alert.id);
      if (previous === undefined || taken.has(previous)) continue;
      taken.add(previous);
      kept.set(incident, previous);
      break;
    }
  }
  for (const incident of order) {
    if (kept.has(incident)) continue;
    // The fresh id is held by an incident that kept it as a previous id: fall back to one of all
    // the members.
    const id = taken.has(incident.id) ? membersId(incident.alerts) : incident.id;
    taken.add(id);
    kept.set(incident, id);
  }

  const merged = new Map<string, string>();
  for (const incident of incidents) {
    const id = kept.get(incident)!;
    incident.id = id;
    for (const alert of members.get(incident)!) {
      const previous = previousOf(alert.id);
      if (previous !== undefined && !taken.has(previous)) merged.set(previous, id);
      alert.incidentId = id;
    }
  }
  return merged;
}

function membersId(alertIds: readonly string[]): string {
  const joined = [...alertIds].sort().join('|');
  return createHash('sha256').update(joined).digest('hex').slice(0, 20);
}

/** `Multi-stage activity involving root on web1 (3 alerts)`, or what one activity's rules saw. */
function incidentTitle(members: Alert[], tactics: string[], focus: string): string {
  if (activityCount(members) === 1) {
    const events =
      members[0].eventCount === 1 ? 'One event' : `The same ${members[0].eventCount} events`;
    return `${events} involving ${focus}, seen by ${members.length} rules`;
  }
  const kind = tactics.length > 1 ? 'Multi-stage activity' : 'Related activity';
  return `${kind} involving ${focus} (${counted(members.length, 'alert')})`;
}

/**
 * One entity per kind and value, in first-seen order; one that an alert names with a role (the
 * account that logged in after a brute force) keeps it, though another alert of the incident
 * names it plainly (the brute force that guessed it).
 */
function dedupe(list: AlertEntity[]): AlertEntity[] {
  const seen = new Map<string, AlertEntity>();
  for (const e of list) {
    const key = `${e.kind}:${e.value}`;
    if (seen.get(key)?.role === undefined) seen.set(key, e);
  }
  return [...seen.values()];
}
