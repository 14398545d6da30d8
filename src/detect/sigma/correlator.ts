/**
 * Streaming Sigma correlation (event_count, value_count, temporal, temporal_ordered) over rule
 * matches fed in time order. Memory is bounded: windows older than the timespan are evicted and
 * each correlation keeps at most a fixed number of groups (least recently updated go first).
 */

import type { LogEvent } from '../../model/event.js';
import { compileFieldPath, scalarText, type FieldGetter } from './field-path.js';
import type { SigmaCorrelationRule, SigmaCountCondition, SigmaMatch, SigmaRule } from './types.js';

/** A rule match as the correlator sees it. */
export interface CorrelationHit {
  rule: SigmaRule;
  event: LogEvent;
  time: number;
  /** Evidence carried by a chained correlation match. */
  events: LogEvent[];
  /** Group values of a chained correlation match. */
  group?: Record<string, string>;
}

interface Member {
  time: number;
  /** Time of `event` itself (a chained match arrives later than its evidence). */
  eventTime: number;
  event: LogEvent;
  ruleId: string;
  value?: string;
}

interface GroupState {
  values: Record<string, string>;
  members: Member[];
  /** temporal_ordered: latest start time of a chain ending at each step, and its evidence. */
  starts?: (number | undefined)[];
  chains?: LogEvent[][];
  windowStart: number;
  lastTime: number;
}

interface CorrelationState {
  rule: SigmaCorrelationRule;
  /** Positions of each referenced rule (by id) in `rule.rules`. */
  positions: Map<string, number[]>;
  groups: Map<string, GroupState>;
  /** Fires as soon as the condition holds (no upper bound), else when a window closes. */
  eager: boolean;
  /** The rule's metadata as its matches carry it (built once). */
  meta: SigmaMatch['rule'];
  /** Key of the group last (re)inserted into `groups`, i.e. the last in its order. */
  newest?: string;
  /**
   * An earlier correlation with the same definition (type, rules, group-by, timespan, condition,
   * fields): this one keeps no windows of its own and repeats that one's matches under its own
   * metadata, so a rule written twice (once to alert, once as a chain's step) costs one.
   */
  twinOf?: CorrelationState;
  /** True when a later correlation is this one's twin. */
  hasTwins?: boolean;
}

/** Options bounding correlator memory. */
export interface CorrelatorOptions {
  maxGroupsPerCorrelation?: number;
  maxEvidence?: number;
}

const DEFAULT_MAX_GROUPS = 100_000;
const DEFAULT_MAX_EVIDENCE = 10;
const MAX_MEMBERS = 50_000;

/** True when `count` satisfies every bound of the condition. */
export function countSatisfies(count: number, c: SigmaCountCondition): boolean {
  if (c.gt !== undefined && !(count > c.gt)) return false;
  if (c.gte !== undefined && !(count >= c.gte)) return false;
  if (c.lt !== undefined && !(count < c.lt)) return false;
  if (c.lte !== undefined && !(count <= c.lte)) return false;
  if (c.eq !== undefined && count !== c.eq) return false;
  if (c.neq !== undefined && count === c.neq) return false;
  return true;
}

function isEager(rule: SigmaCorrelationRule): boolean {
  if (rule.type === 'temporal_ordered') return true;
  const c = rule.condition;
  if (!c) return true;
  return c.lt === undefined && c.lte === undefined && c.eq === undefined && c.neq === undefined;
}

/**
 * Correlates matches of referenced rules.
 *
 * ```ts
 * const correlator = new SigmaCorrelator(correlationRules, rulesByRef);
 * correlator.feed({ rule, event, time: Date.parse(event.time), events: [event] });
 * ```
 */
export class SigmaCorrelator {
  readonly #states: CorrelationState[] = [];
  /** Rule id -> correlations that consume its matches. */
  readonly #consumers = new Map<string, CorrelationState[]>();
  readonly #getters = new Map<string, FieldGetter>();
  readonly #maxGroups: number;
  readonly #maxEvidence: number;
  #now = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;
  #sweepEvery = Number.POSITIVE_INFINITY;

  constructor(
    rules: SigmaCorrelationRule[],
    byRef: Map<string, SigmaRule>,
    options: CorrelatorOptions = {},
  ) {
    this.#maxGroups = options.maxGroupsPerCorrelation ?? DEFAULT_MAX_GROUPS;
    this.#maxEvidence = options.maxEvidence ?? DEFAULT_MAX_EVIDENCE;
    const bySignature = new Map<string, CorrelationState>();
    for (const rule of rules) {
      const positions = new Map<string, number[]>();
      rule.rules.forEach((ref, i) => {
        const target = byRef.get(ref);
        if (!target) return;
        positions.set(target.id, [...(positions.get(target.id) ?? []), i]);
      });
      const { kind: _kind, ...rest } = rule;
      const meta: SigmaMatch['rule'] = { ...metaOf(rest), kind: 'correlation' };
      const eager = isEager(rule);
      const state: CorrelationState = { rule, positions, groups: new Map(), eager, meta };
      const signature = definitionSignature(rule, byRef);
      const twin = bySignature.get(signature);
      if (twin) {
        state.twinOf = twin;
        twin.hasTwins = true;
      } else bySignature.set(signature, state);
      this.#states.push(state);
      for (const id of positions.keys())
        this.#consumers.set(id, [...(this.#consumers.get(id) ?? []), state]);
      this.#sweepEvery = Math.min(this.#sweepEvery, rule.timespanMs);
    }
  }

  /** True when some correlation consumes matches of the rule with this id. */
  consumes(ruleId: string): boolean {
    return this.#consumers.has(ruleId);
  }

  /** Feeds one rule match; returns correlation matches it completes (chains followed). */
  feed(hit: CorrelationHit): SigmaMatch[] {
    const out: SigmaMatch[] = [];
    this.feedInto(hit, out);
    return out;
  }

  /** `feed`, appending the matches to `out` (no array per hit). */
  feedInto(hit: CorrelationHit, out: SigmaMatch[]): void {
    if (!Number.isFinite(hit.time)) return;
    this.#advance(hit.time, out);
    this.#feedOne(hit, out);
  }

  /** Moves the clock without a match (so idle windows close); returns matches they yield. */
  advance(time: number): SigmaMatch[] {
    const out: SigmaMatch[] = [];
    this.advanceInto(time, out);
    return out;
  }

  /** `advance`, appending the matches to `out`. */
  advanceInto(time: number, out: SigmaMatch[]): void {
    if (Number.isFinite(time)) this.#advance(time, out);
  }

  /** Closes every open window (end of stream). */
  flush(): SigmaMatch[] {
    const out: SigmaMatch[] = [];
    this.#eachState(this.#states, out, (state) => {
      for (const [key, group] of state.groups) {
        state.groups.delete(key);
        if (!state.eager) this.#closeWindow(state, group, out);
      }
    });
    return out;
  }

  /**
   * Runs `step` for each correlation in order; a twin instead repeats the matches its original
   * produced in this pass.
   */
  #eachState(
    states: CorrelationState[],
    out: SigmaMatch[],
    step: (state: CorrelationState) => void,
  ): void {
    let produced: Map<CorrelationState, SigmaMatch[]> | undefined;
    for (const state of states) {
      const from = out.length;
      if (state.twinOf) {
        const theirs = produced?.get(state.twinOf);
        if (theirs) for (const m of theirs) out.push(twinMatch(state, m));
      } else {
        step(state);
        if (state.hasTwins && out.length > from) {
          (produced ??= new Map()).set(state, out.slice(from));
        }
      }
    }
  }

  /** Groups held across all correlations (for memory checks). */
  get groupCount(): number {
    return this.#states.reduce((n, s) => n + s.groups.size, 0);
  }

  #advance(time: number, out: SigmaMatch[]): void {
    if (time > this.#now) this.#now = time;
    if (this.#now - this.#lastSweep < this.#sweepEvery) return;
    this.#lastSweep = this.#now;
    this.#eachState(this.#states, out, (state) => this.#sweep(state, out));
  }

  #sweep(state: CorrelationState, out: SigmaMatch[]): void {
    const span = state.rule.timespanMs;
    for (const [key, group] of state.groups) {
      const expired = state.eager
        ? group.lastTime < this.#now - span
        : group.windowStart + span < this.#now;
      if (!expired) continue;
      state.groups.delete(key);
      if (!state.eager) this.#closeWindow(state, group, out);
    }
  }

  #feedOne(hit: CorrelationHit, out: SigmaMatch[]): void {
    const states = this.#consumers.get(hit.rule.id);
    if (!states) return;
    // As #eachState, inlined: this runs for every match a correlation consumes.
    let produced: Map<CorrelationState, SigmaMatch[]> | undefined;
    for (const state of states) {
      const from = out.length;
      if (state.twinOf) {
        const theirs = produced?.get(state.twinOf);
        if (theirs) for (const m of theirs) out.push(twinMatch(state, m));
      } else {
        this.#apply(state, hit, out);
        if (state.hasTwins && out.length > from) {
          (produced ??= new Map()).set(state, out.slice(from));
        }
      }
      // Matches this correlation completed feed the correlations that consume it in turn.
      for (let i = from, end = out.length; i < end; i++) {
        const match = out[i];
        const chained: CorrelationHit = {
          rule: state.rule,
          event: match.event,
          time: hit.time,
          events: match.events,
          group: match.correlation?.group,
        };
        this.#feedOne(chained, out);
      }
    }
  }

  #getter(field: string): FieldGetter {
    let getter = this.#getters.get(field);
    if (!getter) {
      getter = compileFieldPath(field);
      this.#getters.set(field, getter);
    }
    return getter;
  }

  #fieldValue(hit: CorrelationHit, field: string): string {
    if (hit.group && hit.group[field] !== undefined) return hit.group[field];
    const raw = this.#getter(field)(hit.event.fields ?? {});
    const first = Array.isArray(raw) ? raw[0] : raw;
    return scalarText(first) ?? '';
  }

  /** The field a group-by name reads in the hit's rule (through the correlation's aliases). */
  #groupField(state: CorrelationState, hit: CorrelationHit, field: string): string {
    const alias = state.rule.aliases[field];
    return alias ? (alias[hit.rule.name ?? ''] ?? alias[hit.rule.id] ?? field) : field;
  }

  #groupValues(state: CorrelationState, hit: CorrelationHit): Record<string, string> {
    const values: Record<string, string> = {};
    for (const field of state.rule.groupBy) {
      values[field] = this.#fieldValue(hit, this.#groupField(state, hit, field));
    }
    return values;
  }

  /**
   * Adds one hit to its group; appends to `out` the match it completes, if any (at most one: an
   * eager correlation never closes windows here, a windowed one only closes the previous one).
   */
  #apply(state: CorrelationState, hit: CorrelationHit, out: SigmaMatch[]): void {
    const groupBy = state.rule.groupBy;
    // One group-by field (the usual case) is its own key; several are joined unambiguously.
    let values: Record<string, string> | undefined;
    let key: string;
    if (groupBy.length === 1) {
      key = this.#fieldValue(hit, this.#groupField(state, hit, groupBy[0]));
    } else {
      values = this.#groupValues(state, hit);
      key = JSON.stringify(groupBy.map((f) => values![f]));
    }
    let group = state.groups.get(key);

    if (group && !state.eager && hit.time > group.windowStart + state.rule.timespanMs) {
      state.groups.delete(key);
      this.#closeWindow(state, group, out);
      group = undefined;
    }
    if (!group) {
      if (!values) {
        values = {};
        values[groupBy[0]] = key;
      }
      group = this.#startGroup(state, key, values, hit);
    } else if (key !== state.newest) {
      // Most recently updated last (eviction takes the front); the newest group stays put.
      state.groups.delete(key);
      state.groups.set(key, group);
      state.newest = key;
    }
    group.lastTime = hit.time;

    if (state.rule.type === 'temporal_ordered') {
      const ordered = this.#ordered(state, key, group, hit);
      if (ordered) out.push(ordered);
      return;
    }
    this.#addMember(state, group, hit);
    if (!state.eager) return;

    const count = this.#count(state, group);
    if (!this.#eagerSatisfied(state, count)) return;
    state.groups.delete(key);
    out.push(this.#match(state, group, count));
  }

  #startGroup(
    state: CorrelationState,
    key: string,
    values: Record<string, string>,
    hit: CorrelationHit,
  ): GroupState {
    if (state.groups.size >= this.#maxGroups) {
      const oldest = state.groups.keys().next().value;
      if (oldest !== undefined) state.groups.delete(oldest);
    }
    const group: GroupState = { values, members: [], windowStart: hit.time, lastTime: hit.time };
    state.newest = key;
    if (state.rule.type !== 'temporal_ordered') {
      state.groups.set(key, group);
      return group;
    }
    group.starts = new Array(state.rule.rules.length).fill(undefined);
    group.chains = state.rule.rules.map(() => []);
    state.groups.set(key, group);
    return group;
  }

  #addMember(state: CorrelationState, group: GroupState, hit: CorrelationHit): void {
    const rule = state.rule;
    const members = group.members;
    // A direct match's time is its event's; a chained one (with group values) may be later.
    const eventTime = hit.group ? Date.parse(hit.event.time) : hit.time;
    const member: Member = { time: hit.time, eventTime, event: hit.event, ruleId: hit.rule.id };
    if (rule.type === 'value_count') {
      const fields = rule.valueFields;
      // One field's text is its own identity; several are joined unambiguously.
      member.value =
        fields.length === 1
          ? this.#fieldValue(hit, fields[0])
          : JSON.stringify(fields.map((f) => this.#fieldValue(hit, f)));
    }
    if (state.eager) {
      const from = hit.time - rule.timespanMs;
      let drop = 0;
      while (drop < members.length && members[drop].time < from) drop++;
      if (drop > 0) members.splice(0, drop);
    }
    // temporal and value_count only need the latest member per rule or value: older ones of the
    // same kind are dropped, which keeps the list time-ordered and as short as the distinct count.
    if (rule.type === 'temporal' || rule.type === 'value_count') {
      const byRule = rule.type === 'temporal';
      for (let i = 0; i < members.length; i++) {
        const same = byRule
          ? members[i].ruleId === member.ruleId
          : members[i].value === member.value;
        if (!same) continue;
        members.splice(i, 1);
        break;
      }
    }
    members.push(member);
    // Known gap: a window keeps at most MAX_MEMBERS entries; counts above that (a threshold of
    // gte: 1000000 events) are capped, so such a condition can never be met.
    if (members.length > MAX_MEMBERS) members.shift();
  }

  /**
   * The correlation's count. Members are distinct by rule (temporal) or value (value_count), as
   * `#addMember` drops older ones of the same kind, so every type counts its members.
   */
  #count(_state: CorrelationState, group: GroupState): number {
    return group.members.length;
  }

  #eagerSatisfied(state: CorrelationState, count: number): boolean {
    const rule = state.rule;
    if (rule.type === 'temporal' && !rule.condition) return count >= state.positions.size;
    return rule.condition ? countSatisfies(count, rule.condition) : false;
  }

  #closeWindow(state: CorrelationState, group: GroupState, out: SigmaMatch[]): void {
    const count = this.#count(state, group);
    const condition = state.rule.condition;
    if (condition && countSatisfies(count, condition)) out.push(this.#match(state, group, count));
  }

  #ordered(
    state: CorrelationState,
    key: string,
    group: GroupState,
    hit: CorrelationHit,
  ): SigmaMatch | undefined {
    const starts = group.starts!;
    const chains = group.chains!;
    const span = state.rule.timespanMs;
    const steps = [...(state.positions.get(hit.rule.id) ?? [])].sort((a, b) => b - a);
    const evidence = hit.events.length > 0 ? hit.events : [hit.event];

    for (const step of steps) {
      if (step === 0) {
        starts[0] = hit.time;
        chains[0] = evidence.slice(-this.#maxEvidence);
        continue;
      }
      const start = starts[step - 1];
      if (start === undefined || hit.time - start > span) continue;
      if (starts[step] === undefined || start >= starts[step]!) {
        starts[step] = start;
        chains[step] = [...chains[step - 1], ...evidence].slice(-this.#maxEvidence);
      }
    }

    const last = starts.length - 1;
    if (starts[last] === undefined) return undefined;
    state.groups.delete(key);
    const events = chains[last];
    const firstSeen = starts[last]!;
    return this.#build(
      state,
      group,
      state.rule.rules.length,
      events,
      firstSeen,
      hit.time,
      state.rule.rules,
    );
  }

  #match(state: CorrelationState, group: GroupState, count: number): SigmaMatch {
    const members = group.members;
    const evidence = members.slice(-this.#maxEvidence);
    const events = evidence.map((m) => m.event);
    const ruleIds = [...new Set(members.map((m) => m.ruleId))];
    let first = members[0]?.time ?? group.windowStart;
    for (const m of evidence) if (m.eventTime < first) first = m.eventTime;
    return this.#build(state, group, count, events, first, group.lastTime, ruleIds, false);
  }

  #build(
    state: CorrelationState,
    group: GroupState,
    count: number,
    events: LogEvent[],
    first: number,
    last: number,
    ruleIds: string[],
    scanEvidence = true,
  ): SigmaMatch {
    const { rule } = state;
    // Chained matches arrive at their completion time; the evidence tells when the story began.
    if (scanEvidence) {
      for (const e of events) {
        const t = Date.parse(e.time);
        if (t < first) first = t;
      }
    }
    return {
      rule: { ...state.meta },
      event: events[events.length - 1],
      events,
      correlation: {
        type: rule.type,
        group: group.values,
        count,
        firstSeen: isoOf(first),
        lastSeen: isoOf(last),
        rules: ruleIds,
      },
    };
  }
}

/**
 * `new Date(ms).toISOString()`, remembering the last two: a group's matches mostly repeat the
 * times of the one before (a window's events share their seconds), and formatting costs ~1 us.
 */
function isoOf(ms: number): string {
  if (ms === ISO.a) return ISO.aText;
  if (ms === ISO.b) return ISO.bText;
  const text = new Date(ms).toISOString();
  ISO.b = ISO.a;
  ISO.bText = ISO.aText;
  ISO.a = ms;
  ISO.aText = text;
  return text;
}

const ISO = { a: Number.NaN, aText: '', b: Number.NaN, bText: '' };

/** A twin correlation's copy of its original's match: same windows, its own metadata. */
function twinMatch(state: CorrelationState, match: SigmaMatch): SigmaMatch {
  return {
    rule: { ...state.meta },
    event: match.event,
    events: match.events,
    correlation: match.correlation ? { ...match.correlation } : undefined,
  };
}

/** What decides a correlation's windows and verdicts; equal signatures mean equal matches. */
function definitionSignature(rule: SigmaCorrelationRule, byRef: Map<string, SigmaRule>): string {
  return JSON.stringify([
    rule.type,
    rule.rules.map((ref) => byRef.get(ref)?.id ?? ref),
    rule.groupBy,
    rule.timespanMs,
    rule.condition ?? null,
    rule.valueFields,
    rule.aliases,
  ]);
}

function metaOf(rule: Omit<SigmaCorrelationRule, 'kind'>): Omit<SigmaMatch['rule'], 'kind'> {
  const {
    type: _t,
    rules: _r,
    groupBy: _g,
    timespan: _ts,
    timespanMs: _tm,
    condition: _c,
    valueFields: _v,
    aliases: _a,
    generate: _gen,
    ...meta
  } = rule;
  return meta;
}
