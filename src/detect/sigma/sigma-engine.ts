/**
 * The Sigma engine: rules compiled once, events matched in a stream. Each event meets only its
 * candidate rules (by log source and indexed literal values); matches of rules that correlations
 * consume feed the correlator, whose verdicts come out alongside single-event matches.
 */

import type { EventSource, LogEvent } from '../../model/event.js';
import { unknownReads, unread, WHOLE_FIELDS } from '../../logs/partial-fields.js';
import { eventTimeMs } from '../event-time.js';
import { SigmaCorrelator, type CorrelationHit } from './correlator.js';
import type { EventView } from './field-matcher.js';
import { compileSigmaRule, eventView } from './rule-compiler.js';
import type { ResolvedSource } from './logsource-table.js';
import { SigmaRuleIndex, type IndexedRule } from './rule-index.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import type {
  SigmaCorrelationRule,
  SigmaDetectionRule,
  SigmaMatch,
  SigmaOptions,
  SigmaRule,
  UnsupportedSigmaRule,
} from './types.js';

/** A running engine over one stream of events (feed them in time order for correlations). */
export interface SigmaEngine {
  /**
   * Matches one event; returns single-event matches and any correlation it completes (a shared,
   * frozen empty array when there are none).
   */
  process(event: LogEvent): SigmaMatch[];
  /**
   * True when no rule can match an event of `source` whose fields are the partial event's
   * `fields` (see `partial-fields.ts`), whatever its unread fields hold. Such an event need not
   * be built: `advance` with its time does all `process` would do for it.
   */
  quiet(source: EventSource, fields: Record<string, unknown>): boolean;
  /** Moves the correlation clock as an event at `time` (epoch ms) that matches nothing would. */
  advance(time: number): SigmaMatch[];
  /** Ends the stream: evaluates windows still open (conditions with an upper bound). */
  flush(): SigmaMatch[];
  /** Detection rules in use. */
  readonly detectionRules: number;
  readonly correlationRules: number;
  /** Rules the engine could not compile (the loader normally lists these already). */
  readonly unsupported: UnsupportedSigmaRule[];
  /** Open correlation groups (memory check). */
  readonly openGroups: number;
  /** The log sources of the events met so far, each once. */
  readonly sources: readonly ResolvedSource[];
}

/**
 * Compiles `rules` (from `loadSigmaRules`) into an engine.
 *
 * ```ts
 * const engine = createSigmaEngine(rules, { defaultLicense: 'DRL-1.1' });
 * for (const event of events) alerts.push(...engine.process(event));
 * alerts.push(...engine.flush());
 * ```
 */
export function createSigmaEngine(rules: SigmaRule[], options: SigmaOptions = {}): SigmaEngine {
  const unsupported: UnsupportedSigmaRule[] = [];
  const compiled: IndexedRule[] = [];
  const correlations = rules.filter((r): r is SigmaCorrelationRule => r.kind === 'correlation');

  for (const rule of rules) {
    if (rule.kind !== 'detection') continue;
    try {
      compiled.push(compileSigmaRule(rule, options));
    } catch (error) {
      const reason =
        error instanceof SigmaRuleError && error.field
          ? `${error.field}: ${error.message}`
          : String(error);
      const { logsource } = rule;
      unsupported.push({
        file: rule.origin.file,
        id: rule.id,
        title: rule.title,
        logsource,
        reason,
      });
    }
  }

  const byRef = new Map<string, SigmaRule>();
  for (const rule of rules) {
    byRef.set(rule.id, rule);
    if (rule.name && !byRef.has(rule.name)) byRef.set(rule.name, rule);
  }
  const correlator = new SigmaCorrelator(correlations, byRef, options);
  const hidden = hiddenRuleIds(correlations, byRef);
  const index = new SigmaRuleIndex(compiled);

  const emit = (matches: SigmaMatch[], out: SigmaMatch[]): void => {
    for (const m of matches) if (!hidden.has(m.rule.id)) out.push(m);
  };
  const correlated: SigmaMatch[] = [];
  // A direct match carries no evidence of its own (the correlator then takes its event).
  const hit: CorrelationHit = { rule: rules[0], event: {} as LogEvent, time: 0, events: [] };
  const scratch: SigmaMatch[] = [];
  /** Moves the correlator's matches to `out`, leaving out those of hidden rules. */
  const drain = (out: SigmaMatch[]): void => {
    if (correlated.length === 0) return;
    emit(correlated, out);
    empty(correlated);
  };
  // Neighbouring events often share their time string: parse it once.
  let lastTimeText: string | undefined;
  let lastTime = Number.NaN;
  const timeOf = (text: string): number => {
    if (text !== lastTimeText) {
      lastTimeText = text;
      lastTime = eventTimeMs(text);
    }
    return lastTime;
  };

  // The rules `quiet` tries, for the last source asked about.
  let quietSource: EventSource | undefined;
  let quietRules: readonly IndexedRule[] | undefined;

  return {
    process(event) {
      const out = scratch;
      // (Left empty by the last call unless it threw.)
      empty(out);
      const view = eventView(event);
      const time = correlations.length > 0 ? timeOf(event.time) : Number.NaN;

      for (const candidate of index.candidates(event)) {
        if (!candidate.test(view)) continue;
        const rule = candidate.rule;
        if (!hidden.has(rule.id)) out.push(singleMatch(rule, event));
        if (correlator.consumes(rule.id)) {
          // One hit object for the whole stream: the correlator reads it and keeps none of it.
          hit.rule = rule;
          hit.event = event;
          hit.time = time;
          // A line that stands for several occurrences counts as each of them.
          for (let n = event.occurrences ?? 1; n > 0; n--) {
            correlator.feedInto(hit, correlated);
            drain(out);
          }
        }
      }
      if (correlations.length > 0) {
        correlator.advanceInto(time, correlated);
        drain(out);
      }
      // Most events match nothing: they share one empty answer instead of an array each.
      if (out.length === 0) return NO_MATCHES;
      const matches = out.slice();
      empty(out);
      return matches;
    },
    quiet(source, fields) {
      if (source !== quietSource) {
        quietSource = source;
        quietRules = index.rulesForEveryAction(source);
      }
      if (!quietRules) return false;
      const before = unknownReads.count;
      const view = new PartialView(fields, source);
      for (const rule of quietRules) if (rule.test(view)) return false;
      return unknownReads.count === before;
    },
    advance(time) {
      if (correlations.length === 0) return NO_MATCHES;
      correlator.advanceInto(time, correlated);
      // Most moves close nothing: no array for them.
      if (correlated.length === 0) return NO_MATCHES;
      const out: SigmaMatch[] = [];
      drain(out);
      return out.length === 0 ? NO_MATCHES : out;
    },
    flush() {
      const out: SigmaMatch[] = [];
      emit(correlator.flush(), out);
      return out;
    },
    detectionRules: compiled.length,
    correlationRules: correlations.length,
    unsupported,
    get openGroups() {
      return correlator.groupCount;
    },
    get sources() {
      return index.sources;
    },
  };
}

/** Rules referenced by a correlation that does not ask them to `generate` their own matches. */
function hiddenRuleIds(
  correlations: SigmaCorrelationRule[],
  byRef: Map<string, SigmaRule>,
): Set<string> {
  const hidden = new Set<string>();
  for (const c of correlations) {
    if (c.generate) continue;
    for (const ref of c.rules) {
      const target = byRef.get(ref);
      if (target) hidden.add(target.id);
    }
  }
  return hidden;
}

const NO_MATCHES: SigmaMatch[] = Object.freeze([]) as unknown as SigmaMatch[];

/**
 * Empties a short scratch list by popping: setting `length` goes through V8's runtime, popping
 * stays in optimised code.
 */
function empty(list: unknown[]): void {
  while (list.length > 0) list.pop();
}

/**
 * A partial event as rules read it: keyword search reads the whole fields the partial event
 * builds on demand, or counts as an unread read when it cannot build them.
 */
class PartialView implements EventView {
  #whole: EventView | null | undefined;

  constructor(
    readonly fields: Record<string, unknown>,
    readonly source: EventSource,
  ) {}

  #wholeView(): EventView | null {
    if (this.#whole !== undefined) return this.#whole;
    const build = (this.fields as { [WHOLE_FIELDS]?: () => Record<string, unknown> | undefined })[
      WHOLE_FIELDS
    ];
    const whole = typeof build === 'function' ? build.call(this.fields) : unread();
    this.#whole = whole ? eventView({ time: '', source: this.source, fields: whole }) : null;
    return this.#whole;
  }

  strings(): string[] {
    return this.#wholeView()?.strings() ?? [];
  }

  lowerStrings(): string[] {
    return this.#wholeView()?.lowerStrings() ?? [];
  }

  lowerText(): string {
    return this.#wholeView()?.lowerText() ?? '';
  }
}

/** A rule's metadata as matches carry it, built once per rule. */
const MATCH_META = new WeakMap<SigmaDetectionRule, SigmaMatch['rule']>();

function singleMatch(rule: SigmaDetectionRule, event: LogEvent): SigmaMatch {
  let meta = MATCH_META.get(rule);
  if (!meta) {
    const { kind, logsource, detection: _d, conditions: _c, ...rest } = rule;
    meta = { ...rest, kind, logsource };
    MATCH_META.set(rule, meta);
  }
  return { rule: { ...meta }, event, events: [event] };
}
