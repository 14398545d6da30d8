/**
 * Streaming Sigma correlation (event_count, value_count, temporal, temporal_ordered) over rule
 * matches fed in time order. Memory is bounded: windows older than the timespan are evicted and
 * each correlation keeps at most a fixed number of groups (least recently updated go first).
 *
 * A count (event_count, value_count) with only lower bounds slides: "at least N within the
 * timespan" holds at every hit whose timespan before it holds N, so each such hit is reported.
 * The first report of a run carries the window's events; each later one only the events not yet
 * reported (one, usually), which the alert builder adds to the alert once. A count with an upper
 * bound is judged per window, when the window closes.
 */

import type { LogEvent } from '../../model/event.js';
import { eventTimeMs } from '../event-time.js';
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
  /**
   * A chained match that continues a sliding count's run (not its first report): an event_count
   * consuming it counts runs, not their hits, so it skips this one.
   */
  continued?: boolean;
}

/** One hit as a window holds it; the correlations fed the same hit share one. */
interface Member {
  time: number;
  /** Time of `event` itself (a chained match arrives later than its evidence). */
  eventTime: number;
  event: LogEvent;
  ruleId: string;
}

interface GroupState {
  key: string;
  values: Record<string, string>;
  members: Member[];
  /** value_count: the value each member counts, beside it. */
  counted: string[] | undefined;
  /** temporal_ordered: latest start time of a chain ending at each step, and its evidence. */
  starts: (number | undefined)[] | undefined;
  chains: LogEvent[][] | undefined;
  windowStart: number;
  lastTime: number;
  /** Sliding counts: members at the end of `members` not yet reported. */
  fresh: number;
  /** Sliding counts: the condition held at the last hit (a run is going on). */
  holding: boolean;
  /** Sliding counts: the last report started its run. */
  onset: boolean;
  /**
   * Sliding event_count: the times of the hits within the timespan, from `head` on (`members`
   * keeps only the latest `keep` of them: enough to judge the condition and show evidence).
   */
  times: number[] | undefined;
  head: number;
  /** Neighbours in the correlation's recency list (updated least recently towards `oldest`). */
  older: GroupState | undefined;
  newer: GroupState | undefined;
}

interface CorrelationState {
  rule: SigmaCorrelationRule;
  /** Positions of each referenced rule (by id) in `rule.rules`. */
  positions: Map<string, number[]>;
  /** Groups by key, for lookup; their order is the recency list from `oldest` to `newest`. */
  groups: Map<string, GroupState>;
  oldest: GroupState | undefined;
  newest: GroupState | undefined;
  /** Fires as soon as the condition holds (no upper bound), else when a window closes. */
  eager: boolean;
  /** An eager event_count or value_count: its window slides, reporting every hit past the bar. */
  sliding: boolean;
  /** Sliding event_count: members kept per group (the bar, and at least the evidence cap). */
  keep: number;
  /** The rule's metadata as its matches carry it (built once, shared by them, frozen). */
  meta: SigmaMatch['rule'];
  /** Getters of the value_count fields, in `rule.valueFields` order. */
  valueGetters: FieldGetter[];
  /** Correlations that consume this one's matches (none: its matches feed nothing). */
  feeds: Consumer[] | undefined;
  /**
   * An earlier correlation with the same definition (type, rules, group-by, timespan, condition,
   * fields): this one keeps no windows of its own and repeats that one's matches under its own
   * metadata, so a rule written twice (once to alert, once as a chain's step) costs one.
   */
  twinOf?: CorrelationState;
  /** True when a later correlation is this one's twin. */
  hasTwins?: boolean;
}

/**
 * One correlation as a consumer of one referenced rule: what it reads from that rule's matches,
 * resolved once (group-by fields through the correlation's aliases, their getters).
 */
interface Consumer {
  state: CorrelationState;
  /** For a twin: the index of its original in the same consumer list; else -1. */
  original: number;
  /** The rule the fields below were resolved for (a match of another object resolves again). */
  rule: SigmaRule | undefined;
  /** The field each group-by name reads in the rule's matches, and its getter. */
  fields: string[];
  getters: FieldGetter[];
  /** temporal_ordered: the rule's positions in the chain, latest first. */
  steps: number[];
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

/** The least count a condition with only lower bounds accepts. */
function barOf(condition: SigmaCountCondition | undefined): number {
  if (!condition) return 0;
  const gte = condition.gte ?? Number.NEGATIVE_INFINITY;
  const gt = condition.gt === undefined ? Number.NEGATIVE_INFINITY : Math.floor(condition.gt) + 1;
  const bar = Math.ceil(Math.max(gte, gt));
  return Number.isFinite(bar) ? bar : 0;
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
  readonly #consumers = new Map<string, Consumer[]>();
  readonly #getters = new Map<string, FieldGetter>();
  readonly #maxGroups: number;
  readonly #maxEvidence: number;
  #now = Number.NEGATIVE_INFINITY;
  #lastSweep = Number.NEGATIVE_INFINITY;
  #sweepEvery = Number.POSITIVE_INFINITY;
  /** Hits handed down a chain, one per depth, reused (a hit is read, never kept). */
  readonly #chained: CorrelationHit[] = [];
  #depth = 0;

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
      const meta: SigmaMatch['rule'] = Object.freeze({ ...metaOf(rest), kind: 'correlation' });
      const eager = isEager(rule);
      const state: CorrelationState = {
        rule,
        positions,
        groups: new Map(),
        oldest: undefined,
        newest: undefined,
        eager,
        sliding: eager && (rule.type === 'event_count' || rule.type === 'value_count'),
        keep: Math.min(Math.max(barOf(rule.condition), this.#maxEvidence, 1), MAX_MEMBERS),
        meta,
        valueGetters: rule.valueFields.map((f) => this.#getter(f)),
        feeds: undefined,
      };
      const signature = definitionSignature(rule, byRef);
      const twin = bySignature.get(signature);
      if (twin) {
        state.twinOf = twin;
        twin.hasTwins = true;
      } else bySignature.set(signature, state);
      this.#states.push(state);
      for (const [id, at] of positions) {
        const list = this.#consumers.get(id) ?? [];
        const original = state.twinOf ? list.findIndex((c) => c.state === state.twinOf) : -1;
        const steps = [...at].sort((a, b) => b - a);
        list.push({ state, original, rule: undefined, fields: [], getters: [], steps });
        this.#consumers.set(id, list);
      }
      this.#sweepEvery = Math.min(this.#sweepEvery, rule.timespanMs);
    }
    for (const state of this.#states) state.feeds = this.#consumers.get(state.rule.id);
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
    const consumers = this.#consumers.get(hit.rule.id);
    if (consumers) this.#feedOne(consumers, hit, out);
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
      for (let group = state.oldest; group; group = group.newer) {
        this.#drop(state, group);
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
    for (let group = state.oldest; group; group = group.newer) {
      const expired = state.eager
        ? group.lastTime < this.#now - span
        : group.windowStart + span < this.#now;
      if (!expired) continue;
      this.#drop(state, group);
      if (!state.eager) this.#closeWindow(state, group, out);
    }
  }

  /**
   * Feeds one match to the correlations consuming its rule, in order; a twin repeats what its
   * original produced here. Matches a correlation completes feed, in turn, those consuming it.
   */
  #feedOne(consumers: Consumer[], hit: CorrelationHit, out: SigmaMatch[]): void {
    // Where each original's matches lie in `out` (twins repeat them): from, to.
    let produced: number[] | undefined;
    let member: Member | undefined;
    for (let i = 0; i < consumers.length; i++) {
      const consumer = consumers[i];
      const state = consumer.state;
      const from = out.length;
      if (consumer.original >= 0) {
        const start = produced?.[2 * consumer.original] ?? 0;
        const end = produced?.[2 * consumer.original + 1] ?? 0;
        for (let at = start; at < end; at++) out.push(twinMatch(state, out[at]));
      } else {
        member = this.#apply(consumer, hit, out, member);
        if (state.hasTwins && out.length > from) {
          produced ??= new Array<number>(2 * consumers.length).fill(0);
          produced[2 * i] = from;
          produced[2 * i + 1] = out.length;
        }
      }
      if (state.feeds && out.length > from) this.#chain(state.feeds, state, hit, from, out);
    }
  }

  /** Feeds the matches `out[from..]` of `state` to the correlations that consume it. */
  #chain(
    feeds: Consumer[],
    state: CorrelationState,
    hit: CorrelationHit,
    from: number,
    out: SigmaMatch[],
  ): void {
    const depth = this.#depth++;
    const chained = (this.#chained[depth] ??= {
      rule: state.rule,
      event: hit.event,
      time: 0,
      events: [],
    });
    const origin = state.twinOf ?? state;
    try {
      for (let i = from, end = out.length; i < end; i++) {
        const match = out[i];
        // A sliding count's report carries only its fresh events: the chain reads the window's.
        const group = origin.sliding ? this.#groupOf(origin, match) : undefined;
        chained.rule = state.rule;
        chained.event = match.event;
        chained.time = hit.time;
        chained.events = group ? this.#evidence(group) : match.events;
        chained.group = match.correlation?.group;
        chained.continued = group ? !group.onset : undefined;
        this.#feedOne(feeds, chained, out);
      }
    } finally {
      this.#depth = depth;
    }
  }

  /** The group a sliding count's match reports on (still held: such groups outlive a report). */
  #groupOf(state: CorrelationState, match: SigmaMatch): GroupState | undefined {
    const values = match.correlation?.group;
    if (!values) return undefined;
    const groupBy = state.rule.groupBy;
    const key =
      groupBy.length === 1 ? values[groupBy[0]] : JSON.stringify(groupBy.map((f) => values[f]));
    const group = key === undefined ? undefined : state.groups.get(key);
    return group?.values === values ? group : undefined;
  }

  /** The latest events of a group's window, at most the evidence cap. */
  #evidence(group: GroupState): LogEvent[] {
    const members = group.members;
    const from = lastStart(members.length, this.#maxEvidence);
    const events = new Array<LogEvent>(members.length - from);
    for (let i = from; i < members.length; i++) events[i - from] = members[i].event;
    return events;
  }

  #getter(field: string): FieldGetter {
    let getter = this.#getters.get(field);
    if (!getter) {
      getter = compileFieldPath(field);
      this.#getters.set(field, getter);
    }
    return getter;
  }

  /** Resolves, for the consumer's rule, the field each group-by name reads (through aliases). */
  #resolve(consumer: Consumer, rule: SigmaRule): void {
    const aliases = consumer.state.rule.aliases;
    consumer.rule = rule;
    consumer.fields = consumer.state.rule.groupBy.map((field) => {
      const alias = aliases[field];
      return alias ? (alias[rule.name ?? ''] ?? alias[rule.id] ?? field) : field;
    });
    consumer.getters = consumer.fields.map((field) => this.#getter(field));
  }

  /**
   * Adds one hit to its group; appends to `out` the match it completes, if any (at most one: an
   * eager correlation never closes windows here, a windowed one only closes the previous one).
   * Returns the hit's member (`member`, else the one made here) for the next correlation.
   */
  #apply(
    consumer: Consumer,
    hit: CorrelationHit,
    out: SigmaMatch[],
    member: Member | undefined,
  ): Member | undefined {
    const state = consumer.state;
    if (consumer.rule !== hit.rule) this.#resolve(consumer, hit.rule);
    const groupBy = state.rule.groupBy;
    // One group-by field (the usual case) is its own key; several are joined unambiguously.
    let values: Record<string, string> | undefined;
    let key: string;
    if (groupBy.length === 1) {
      key = fieldText(hit, consumer.fields[0], consumer.getters[0]);
    } else {
      values = {};
      for (let i = 0; i < groupBy.length; i++) {
        values[groupBy[i]] = fieldText(hit, consumer.fields[i], consumer.getters[i]);
      }
      key = JSON.stringify(groupBy.map((f) => values![f]));
    }
    // An event without any group-by value belongs to no group: counting all such events together
    // would join unrelated activity (sshd failures from host names when grouping by address).
    if (values ? groupBy.every((f) => values![f] === '') : key === '') return member;
    // A run of a sliding count is one event to an event_count counting such runs.
    if (hit.continued && state.rule.type === 'event_count') return member;
    let group = state.groups.get(key);

    if (group && !state.eager && hit.time > group.windowStart + state.rule.timespanMs) {
      this.#drop(state, group);
      this.#closeWindow(state, group, out);
      group = undefined;
    }
    if (!group) {
      if (!values) {
        values = {};
        values[groupBy[0]] = key;
      }
      group = this.#startGroup(state, key, values, hit);
    } else if (group !== state.newest) {
      // Most recently updated last (eviction takes the front).
      unlink(state, group);
      append(state, group);
    }
    group.lastTime = hit.time;

    if (state.rule.type === 'temporal_ordered') {
      const ordered = this.#ordered(state, consumer.steps, group, hit);
      if (ordered) out.push(ordered);
      return member;
    }
    member ??= {
      time: hit.time,
      // A direct match's time is its event's; a chained one (with group values) may be later.
      eventTime: hit.group ? eventTimeMs(hit.event.time) : hit.time,
      event: hit.event,
      ruleId: hit.rule.id,
    };
    this.#addMember(state, group, hit, member);
    if (!state.eager) return member;

    const count = group.times ? group.times.length - group.head : group.members.length;
    if (!this.#eagerSatisfied(state, count)) {
      group.holding = false;
      return member;
    }
    if (state.sliding) {
      out.push(this.#report(state, group, count));
      return member;
    }
    this.#drop(state, group);
    out.push(this.#match(state, group, count));
    return member;
  }

  #startGroup(
    state: CorrelationState,
    key: string,
    values: Record<string, string>,
    hit: CorrelationHit,
  ): GroupState {
    if (state.groups.size >= this.#maxGroups && state.oldest) this.#drop(state, state.oldest);
    const ordered = state.rule.type === 'temporal_ordered';
    const group: GroupState = {
      key,
      values,
      members: [],
      counted: state.rule.type === 'value_count' ? [] : undefined,
      starts: ordered ? new Array(state.rule.rules.length).fill(undefined) : undefined,
      chains: ordered ? state.rule.rules.map(() => []) : undefined,
      windowStart: hit.time,
      lastTime: hit.time,
      fresh: 0,
      holding: false,
      onset: false,
      times: state.sliding && state.rule.type === 'event_count' ? [] : undefined,
      head: 0,
      older: undefined,
      newer: undefined,
    };
    state.groups.set(key, group);
    append(state, group);
    return group;
  }

  /** Forgets a group (its window closed, it fired, or it was evicted). */
  #drop(state: CorrelationState, group: GroupState): void {
    state.groups.delete(group.key);
    unlink(state, group);
  }

  #addMember(
    state: CorrelationState,
    group: GroupState,
    hit: CorrelationHit,
    member: Member,
  ): void {
    const rule = state.rule;
    const members = group.members;
    const counted = group.counted;
    let value: string | undefined;
    if (counted) {
      const fields = rule.valueFields;
      const getters = state.valueGetters;
      // One field's text is its own identity; several are joined unambiguously.
      value =
        fields.length === 1
          ? fieldText(hit, fields[0], getters[0])
          : JSON.stringify(fields.map((f, i) => fieldText(hit, f, getters[i])));
    }
    if (state.eager) {
      const from = hit.time - rule.timespanMs;
      let drop = 0;
      while (drop < members.length && members[drop].time < from) drop++;
      if (drop > 0) {
        removeAt(members, 0, drop);
        if (counted) removeAt(counted, 0, drop);
      }
      const times = group.times;
      if (times) {
        let head = group.head;
        while (head < times.length && times[head] < from) head++;
        // The times left behind are let go now and then, not at every hit.
        if (head > 64 && 2 * head > times.length) {
          times.splice(0, head);
          head = 0;
        }
        group.head = head;
      }
    }
    // temporal and value_count only need the latest member per rule or value: older ones of the
    // same kind are dropped, which keeps the list time-ordered and as short as the distinct count.
    if (rule.type === 'temporal' || counted) {
      const i = counted ? counted.indexOf(value!) : sameRuleAt(members, member.ruleId);
      if (i >= 0) {
        // A value not yet reported, seen again: its latest hit (below) stands for it.
        if (i >= members.length - group.fresh) group.fresh--;
        removeAt(members, i, 1);
        if (counted) removeAt(counted, i, 1);
      }
    }
    members.push(member);
    if (counted) counted.push(value!);
    group.times?.push(hit.time);
    // A sliding event_count counts by `times`; its members are the latest few, for evidence.
    if (group.times && members.length > state.keep) removeAt(members, 0, 1);
    // Known gap: a window keeps at most MAX_MEMBERS entries; counts above that (a threshold of
    // gte: 1000000 events) are capped, so such a condition can never be met.
    if (members.length > MAX_MEMBERS) {
      members.shift();
      counted?.shift();
    }
    if (group.times && group.times.length - group.head > MAX_MEMBERS) group.head++;
    group.fresh = Math.min(group.fresh + 1, members.length);
  }

  #eagerSatisfied(state: CorrelationState, count: number): boolean {
    const rule = state.rule;
    if (rule.type === 'temporal' && !rule.condition) return count >= state.positions.size;
    return rule.condition ? countSatisfies(count, rule.condition) : false;
  }

  /**
   * Closes a window. Members are distinct by rule (temporal) or value (value_count), as
   * `#addMember` drops older ones of the same kind, so every type counts its members.
   */
  #closeWindow(state: CorrelationState, group: GroupState, out: SigmaMatch[]): void {
    const count = group.members.length;
    const condition = state.rule.condition;
    if (condition && countSatisfies(count, condition)) out.push(this.#match(state, group, count));
  }

  #ordered(
    state: CorrelationState,
    steps: number[],
    group: GroupState,
    hit: CorrelationHit,
  ): SigmaMatch | undefined {
    const starts = group.starts!;
    const chains = group.chains!;
    const span = state.rule.timespanMs;
    const evidence = hit.events.length > 0 ? hit.events : [hit.event];

    for (const step of steps) {
      if (step === 0) {
        starts[0] = hit.time;
        // Evidence arrays are never changed once made: a short one is kept as it is.
        chains[0] =
          evidence.length > this.#maxEvidence ? evidence.slice(-this.#maxEvidence) : evidence;
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
    this.#drop(state, group);
    const events = chains[last];
    let first = starts[last]!;
    // Chained matches arrive at their completion time; the evidence tells when the story began.
    for (const e of events) {
      const t = eventTimeMs(e.time);
      if (t < first) first = t;
    }
    return this.#build(state, group, state.rule.rules.length, events, first, hit.time, [
      ...state.rule.rules,
    ]);
  }

  /**
   * A sliding count's report at a hit that meets the condition: the members not yet reported
   * (the whole window when a run starts, else the hit's), bounded by the evidence cap.
   */
  #report(state: CorrelationState, group: GroupState, count: number): SigmaMatch {
    const members = group.members;
    group.onset = !group.holding;
    group.holding = true;
    const fresh = group.fresh;
    group.fresh = 0;
    const from = Math.max(members.length - fresh, lastStart(members.length, this.#maxEvidence));
    const events = new Array<LogEvent>(members.length - from);
    const times = group.times;
    let first = times ? times[group.head] : members[0].time;
    for (let i = from; i < members.length; i++) {
      const m = members[i];
      events[i - from] = m.event;
      if (m.eventTime < first) first = m.eventTime;
    }
    // One referenced rule (the usual case) needs no walk over the members for its id.
    const ids = state.rule.rules.length === 1 ? [members[0].ruleId] : ruleIdsOf(members);
    return this.#build(state, group, count, events, first, group.lastTime, ids);
  }

  #match(state: CorrelationState, group: GroupState, count: number): SigmaMatch {
    const members = group.members;
    const from = lastStart(members.length, this.#maxEvidence);
    const events = new Array<LogEvent>(members.length - from);
    let first = members[0]?.time ?? group.windowStart;
    for (let i = from; i < members.length; i++) {
      const m = members[i];
      events[i - from] = m.event;
      if (m.eventTime < first) first = m.eventTime;
    }
    return this.#build(state, group, count, events, first, group.lastTime, ruleIdsOf(members));
  }

  #build(
    state: CorrelationState,
    group: GroupState,
    count: number,
    events: LogEvent[],
    first: number,
    last: number,
    ruleIds: string[],
  ): SigmaMatch {
    return {
      rule: state.meta,
      event: events[events.length - 1],
      events,
      correlation: {
        type: state.rule.type,
        group: group.values,
        count,
        firstSeen: isoOf(first),
        lastSeen: isoOf(last),
        rules: ruleIds,
      },
    };
  }
}

/** The text of a field of a hit: a chained match's group value, else its event's field. */
function fieldText(hit: CorrelationHit, field: string, getter: FieldGetter): string {
  if (hit.group && hit.group[field] !== undefined) return hit.group[field];
  const raw = getter(hit.event.fields ?? NO_FIELDS);
  const first = Array.isArray(raw) ? raw[0] : raw;
  return scalarText(first) ?? '';
}

const NO_FIELDS: Record<string, unknown> = Object.freeze({});

/** Where the first member of rule `ruleId` is, or -1. */
function sameRuleAt(members: Member[], ruleId: string): number {
  for (let i = 0; i < members.length; i++) if (members[i].ruleId === ruleId) return i;
  return -1;
}

/** The distinct rule ids of the members, in order of first appearance. */
function ruleIdsOf(members: Member[]): string[] {
  const first = members[0]?.ruleId;
  let mixed = false;
  for (const m of members) if (m.ruleId !== first) mixed = true;
  if (!mixed) return first === undefined ? [] : [first];
  return [...new Set(members.map((m) => m.ruleId))];
}

/**
 * `list.splice(at, count)` without the array of removed items, for short lists (a long one is
 * spliced: taking its front then costs no walk over the rest). The tail is popped rather than
 * cut by setting `length`, which V8 does in the runtime, not in optimised code.
 */
function removeAt<T>(list: T[], at: number, count: number): void {
  const end = list.length - count;
  if (end > 32) {
    list.splice(at, count);
    return;
  }
  for (let i = at; i < end; i++) list[i] = list[i + count];
  for (let i = count; i > 0; i--) list.pop();
}

/** Where `slice(-max)` of a list of `length` items starts. */
function lastStart(length: number, max: number): number {
  const start = -max;
  return start < 0 ? Math.max(length + start, 0) : Math.min(start, length);
}

/** Puts a group last in its correlation's recency list. */
function append(state: CorrelationState, group: GroupState): void {
  group.older = state.newest;
  group.newer = undefined;
  if (state.newest) state.newest.newer = group;
  else state.oldest = group;
  state.newest = group;
}

/** Takes a group out of its correlation's recency list (its `newer` stays, for walks). */
function unlink(state: CorrelationState, group: GroupState): void {
  if (group.older) group.older.newer = group.newer;
  else if (state.oldest === group) state.oldest = group.newer;
  if (group.newer) group.newer.older = group.older;
  else if (state.newest === group) state.newest = group.older;
  group.older = undefined;
}

/**
 * `new Date(ms).toISOString()`, remembered by second in a table: a correlation's matches mostly
 * repeat recent times (a window's events share their seconds), and formatting costs ~0.5 us. The
 * table spans 4.5 hours of seconds, so groups reporting in turn (each with its own window start)
 * do not push each other's times out.
 */
function isoOf(ms: number): string {
  const slot = Math.floor(ms / 1000) & (ISO_SLOTS - 1);
  if (ISO_MS[slot] === ms) return ISO_TEXT[slot];
  const text = new Date(ms).toISOString();
  ISO_MS[slot] = ms;
  ISO_TEXT[slot] = text;
  return text;
}

const ISO_SLOTS = 16_384;
const ISO_MS = new Float64Array(ISO_SLOTS).fill(Number.NaN);
const ISO_TEXT = new Array<string>(ISO_SLOTS).fill('');

/** A twin correlation's copy of its original's match: same windows, its own metadata. */
function twinMatch(state: CorrelationState, match: SigmaMatch): SigmaMatch {
  return {
    rule: state.meta,
    event: match.event,
    events: match.events,
    correlation: match.correlation,
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
