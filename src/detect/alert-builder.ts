/**
 * Turns detection matches into alerts: severity, ATT&CK mapping from the rule's tags, entities
 * from the events' envelopes, bounded evidence, remediation. A match of the same rule on the same
 * entities in the same cloud account(s) within the dedup window updates the open alert instead of
 * raising another.
 */

import { createHash } from 'node:crypto';
import type { Alert, AlertEntity, AlertRuleReference, AttackMapping } from '../model/alert.js';
import type { LogEvent } from '../model/event.js';
import type { Severity } from '../model/rule.js';
import { canonicalTactic, TACTICS } from './attack-tactics.js';
import { techniqueTactics } from './attack-techniques.js';
import { recordId } from './event-identity.js';
import { eventTimeMs } from './event-time.js';
import { isHostLog } from './host-logs.js';
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
  /**
   * Extra entities the detection knows about (e.g. a correlation's group-by values). Not to be
   * changed once handed over: a group hands one array with all its hits, and an open alert
   * takes in an array it was handed last time without reading it again.
   */
  entities?: AlertEntity[];
  /**
   * The accounts the alert names, when the detection singles them out (the login that completed
   * a chain), marked `role: 'actor'`; the accounts its events name are then left to the
   * evidence. Absent: every account the events name.
   */
  accounts?: AlertEntity[];
  falsePositives?: string[];
  remediation?: string[];
}

export interface AlertBuilderOptions {
  /** Matches of one rule on the same entities within this many ms fold into one alert. */
  dedupWindowMs?: number;
  /** Events kept as evidence per alert. */
  maxEvidence?: number;
  /**
   * Receives each alert once it is final (its dedup window has passed, or `close` ended the
   * stream). With it the builder keeps no final alert, so memory stays flat on endless streams.
   */
  onAlert?: (alert: Alert) => void;
  /**
   * Streaming mode: each new alert as soon as it is raised, before it has grown (it reaches
   * `onAlert` again once final). A brute force then shows while `tail -f` is still feeding.
   */
  onRaise?: (alert: Alert) => void;
}

/** The dedup window unless `dedupWindowMs` says otherwise: one hour. */
export const DEFAULT_DEDUP_WINDOW_MS = 60 * 60 * 1000;
const DEFAULT_MAX_EVIDENCE = 10;
/**
 * Event keys remembered per alert to avoid counting a re-sent event twice. Correlations re-send at
 * most their recent evidence, so a short memory suffices and memory stays flat on long streams.
 */
const MAX_SEEN_PER_ALERT = 1_024;
/** Without `onAlert`: how often (in hits) open alerts past their dedup window are forgotten. */
const SWEEP_EVERY = 5_000;
/** Dedup keys remembered per rule (and rules remembered) before the memory starts afresh. */
const MAX_KEYS_PER_RULE = 10_000;
const MAX_KEYED_RULES = 1_000;

/**
 * ATT&CK tactics and techniques from Sigma-style tags (`attack.t1110.001`, `attack.discovery`),
 * tactics under their ATT&CK v19 names. A retired `defense-evasion` becomes whichever of its
 * successors (Stealth, Defense Impairment) the rule's techniques belong to, else Stealth.
 */
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
  const canonical = tactics.flatMap((t) =>
    t === 'defense-evasion' ? defenseEvasionSuccessors(techniques) : [canonicalTactic(t)],
  );
  return { tactics: [...new Set(canonical)], techniques: [...new Set(techniques)] };
}

/** The v19 tactics that took over Defense Evasion for these techniques (Stealth by default). */
function defenseEvasionSuccessors(techniques: string[]): string[] {
  const owned = new Set(techniques.flatMap(techniqueTactics));
  const successors = ['stealth', 'defense-impairment'].filter((t) => owned.has(t));
  return successors.length > 0 ? successors : [canonicalTactic('defense-evasion')];
}

/** Entities named by an event's envelope (its account left out when `actor` is false). */
export function entitiesOf(event: LogEvent, actor = true): AlertEntity[] {
  const out: AlertEntity[] = [];
  if (event.actor && actor) out.push({ kind: 'account', value: event.actor });
  if (event.sourceIp) out.push({ kind: 'ip', value: event.sourceIp });
  if (event.host) out.push({ kind: 'host', value: event.host });
  if (event.target) out.push({ kind: 'cloud-resource', value: event.target });
  if (event.process) out.push({ kind: 'process', value: event.process });
  if (event.filePath) out.push({ kind: 'file', value: event.filePath });
  if (event.account) out.push({ kind: 'cloud-account', value: event.account });
  return out;
}

function entityKey(e: AlertEntity): string {
  return `${e.kind}:${e.value}`;
}

/**
 * A hit's own entities, its singled-out accounts, then the entities of its events' envelopes
 * (their accounts only when the hit singles out none).
 */
function hitEntities(
  own: AlertEntity[] | undefined,
  events: LogEvent[],
  accounts?: AlertEntity[],
): AlertEntity[] {
  const out = own ? [...own] : [];
  if (accounts) out.push(...accounts);
  for (const e of events) for (const entity of entitiesOf(e, !accounts)) out.push(entity);
  return out;
}

function uniqueEntities(list: AlertEntity[]): AlertEntity[] {
  const seen = new Map<string, AlertEntity>();
  for (const e of list) if (e.value) seen.set(entityKey(e), e);
  return [...seen.values()];
}

/** The entities that identify "the same activity" for deduplication: who, from where, on what. */
function identityEntities(entities: AlertEntity[]): string {
  if (entities.length === 1) {
    const only = entities[0];
    return only.kind === 'cloud-account' ? '' : entityKey(only);
  }
  return entities
    .filter((e) => e.kind !== 'cloud-account')
    .map(entityKey)
    .sort()
    .join('|');
}

/**
 * Orders event times as `a.localeCompare(b)` does, without the collator in the common case: when
 * the first difference is a digit against a digit (two ISO times), the digits decide.
 */
function compareTimes(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i < n) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x >= 48 && x <= 57 && y >= 48 && y <= 57) return x - y;
  }
  return a.localeCompare(b);
}

function byTime(a: LogEvent, b: LogEvent): number {
  return compareTimes(a.time, b.time);
}

/** The hit's events in time order: the hit's own array when it already is (the usual case). */
function timeOrdered(events: LogEvent[]): LogEvent[] {
  for (let i = 1; i < events.length; i++) {
    if (compareTimes(events[i - 1].time, events[i].time) > 0) return [...events].sort(byTime);
  }
  return events;
}

/** The entity keys an open alert carries, by kind, so a repeat hit checks them without strings. */
type KnownEntities = Map<string, Set<string>>;

function knownEntities(entities: AlertEntity[]): KnownEntities {
  const known: KnownEntities = new Map();
  for (const e of entities) remember(known, e.kind, e.value);
  return known;
}

function remember(known: KnownEntities, kind: string, value: string): boolean {
  let values = known.get(kind);
  if (!values) known.set(kind, (values = new Set()));
  if (values.has(value)) return false;
  values.add(value);
  return true;
}

/** An alert still within its dedup window, with what a repeat hit needs to update it. */
interface OpenAlert {
  alert: Alert;
  lastSeenMs: number;
  known: KnownEntities;
  /**
   * The envelope values last looked up in `known` (hence in it), by kind: neighbouring events
   * mostly repeat them, and comparing is cheaper than a lookup.
   */
  recent: RecentEntities;
  /**
   * The hit entities last taken in (all of them now in `known`): a correlation's group hands the
   * same array with each of its hits, which then adds nothing.
   */
  own: AlertEntity[] | undefined;
  /** Events already counted, so a correlation firing again does not count them twice. */
  seen: SeenEvents;
  /** The cloud accounts of the hits the alert folds (`accountsOf`): only such hits join it. */
  accounts: string;
}

interface RecentEntities {
  account: string | undefined;
  ip: string | undefined;
  host: string | undefined;
  resource: string | undefined;
  cloudAccount: string | undefined;
}

/**
 * Keys of the events counted for an alert, the oldest forgotten past the cap. The ring keeps the
 * insertion order, so forgetting costs no walk over a set's deleted slots. Its entries live in
 * parallel arrays rather than an object each: they are long-lived, and the garbage collector
 * then has fewer young objects to move and fewer references to follow.
 */
interface SeenEvents {
  /** Events of other files, or without a line number: `file NUL line:time:action`. */
  keys: Set<string>;
  /**
   * Events of the alert's first file by line number: the ring index of each line's oldest
   * (time, action) pair, whose `next` leads to the later ones. No key string is built or hashed.
   */
  lines: Map<number, number>;
  /** The largest line number `lines` has held: a later line needs no lookup. */
  maxLine: number;
  /** Insertion order: a string key, or the line number of an entry of `lines`. */
  ring: (string | number)[];
  /** Per ring index of a line's entry: its time, action, and the next entry of the line (-1). */
  times: string[];
  actions: string[];
  next: number[];
  /** Index in `ring` of the oldest key once the ring is full. */
  oldest: number;
  /** File of the alert's first events: keys of events from it leave the path out. */
  file?: string;
}

function newSeen(): SeenEvents {
  return {
    keys: new Set(),
    lines: new Map(),
    maxLine: Number.NEGATIVE_INFINITY,
    ring: [],
    times: [],
    actions: [],
    next: [],
    oldest: 0,
  };
}

/**
 * `eventTimeMs`, remembering the last two texts: a hit's first and last times mostly repeat those
 * of the hit before (neighbouring events share their second).
 */
function parseTime(text: string): number {
  if (text === TIMES.a) return TIMES.aMs;
  if (text === TIMES.b) return TIMES.bMs;
  const ms = eventTimeMs(text);
  TIMES.b = TIMES.a;
  TIMES.bMs = TIMES.aMs;
  TIMES.a = text;
  TIMES.aMs = ms;
  return ms;
}

const TIMES = { a: '', aMs: Number.NaN, b: '', bMs: Number.NaN };

/**
 * Dedup keys of one rule's hits that name one entity (a correlation's group), by its value: a
 * repeat hit looks its key up by a string already hashed instead of building a new one.
 */
interface RuleKeys {
  kind: string;
  entityKind: string;
  keys: Map<string, string>;
}

/** The dedup key: the rule, then the entities that identify "the same activity". */
function dedupKey(rule: AlertRuleReference, entities: AlertEntity[]): string {
  return `${rule.kind}:${rule.id}|${identityEntities(entities)}`;
}

/**
 * The cloud accounts a hit's events come from, as one string: the account when they share one
 * (the usual case, read without sorting), '' when they name none, else the sorted accounts.
 */
function accountsOf(events: LogEvent[]): string {
  const one = events[0]?.account ?? '';
  let i = 1;
  while (i < events.length && (events[i].account ?? '') === one) i++;
  if (i === events.length) return one;
  const all = new Set<string>();
  for (const e of events) all.add(e.account ?? '');
  return [...all].sort().join(',');
}

/**
 * The log files of a hit whose events are host logs naming no host, as one string: each such file
 * stands for a host of its own, so `uid 998` or `/bin/ip` in two of them are two activities.
 * Undefined when an event names its host or is no host log.
 */
function unnamedHostFiles(events: LogEvent[]): string | undefined {
  // Most hits' events name their host: answered before a set is made for each hit.
  if (events.length === 0 || events[0].host !== undefined) return undefined;
  const files = new Set<string>();
  for (const e of events) {
    if (e.host !== undefined || !isHostLog(e.source)) return undefined;
    files.add(e.source.file ?? '');
  }
  return files.size < 2 ? [...files].join('') : [...files].sort().join(',');
}

/**
 * The dedup key of a hit whose cloud accounts differ from those of the alert open under `key`:
 * the accounts fold into it, so the hit raises (or grows) an alert of its own accounts, with an
 * id of its own. Alerts of one account keep the plain key, and with it the id they always had.
 */
function accountKey(key: string, accounts: string): string {
  return `${key}|cloud-accounts:${accounts}`;
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
  readonly #open = new Map<string, OpenAlert>();
  /** Events already counted per alert id (kept by id: an alert raised again reuses its set). */
  readonly #seen = new Map<string, SeenEvents>();
  readonly #all: Alert[] = [];
  /** The alerts of `#all` by id, with their cloud accounts (without `onAlert`). */
  readonly #listed = new Map<string, { alert: Alert; accounts: string }>();
  readonly #onAlert: ((alert: Alert) => void) | undefined;
  readonly #onRaise: ((alert: Alert) => void) | undefined;
  /** Rule id -> dedup keys of its single-entity hits. */
  readonly #keys = new Map<string, RuleKeys>();

  constructor(options: AlertBuilderOptions = {}) {
    this.#dedupMs = options.dedupWindowMs ?? DEFAULT_DEDUP_WINDOW_MS;
    this.#maxEvidence = options.maxEvidence ?? DEFAULT_MAX_EVIDENCE;
    this.#onAlert = options.onAlert;
    this.#onRaise = options.onRaise;
  }

  /** Latest event time seen (ms), and that time at the last sweep (streaming mode). */
  #now = Number.NEGATIVE_INFINITY;
  #sweptAt = Number.NEGATIVE_INFINITY;
  #hits = 0;

  /**
   * Moves the stream's clock (event time, ms) in streaming mode (with `onAlert`). Once per dedup
   * window of stream time, alerts quiet for two windows are closed (handed to `onAlert`) and
   * their state forgotten: what the builder holds is bounded by the alerts of the last few
   * windows however long the stream runs. The second window is slack for hits whose evidence
   * starts well before their last event; the stream should be roughly in time order.
   */
  advance(now: number): void {
    if (!this.#onAlert) return;
    if (now > this.#now) this.#now = now;
    if (!(this.#now - this.#sweptAt >= this.#dedupMs)) return;
    this.#sweptAt = this.#now;
    this.#sweep(this.#now - 2 * this.#dedupMs);
  }

  /** Adds one hit; returns the alert it created or updated. */
  add(hit: DetectionHit): Alert {
    // Without a stream consumer every alert is kept; only the per-alert event memory is swept now
    // and then (by hit count, so inputs out of time order fold as they always did).
    if (!this.#onAlert && ++this.#hits % SWEEP_EVERY === 0) {
      const now = hit.events[hit.events.length - 1]?.time;
      if (now) this.#sweep(eventTimeMs(now) - this.#dedupMs);
    }
    const events = timeOrdered(hit.events);
    const first = events[0]?.time ?? new Date(0).toISOString();
    const last = events[events.length - 1]?.time ?? first;
    // A hit that names its own entities (a correlation's group) is keyed by them alone.
    const own = hit.entities?.length ? hit.entities : undefined;
    const derived = own ? undefined : uniqueEntities(hitEntities(undefined, events, hit.accounts));
    let key =
      own?.length === 1 ? this.#keyOf(hit.rule, own[0]) : dedupKey(hit.rule, own ?? derived!);
    const logFiles = unnamedHostFiles(events);
    if (logFiles !== undefined) key = `${key}|log-files:${logFiles}`;
    const accounts = accountsOf(events);

    let slot = this.#open.get(key);
    // The same activity in another cloud account is another alert: joining this one would show
    // that account's events to whoever may see this alert's account, and let a sender scoped to
    // one account change an alert of another.
    if (slot && slot.accounts !== accounts && parseTime(first) - slot.lastSeenMs <= this.#dedupMs) {
      key = accountKey(key, accounts);
      slot = this.#open.get(key);
    }
    if (slot && parseTime(first) - slot.lastSeenMs <= this.#dedupMs) {
      this.#update(slot, hit, events, first, last, own);
      this.advance(slot.lastSeenMs);
      return slot.alert;
    }

    let id = stableId(key, first);
    // Without a stream consumer every alert stays listed: the same activity raised again after
    // its state was swept (input replayed out of time order) grows the alert listed under its id,
    // when it is of the same accounts.
    let listed = this.#onAlert ? undefined : this.#listed.get(id);
    if (listed && listed.accounts !== accounts) {
      key = accountKey(key, accounts);
      id = stableId(key, first);
      listed = this.#listed.get(id);
    }
    if (listed) return this.#reopen(key, listed.alert, accounts, hit, events, first, last, own);

    const entities = derived ?? uniqueEntities(hitEntities(own, events, hit.accounts));
    const attack = attackFromTags(hit.tags);
    const alert: Alert = {
      id,
      title: hit.title,
      description: hit.description,
      severity: hit.severity,
      status: 'active',
      attack,
      entities,
      firstSeen: first,
      lastSeen: last,
      // Counted as `#update` counts a repeat hit's events, once each: a line standing for
      // several occurrences (it may stand in a report more than once) counts each occurrence.
      eventCount: 0,
      evidence: [],
      remediation: hit.remediation?.length ? hit.remediation : remediationFor(attack, hit),
      rule: { ...hit.rule },
      ...(hit.falsePositives?.length ? { falsePositives: hit.falsePositives } : {}),
    };
    const opened = this.#slotFor(alert, accounts);
    if (slot && this.#onAlert) this.#close(key, slot);
    this.#open.set(key, opened);
    if (!this.#onAlert) {
      this.#all.push(alert);
      this.#listed.set(id, { alert, accounts });
    }
    alert.eventCount = unseen(opened.seen, events, alert.evidence, this.#maxEvidence);
    this.#onRaise?.(alert);
    this.advance(opened.lastSeenMs);
    return alert;
  }

  /** Opens a listed alert again under `key` and folds the hit into it. */
  #reopen(
    key: string,
    alert: Alert,
    accounts: string,
    hit: DetectionHit,
    events: LogEvent[],
    first: string,
    last: string,
    own: AlertEntity[] | undefined,
  ): Alert {
    const slot = this.#slotFor(alert, accounts);
    this.#open.set(key, slot);
    this.#update(slot, hit, events, first, last, own);
    this.advance(slot.lastSeenMs);
    return alert;
  }

  /** The open state of an alert of `accounts` (its event memory kept by id across reopenings). */
  #slotFor(alert: Alert, accounts: string): OpenAlert {
    let seen = this.#seen.get(alert.id);
    if (!seen) this.#seen.set(alert.id, (seen = newSeen()));
    return {
      alert,
      lastSeenMs: parseTime(alert.lastSeen),
      known: knownEntities(alert.entities),
      recent: {
        account: undefined,
        ip: undefined,
        host: undefined,
        resource: undefined,
        cloudAccount: undefined,
      },
      own: undefined,
      seen,
      accounts,
    };
  }

  /** `dedupKey(rule, [entity])`, remembered. */
  #keyOf(rule: AlertRuleReference, entity: AlertEntity): string {
    let known = this.#keys.get(rule.id);
    if (known?.kind !== rule.kind || known.entityKind !== entity.kind) {
      if (this.#keys.size >= MAX_KEYED_RULES) this.#keys.clear();
      known = { kind: rule.kind, entityKind: entity.kind, keys: new Map() };
      this.#keys.set(rule.id, known);
    }
    let key = known.keys.get(entity.value);
    if (key === undefined) {
      key = dedupKey(rule, [entity]);
      if (known.keys.size >= MAX_KEYS_PER_RULE) known.keys.clear();
      known.keys.set(entity.value, key);
    }
    return key;
  }

  /** Folds a repeat hit into its open alert: times, fresh events, new entities, severity. */
  #update(
    slot: OpenAlert,
    hit: DetectionHit,
    events: LogEvent[],
    first: string,
    last: string,
    own: AlertEntity[] | undefined,
  ): void {
    const open = slot.alert;
    if (last > open.lastSeen) {
      open.lastSeen = last;
      slot.lastSeenMs = parseTime(last);
    }
    if (first < open.firstSeen) open.firstSeen = first;
    open.eventCount += unseen(slot.seen, events, open.evidence, this.#maxEvidence);
    addEntities(slot, own, events, hit.accounts);
    if (rank(hit.severity) > rank(open.severity)) open.severity = hit.severity;
  }

  /** Forgets the state of alerts whose dedup window has passed: they can no longer grow. */
  #sweep(horizon: number): void {
    for (const [key, slot] of this.#open) {
      if (slot.lastSeenMs >= horizon) continue;
      this.#close(key, slot);
    }
  }

  /** An alert that can no longer grow: handed on (streaming) and its state dropped. */
  #close(key: string, slot: OpenAlert): void {
    this.#open.delete(key);
    this.#seen.delete(slot.alert.id);
    this.#onAlert?.(slot.alert);
  }

  /** Ends the stream: hands every alert still open to `onAlert` (when there is one). */
  close(): void {
    const onAlert = this.#onAlert;
    if (!onAlert) return;
    for (const slot of this.#open.values()) onAlert(slot.alert);
    this.#open.clear();
    this.#seen.clear();
  }

  /** Alerts still open (within their dedup window), for memory checks. */
  get openAlerts(): number {
    return this.#open.size;
  }

  /** Every alert so far, in the order they were raised (none when `onAlert` takes them). */
  alerts(): Alert[] {
    return this.#all;
  }
}

/**
 * Counts the events not yet counted for an alert and remembers them, appending fresh ones to
 * `evidence` up to `max` (bounded memory: past the cap, the oldest keys are forgotten).
 */
function unseen(
  seen: SeenEvents,
  events: LogEvent[],
  evidence: LogEvent[] | undefined,
  max: number,
): number {
  const { lines, times, actions, next } = seen;
  let fresh = 0;
  seen.file ??= events[0]?.source.file ?? '';
  for (const e of events) {
    const file = e.source.file ?? '';
    const line = e.source.line;
    const action = e.action ?? '';
    // A record with its own id is that id wherever it came from (a retry, another file).
    const id = recordKey(e);
    if (id !== undefined) {
      if (!rememberKey(seen, id)) continue;
    } else if (file === seen.file && typeof line === 'number' && Number.isInteger(line)) {
      // The alert's own file: by line number, then time and action (one line, one key).
      let tail = -1;
      if (line <= seen.maxLine) {
        let known = false;
        for (let at = lines.get(line) ?? -1; at >= 0; at = next[at]) {
          if (times[at] === e.time && actions[at] === action) {
            known = true;
            break;
          }
          tail = at;
        }
        if (known) continue;
      } else seen.maxLine = line;
      const at = claim(seen);
      // The line's only entry may have been the oldest, just forgotten.
      if (tail === at) tail = -1;
      seen.ring[at] = line;
      times[at] = e.time;
      actions[at] = action;
      next[at] = -1;
      if (tail >= 0) next[tail] = at;
      else lines.set(line, at);
    } else {
      // Another file's keys carry its path (after a NUL, which no line number or time holds).
      const key =
        file === seen.file
          ? `${line ?? ''}:${e.time}:${action}`
          : `${file}\u0000${line ?? ''}:${e.time}:${action}`;
      if (!rememberKey(seen, key)) continue;
    }
    // A line standing for several occurrences counts each.
    fresh += e.occurrences ?? 1;
    if (evidence && evidence.length < max) evidence.push(e);
  }
  return fresh;
}

/** Remembers a string key; false when it was known already. */
function rememberKey(seen: SeenEvents, key: string): boolean {
  if (seen.keys.has(key)) return false;
  seen.keys.add(key);
  const at = claim(seen);
  seen.ring[at] = key;
  seen.times[at] = '';
  seen.actions[at] = '';
  seen.next[at] = -1;
  return true;
}

/** `recordId` as a seen key: a leading SOH keeps it apart from the line and path keys. */
function recordKey(event: LogEvent): string | undefined {
  const id = recordId(event);
  return id === undefined ? undefined : `\u0001${id}`;
}

/** The ring index for a new key: the next free one, or the oldest's, forgotten first. */
function claim(seen: SeenEvents): number {
  const ring = seen.ring;
  if (ring.length < MAX_SEEN_PER_ALERT) return ring.length;
  const at = seen.oldest;
  seen.oldest = (at + 1) % MAX_SEEN_PER_ALERT;
  const slot = ring[at];
  if (typeof slot === 'string') {
    seen.keys.delete(slot);
    return at;
  }
  // A line's entries join the ring in their order, so the oldest is its line's first entry.
  const later = seen.next[at];
  if (later >= 0) seen.lines.set(slot, later);
  else seen.lines.delete(slot);
  return at;
}

/**
 * Adds the entities an open alert lacks (the hit's own, then its events' envelopes), as
 * `uniqueEntities([...alert.entities, ...more])` would: the array is replaced only when something
 * is new.
 */
/**
 * Entities one alert lists at most. A spray across thousands of user names is still one alert;
 * its evidence and count tell the size, and the list stays small enough to store and show.
 */
export const MAX_ALERT_ENTITIES = 50;

function addEntities(
  slot: OpenAlert,
  own: AlertEntity[] | undefined,
  events: LogEvent[],
  accounts: AlertEntity[] | undefined,
): void {
  if (slot.alert.entities.length >= MAX_ALERT_ENTITIES) return;
  const known = slot.known;
  let added: AlertEntity[] | undefined;
  if (own && own !== slot.own) {
    for (const e of own) if (e.value && remember(known, e.kind, e.value)) (added ??= []).push(e);
    slot.own = own;
  }
  for (const e of accounts ?? []) {
    if (e.value && remember(known, e.kind, e.value)) (added ??= []).push(e);
  }
  // A value equal to the last one looked up for its kind is known already.
  const recent = slot.recent;
  for (const e of events) {
    const { actor, sourceIp, host, target, account } = e;
    // Singled-out accounts stand for the hit's: its events' other accounts are evidence only.
    if (actor && !accounts && actor !== recent.account) {
      recent.account = actor;
      if (remember(known, 'account', actor)) (added ??= []).push({ kind: 'account', value: actor });
    }
    if (sourceIp && sourceIp !== recent.ip) {
      recent.ip = sourceIp;
      if (remember(known, 'ip', sourceIp)) (added ??= []).push({ kind: 'ip', value: sourceIp });
    }
    if (host && host !== recent.host) {
      recent.host = host;
      if (remember(known, 'host', host)) (added ??= []).push({ kind: 'host', value: host });
    }
    if (target && target !== recent.resource) {
      recent.resource = target;
      if (remember(known, 'cloud-resource', target)) {
        (added ??= []).push({ kind: 'cloud-resource', value: target });
      }
    }
    if (account && account !== recent.cloudAccount) {
      recent.cloudAccount = account;
      if (remember(known, 'cloud-account', account)) {
        (added ??= []).push({ kind: 'cloud-account', value: account });
      }
    }
  }
  if (!added) return;
  const room = MAX_ALERT_ENTITIES - slot.alert.entities.length;
  slot.alert.entities = [...slot.alert.entities, ...added.slice(0, room)];
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
