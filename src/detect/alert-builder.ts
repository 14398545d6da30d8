/**
 * Turns detection matches into alerts: severity, ATT&CK mapping from the rule's tags, entities
 * from the events' envelopes, bounded evidence, remediation. A match of the same rule on the same
 * entities within the dedup window updates the open alert instead of raising another.
 */

import { createHash } from 'node:crypto';
import type { Alert, AlertEntity, AlertRuleReference, AttackMapping } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';
import type { Severity } from '../model/rule.js';
import { TACTICS } from './attack-tactics.js';
import { remediationFor } from './remediation.js';

/** What any detection (Sigma rule, correlation, external finding) hands to the alert builder. */
export interface DetectionHit {
  rule: AlertRuleReference;
  title: string;
  description: string;
  severity: Severity;
  tags: string[];
  /** Events behind the hit (the completing one last). */
  events: LogEvent[];
  /** Extra entities the detection knows about (e.g. a correlation's group-by values). */
  entities?: AlertEntity[];
  falsePositives?: string[];
  remediation?: string[];
}

export interface AlertBuilderOptions {
  /** Matches of one rule on the same entities within this many ms fold into one alert. */
  dedupWindowMs?: number;
  /** Events kept as evidence per alert. */
  maxEvidence?: number;
}

const DEFAULT_DEDUP_MS = 60 * 60 * 1000;
const DEFAULT_MAX_EVIDENCE = 10;
/**
 * Event keys remembered per alert to avoid counting a re-sent event twice. Correlations re-send at
 * most their recent evidence, so a short memory suffices and memory stays flat on long streams.
 */
const MAX_SEEN_PER_ALERT = 1_024;
/** How often (in hits) open alerts past their dedup window are closed and forgotten. */
const SWEEP_EVERY = 5_000;
/** ATT&CK tactics and techniques from Sigma-style tags (`attack.t1110.001`, `attack.discovery`). */
export function attackFromTags(tags: string[]): AttackMapping {
  const tactics: string[] = [];
  const techniques: string[] = [];
  for (const raw of tags) {
    const tag = raw.toLowerCase();
    if (!tag.startsWith('attack.')) continue;
    const name = tag.slice('attack.'.length).replace(/_/g, '-');
    if (/^t\d{4}(\.\d{3})?$/.test(name)) techniques.push(name.toUpperCase());
    else if (TACTICS.has(name)) tactics.push(name);
  }
  return { tactics: [...new Set(tactics)], techniques: [...new Set(techniques)] };
}

/** Entities named by an event's envelope. */
export function entitiesOf(event: LogEvent): AlertEntity[] {
  const out: AlertEntity[] = [];
  if (event.actor) out.push({ kind: 'account', value: event.actor });
  if (event.sourceIp) out.push({ kind: 'ip', value: event.sourceIp });
  if (event.host) out.push({ kind: 'host', value: event.host });
  if (event.target) out.push({ kind: 'cloud-resource', value: event.target });
  if (event.account) out.push({ kind: 'cloud-account', value: event.account });
  return out;
}

function entityKey(e: AlertEntity): string {
  return `${e.kind}:${e.value}`;
}

/** A hit's own entities, then those of its events' envelopes. */
function hitEntities(own: AlertEntity[] | undefined, events: LogEvent[]): AlertEntity[] {
  const out = own ? [...own] : [];
  for (const e of events) for (const entity of entitiesOf(e)) out.push(entity);
  return out;
}

/**
 * Adds entities an open alert lacks, as `uniqueEntities([...alert.entities, ...more])` would:
 * the array is replaced only when something is new.
 */
function addEntities(alert: Alert, more: AlertEntity[]): void {
  const known = new Set(alert.entities.map(entityKey));
  if (more.every((e) => !e.value || known.has(entityKey(e)))) return;
  alert.entities = uniqueEntities([...alert.entities, ...more]);
}

function uniqueEntities(list: AlertEntity[]): AlertEntity[] {
  const seen = new Map<string, AlertEntity>();
  for (const e of list) if (e.value) seen.set(entityKey(e), e);
  return [...seen.values()];
}

/** The entities that identify "the same activity" for deduplication: who, from where, on what. */
function identityEntities(entities: AlertEntity[]): string {
  return entities
    .filter((e) => e.kind !== 'cloud-account')
    .map(entityKey)
    .sort()
    .join('|');
}

function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 20);
}

/**
 * Builds alerts from hits, folding duplicates.
 *
 * ```ts
 * const alerts = new AlertBuilder();
 * for (const hit of hits) alerts.add(hit);
 * const list = alerts.alerts();
 * ```
 */
export class AlertBuilder {
  readonly #dedupMs: number;
  readonly #maxEvidence: number;
  readonly #open = new Map<string, Alert>();
  /** Events already counted per alert, so a correlation firing again does not count twice. */
  readonly #seen = new Map<string, Set<string>>();
  readonly #all: Alert[] = [];

  constructor(options: AlertBuilderOptions = {}) {
    this.#dedupMs = options.dedupWindowMs ?? DEFAULT_DEDUP_MS;
    this.#maxEvidence = options.maxEvidence ?? DEFAULT_MAX_EVIDENCE;
  }

  #hits = 0;

  /** Adds one hit; returns the alert it created or updated. */
  add(hit: DetectionHit): Alert {
    if (++this.#hits % SWEEP_EVERY === 0) this.#sweep(hit.events[hit.events.length - 1]?.time);
    const events =
      hit.events.length > 1
        ? [...hit.events].sort((a, b) => a.time.localeCompare(b.time))
        : [...hit.events];
    const first = events[0]?.time ?? new Date(0).toISOString();
    const last = events[events.length - 1]?.time ?? first;
    const entities = uniqueEntities(hitEntities(hit.entities, events));
    const key = `${hit.rule.kind}:${hit.rule.id}|${identityEntities(hit.entities?.length ? hit.entities : entities)}`;

    const open = this.#open.get(key);
    if (open && Date.parse(first) - Date.parse(open.lastSeen) <= this.#dedupMs) {
      if (last > open.lastSeen) open.lastSeen = last;
      if (first < open.firstSeen) open.firstSeen = first;
      const fresh = this.#unseen(open.id, events);
      open.eventCount += fresh.length;
      for (const e of fresh) if (open.evidence.length < this.#maxEvidence) open.evidence.push(e);
      addEntities(open, entities);
      if (rank(hit.severity) > rank(open.severity)) open.severity = hit.severity;
      return open;
    }

    const attack = attackFromTags(hit.tags);
    const alert: Alert = {
      id: stableId(key, first),
      title: hit.title,
      description: hit.description,
      severity: hit.severity,
      status: 'active',
      attack,
      entities,
      firstSeen: first,
      lastSeen: last,
      eventCount: events.length,
      evidence: events.slice(0, this.#maxEvidence),
      remediation: hit.remediation?.length ? hit.remediation : remediationFor(attack, hit),
      rule: hit.rule,
      ...(hit.falsePositives?.length ? { falsePositives: hit.falsePositives } : {}),
    };
    this.#open.set(key, alert);
    this.#all.push(alert);
    this.#unseen(alert.id, events);
    return alert;
  }

  /** The events not yet counted for an alert (bounded memory: past the cap, all count). */
  #unseen(alertId: string, events: LogEvent[]): LogEvent[] {
    let seen = this.#seen.get(alertId);
    if (!seen) {
      seen = new Set();
      this.#seen.set(alertId, seen);
    }
    const fresh: LogEvent[] = [];
    for (const e of events) {
      const key = `${e.source.file ?? ''}:${e.source.line ?? ''}:${e.time}:${e.action ?? ''}`;
      if (seen.has(key)) continue;
      if (seen.size >= MAX_SEEN_PER_ALERT) seen.delete(seen.values().next().value as string);
      seen.add(key);
      fresh.push(e);
    }
    return fresh;
  }

  /** Forgets the state of alerts whose dedup window has passed: they can no longer grow. */
  #sweep(now: string | undefined): void {
    if (!now) return;
    const horizon = Date.parse(now) - this.#dedupMs;
    for (const [key, alert] of this.#open) {
      if (Date.parse(alert.lastSeen) >= horizon) continue;
      this.#open.delete(key);
      this.#seen.delete(alert.id);
    }
  }

  /** Every alert so far, in the order they were raised. */
  alerts(): Alert[] {
    return this.#all;
  }
}

const RANK: Record<Severity, number> = {
  informational: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** Orders severities: informational < low < medium < high < critical. */
export function rank(severity: Severity): number {
  return RANK[severity] ?? 0;
}
