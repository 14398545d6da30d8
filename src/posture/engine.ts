/**
 * The posture engine: compiles rules once, then judges every resource against the rules for its
 * type. One finding per rule and resource: pass, fail, not applicable or error.
 */

import type { Finding } from '../model/finding.js';
import { INVENTORY_SOURCE_KINDS, type Resource } from '../model/resource.js';
import type { Rule } from '../model/rule.js';
import { checkFunctions, type CheckFunction } from './checks/index.js';
import { RuleLoadError } from './rule-loader.js';
import {
  compileExpression,
  firstRootRead,
  rootFieldsRead,
  type Program,
} from './rule-environment.js';
import type { JudgingTally, TallyPlan } from './secure-score.js';
import {
  ANY_OTHER_PROPERTY,
  containsUnknown,
  unknownPathReason,
  trackUnknownReads,
  UnknownValueError,
  type UnknownRead,
  type UnknownTracker,
} from './unknown-tracker.js';

/** A rule with its expressions compiled, ready to run on many resources. */
export interface CompiledRule {
  rule: Rule;
  check?: Program;
  checkFunction?: CheckFunction;
  appliesIf?: Program;
  evidence?: Program;
  usesRelated: boolean;
  /** True when an expression reads the `resource` summary (else it is not built). */
  usesResource: boolean;
  /** The top-level property names the expressions read; undefined when they may read any. */
  rootFields?: ReadonlySet<string>;
  /**
   * The top-level property its first expression (`applies_if`, else `check`) reads before any
   * other, when known; unset for a TypeScript check, which judges past an unknown read.
   */
  firstRoot?: string;
  /**
   * Values the rule reads as `params` (its parameters' defaults, or an assignment's values); set
   * for every rule that declares parameters.
   */
  params?: Record<string, unknown>;
  /** `message.pass` / `message.fail` split once into literal text and placeholders. */
  passTemplate?: TemplatePart[];
  failTemplate?: TemplatePart[];
}

/** A piece of a message template: literal text, or a placeholder to fill. */
type TemplatePart = string | { key: 'name' | 'id' | 'type' | 'value' };

const PLACEHOLDER = /\{\{\s*(name|id|type|value)\s*\}\}/g;

/** Splits a message template at its `{{ name|id|type|value }}` placeholders. */
function parseTemplate(template: string | undefined): TemplatePart[] | undefined {
  if (!template) return undefined;
  const parts: TemplatePart[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    if (m.index > last) parts.push(template.slice(last, m.index));
    parts.push({ key: m[1] as 'name' | 'id' | 'type' | 'value' });
    last = m.index + m[0].length;
  }
  if (last < template.length) parts.push(template.slice(last));
  return parts;
}

function compileField(rule: Rule, field: 'check' | 'applies_if' | 'evidence'): Program | undefined {
  const source = rule[field];
  if (source === undefined) return undefined;
  try {
    return compileExpression(source);
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new RuleLoadError({
      file: rule.origin ?? rule.id,
      field,
      message: `rule ${rule.id}: ${message}`,
    });
  }
}

/** Compiles every rule's expressions; throws `RuleLoadError` naming the rule and field. */
export function compileRules(rules: Rule[]): CompiledRule[] {
  return rules.map((rule) => {
    const checkFunction = rule.check_function ? checkFunctions[rule.check_function] : undefined;
    if (rule.check_function && !checkFunction) {
      throw new RuleLoadError({
        file: rule.origin ?? rule.id,
        field: 'check_function',
        message: `no TypeScript check named ${rule.check_function}`,
      });
    }
    const sources = [rule.check, rule.applies_if, rule.evidence].filter(Boolean).join(' ');
    const check = compileField(rule, 'check');
    const appliesIf = compileField(rule, 'applies_if');
    const evidence = compileField(rule, 'evidence');
    return {
      rule,
      check,
      checkFunction,
      appliesIf,
      evidence,
      usesRelated: /\brelated\b/.test(sources),
      usesResource: /\bresource\b/.test(sources),
      rootFields: rootFieldsRead([check, appliesIf, evidence]),
      firstRoot: checkFunction ? undefined : firstRootRead(appliesIf ?? check),
      ...(rule.parameters ? { params: parameterDefaults(rule) } : {}),
      passTemplate: parseTemplate(rule.message?.pass),
      failTemplate: parseTemplate(rule.message?.fail),
    };
  });
}

function parameterDefaults(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(rule.parameters ?? {})) {
    if (spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}

/** Rules indexed by resource type, compared without case (ARM types are case-insensitive). */
export function indexByType(compiled: CompiledRule[]): Map<string, CompiledRule[]> {
  const byType = new Map<string, CompiledRule[]>();
  for (const c of compiled) {
    for (const type of c.rule.resource_types) {
      const key = type.toLowerCase();
      const list = byType.get(key) ?? [];
      list.push(c);
      byType.set(key, list);
    }
  }
  return byType;
}

const MAX_VALUE_CHARS = 160;

/**
 * The resource a finding judged, kept on the finding under a symbol (so JSON never sees it):
 * scoring groups findings by resource without building a string key for each.
 */
export const JUDGED_RESOURCE = Symbol('palisade.judgedResource');

type FindingWithResource = Finding & { [JUDGED_RESOURCE]?: Resource };

/** The resource a finding from `evaluate` was judged on (undefined for any other finding). */
export function judgedResource(finding: Finding): Resource | undefined {
  return (finding as FindingWithResource)[JUDGED_RESOURCE];
}

/** The resource object a finding was judged on, or a stable string key when not known. */
export function judgedResourceKey(finding: Finding): object | string {
  return (
    (finding as FindingWithResource)[JUDGED_RESOURCE] ??
    `${finding.resourceType}|${finding.resourceId}|${finding.file ?? ''}`
  );
}

/** JSON text of a value that may hold CEL ints (bigints), written as numbers. */
function jsonText(value: unknown): string {
  try {
    // Without a replacer first: it is many times faster, and only a bigint makes it throw.
    return JSON.stringify(value) ?? 'null';
  } catch {
    return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null';
  }
}

function quote(value: unknown): string {
  let text: string;
  try {
    text = jsonText(value);
  } catch {
    text = String(value);
  }
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

/**
 * A failing value as a finding's sentence shows it: JSON, except that a value not set reads so
 * (not `null`), and a list of lists (one per container, say) is shown as one list.
 */
function shown(value: unknown): string {
  if (value === null || value === undefined) return 'not set';
  if (Array.isArray(value) && value.length > 0 && value.every((item) => Array.isArray(item))) {
    return quote((value as unknown[][]).flat());
  }
  return quote(value);
}

function fill(template: TemplatePart[], resource: Resource, value: string): string {
  let out = '';
  // No offending value to show: ` ({{value}})` goes whole, not as an empty `()`.
  let dropParen = false;
  for (const part of template) {
    if (typeof part === 'string') {
      out += dropParen && part.startsWith(')') ? part.slice(1) : part;
      dropParen = false;
    } else if (part.key === 'value') {
      if (value === '' && out.endsWith(' (')) {
        out = out.slice(0, -2);
        dropParen = true;
      } else out += value;
    } else out += String(resource[part.key]);
  }
  return out;
}

function sentence(c: CompiledRule, resource: Resource, pass: boolean, quoted: string): string {
  const template = pass ? c.passTemplate : c.failTemplate;
  if (template) return fill(template, resource, quoted);
  const verdict = pass ? 'meets' : 'does not meet';
  const offending = quoted ? ` (found ${quoted})` : '';
  return `${resource.type} ${resource.name} ${verdict} "${c.rule.title}"${offending}.`;
}

/**
 * The failing finding's sentence, quoting `quoted` (the offending value as `quotedValue` gives
 * it) when the rule's sentence has room for one: the message a streamed assessment rebuilds
 * instead of keeping.
 */
export function failMessage(c: CompiledRule, resource: Resource, quoted = ''): string {
  return sentence(c, resource, false, quoted);
}

/** The failing finding's sentence when the rule found no offending value to quote. */
export function plainFailMessage(c: CompiledRule, resource: Resource): string {
  return failMessage(c, resource);
}

/**
 * The verdict a finding's sentence states, shared by every finding of one rule and outcome: the
 * sentence is built from it when first read.
 */
interface Verdict {
  rule: CompiledRule;
  pass: boolean;
  /** False for the verdict that the rule does not apply (its `applies_if` is not true). */
  applies: boolean;
  /** True when the failing sentence shows the offending value. */
  quotes: boolean;
  /** Quoted verdicts made so far, by offending value (a primitive) or by quoted JSON text. */
  byValue: Map<unknown, QuotedVerdict>;
  byText: Map<string, QuotedVerdict>;
}

/**
 * A verdict with the offending value its sentence quotes. Shared by every finding of the verdict
 * that quotes the same text (a rule's offending values repeat across an estate: `null`, `{}`,
 * one ACL), so it holds nothing of one resource.
 */
class QuotedVerdict {
  constructor(
    readonly verdict: Verdict,
    readonly quoted: string,
  ) {}
}

/** A quoted verdict's sentence for one finding, kept once the finding's message was read. */
class QuotedSentence {
  constructor(
    readonly quotedVerdict: QuotedVerdict,
    readonly sentence: string,
  ) {}
}

/**
 * A failing verdict whose offending value is not looked for yet: the rule's `evidence` runs on
 * the finding's resource when its sentence (or `quotedValue`) is first read. Most failing
 * sentences are never read, and evaluating and quoting the offending value of each took a fifth
 * of judging an estate. Shared by every finding of the rule that waits so.
 */
class PendingEvidence {
  constructor(
    readonly verdict: Verdict,
    /** The rule's `evidence`, which finds the offending value. */
    readonly evidence: Program,
  ) {}
}

/**
 * What a finding's sentence is made from: the sentence itself (given, or built from a shared
 * verdict), the shared verdict, a shared quoted verdict, a failing verdict whose offending value
 * is yet to be found, or a quoted verdict's sentence once built.
 */
type MessageState = string | Verdict | QuotedVerdict | PendingEvidence | QuotedSentence;

/** The slot a finding from `evaluate` keeps its `MessageState` in. */
const MESSAGE_STATE = Symbol('palisade.messageState');

/**
 * `message` of a finding from `evaluate`: an own enumerable property (JSON, spreading, cloning
 * and `Object.keys` see it as ever) whose sentence is built when first read. Most sentences are
 * never read (a scan reports failing findings), and building each would keep half a million
 * strings alive through the assessment. One getter and setter pair serves every finding, so
 * findings keep one hidden class.
 */
const MESSAGE: PropertyDescriptor = {
  enumerable: true,
  configurable: true,
  get(this: JudgedFinding): string {
    let state = this[MESSAGE_STATE];
    if (typeof state === 'string') return state;
    const resource = this[JUDGED_RESOURCE];
    if (state instanceof QuotedSentence) return state.sentence;
    if (state instanceof PendingEvidence) {
      const found = withEvidence(state, resource);
      this[MESSAGE_STATE] = found;
      state = found;
    }
    if (state instanceof QuotedVerdict) {
      const { verdict } = state;
      const text = sentence(verdict.rule, resource, verdict.pass, state.quoted);
      this[MESSAGE_STATE] = new QuotedSentence(state, text);
      return text;
    }
    const text = state.applies
      ? sentence(state.rule, resource, state.pass, '')
      : notApplicableSentence(state.rule, resource);
    // The verdict quotes nothing, so the sentence alone keeps all `quotedValue` needs.
    this[MESSAGE_STATE] = text;
    return text;
  },
  set(this: JudgedFinding, value: string) {
    this[MESSAGE_STATE] = value;
  },
};

/**
 * The verdicts of each compiled rule (fail, pass, not applicable) and its failing verdict with
 * the offending value still to find, made once.
 */
const verdicts = new WeakMap<CompiledRule, [Verdict, Verdict, Verdict, PendingEvidence]>();

function verdictsOf(c: CompiledRule): [Verdict, Verdict, Verdict, PendingEvidence] {
  let made = verdicts.get(c);
  if (!made) {
    const quotes = failQuotes(c);
    const verdict = (pass: boolean, applies: boolean): Verdict => ({
      rule: c,
      pass,
      applies,
      quotes,
      byValue: new Map(),
      byText: new Map(),
    });
    const fail = verdict(false, true);
    const pending = new PendingEvidence(fail, c.evidence ?? (() => undefined));
    made = [fail, verdict(true, true), verdict(false, false), pending];
    verdicts.set(c, made);
  }
  return made;
}

/**
 * The failing verdict `pending` stands for, quoting the offending value the rule's `evidence`
 * finds on `resource`: what judging found when it looked at once. The resource is read as
 * judging read it (nothing changes a judged resource's properties), in the context its rule ran
 * in; a rule that reads related resources or unknown values never waits (see `judge`).
 */
function withEvidence(pending: PendingEvidence, resource: Resource): Verdict | QuotedVerdict {
  const { verdict } = pending;
  const c = verdict.rule;
  const context = {
    r: resource.properties,
    resource: c.usesResource ? summaryOf(resource) : NO_SUMMARY,
    related: NO_RELATED,
    ...(c.params ? { params: c.params } : {}),
  };
  const value = safeEvidence(pending.evidence, context);
  return value === undefined ? verdict : quotedVerdict(verdict, value);
}

function verdictOf(c: CompiledRule, pass: boolean): Verdict {
  return verdictsOf(c)[pass ? 1 : 0];
}

/** The sentence of a rule that does not apply to a resource. */
function notApplicableSentence(c: CompiledRule, resource: Resource): string {
  return `${c.rule.title} does not apply to ${resource.type} ${resource.name}.`;
}

/** Quoted verdicts kept per verdict and kind of key: offending values repeat across an estate. */
const MAX_QUOTED_PER_VERDICT = 512;

/** Longest primitive string kept as a key: a key is held as long as the compiled rule. */
const MAX_KEY_CHARS = 256;

/**
 * The verdict quoting `value`, shared with earlier findings that quoted the same: the quoted
 * JSON text is not built again for a primitive seen before, and no finding holds a copy.
 */
function quotedVerdict(verdict: Verdict, value: unknown): Verdict | QuotedVerdict {
  const primitive = (typeof value !== 'object' && typeof value !== 'function') || value === null;
  const keyed = primitive && (typeof value !== 'string' || value.length <= MAX_KEY_CHARS);
  if (keyed) {
    const known = verdict.byValue.get(value);
    if (known) return known;
  }
  const quoted = shown(value);
  if (!quoted) return verdict;
  if (keyed) return remember(verdict.byValue, value, new QuotedVerdict(verdict, quoted));
  if (primitive) return new QuotedVerdict(verdict, quoted);
  return (
    verdict.byText.get(quoted) ??
    remember(verdict.byText, quoted, new QuotedVerdict(verdict, quoted))
  );
}

function remember<K>(cache: Map<K, QuotedVerdict>, key: K, made: QuotedVerdict): QuotedVerdict {
  if (cache.size < MAX_QUOTED_PER_VERDICT) cache.set(key, made);
  return made;
}

/**
 * The offending value a failing finding from `evaluate` quotes in its sentence, as quoted
 * (`failMessage(rule, resource, quotedValue(f))` is its message); undefined when it quotes none.
 */
export function quotedValue(finding: Finding): string | undefined {
  const judged = finding as Partial<JudgedFinding>;
  let held = judged[MESSAGE_STATE];
  if (held instanceof PendingEvidence) {
    const found = withEvidence(held, judged[JUDGED_RESOURCE]!);
    judged[MESSAGE_STATE] = found;
    held = found;
  }
  const state = held instanceof QuotedSentence ? held.quotedVerdict : held;
  if (!(state instanceof QuotedVerdict)) return undefined;
  const { verdict, quoted } = state;
  if (verdict.pass || !verdict.quotes || !quoted) return undefined;
  return quoted;
}

/** True when the rule's failing sentence shows the offending value. */
function failQuotes(c: CompiledRule): boolean {
  return !c.failTemplate || c.failTemplate.some((p) => typeof p !== 'string' && p.key === 'value');
}

/** A finding made by `evaluate`: the judged resource and its message state ride along. */
interface JudgedFinding extends Finding {
  [JUDGED_RESOURCE]: Resource;
  [MESSAGE_STATE]: MessageState;
}

/**
 * Builds a finding: `message` is the sentence, or the verdict (quoting the offending value or
 * not) to build it from when read.
 *
 * An object literal holding every field, not a class: V8 learns that the objects of a literal's
 * allocation site live long and allocates them in the old generation directly, where a
 * constructor's objects are each copied by two young-generation collections on their way there
 * (every finding lives until the assessment ends: ~100 MB less copied per 100k resources). The
 * `message` accessor comes last: it needs no slot in the object, while a field added after the
 * literal would need a property array of its own.
 */
function makeFinding(
  c: CompiledRule,
  resource: Resource,
  status: Finding['status'],
  message: MessageState,
  unknown?: string,
): Finding {
  const rule = c.rule;
  const source = resource.source;
  const finding = {
    ruleId: rule.id,
    resourceId: resource.id,
    resourceType: resource.type,
    resourceName: resource.name,
    status,
    severity: rule.severity,
    control: rule.control,
    file: source.file,
    line: source.line,
    [JUDGED_RESOURCE]: resource,
    [MESSAGE_STATE]: message,
  } as JudgedFinding;
  Object.defineProperty(finding, 'message', MESSAGE);
  if (unknown !== undefined) finding.unknown = unknown;
  return finding;
}

function errorText(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}

/** Everything one resource's rules see: the evaluation context, built once per resource. */
interface ResourceView {
  resource: Resource;
  /** What the resource holds unknown, if anything (see `unknownsOf`). */
  unknowns?: Unknowns;
  /** Read-watching view of the resource, built on first use; shared by its rules. */
  tracker?: UnknownTracker;
  /** Context for untracked evaluation, shared by every rule of the resource. */
  context: {
    r: unknown;
    resource: Record<string, unknown>;
    related: Record<string, unknown>[];
    params?: Record<string, unknown>;
  };
  /** Builds the related resources' views (once per resource, on first use). */
  relatedOf: (resource: Resource) => Record<string, unknown>[];
  related?: Record<string, unknown>[];
}

/** The not-applicable finding for a rule that read an unknown value, if it did. */
/** The finding of a rule whose verdict rests on the unknown value `hit` read. */
function unknownFinding(c: CompiledRule, resource: Resource, hit: UnknownRead): Finding {
  const message =
    `${resource.type} ${resource.name} cannot be judged by "${c.rule.title}": ` +
    `${hit.path} is unknown (${hit.reason}).`;
  return makeFinding(c, resource, 'not_applicable', message, hit.path);
}

/**
 * The unknown read a rule's evaluation would begin with, if it would: the rule reads a top-level
 * property first that the inventory did not include, and fails with it (`firstRoot` passes no
 * `&&` or `||`, which could absorb the failure). The verdict is then "cannot be judged" whatever
 * the rest reads, so the watched evaluation need not run.
 */
function unknownAtFirstRead(c: CompiledRule, view: ResourceView): UnknownRead | undefined {
  const root = c.firstRoot;
  // Markers are found by watching every read; the watch never notes these two names.
  if (root === undefined || !view.unknowns || view.unknowns.markers) return undefined;
  if (root === 'constructor' || root === 'length') return undefined;
  const { resource } = view;
  if (!resource.unknown?.includes(root)) return undefined;
  const properties = resource.properties;
  if (Object.hasOwn(properties, root) || properties[root] !== undefined) return undefined;
  return { path: root, reason: unknownPathReason(resource) };
}

/** Judges one resource with one compiled rule. */
export function judge(c: CompiledRule, view: ResourceView): Finding {
  const { resource } = view;
  const unread = unknownAtFirstRead(c, view);
  if (unread) return unknownFinding(c, resource, unread);
  const tracker = trackerOf(c, view);
  tracker?.reset();
  let context = view.context;
  if (tracker || c.usesRelated || c.params) {
    context = {
      r: tracker ? tracker.properties : resource.properties,
      resource: context.resource,
      related: c.usesRelated ? (view.related ??= view.relatedOf(resource)) : [],
    };
    if (c.params) context.params = c.params;
  }

  // On read-watching proxies an unknown read throws inside the expression, and a verdict it
  // still gives holds whatever the unknown is (see unknown-tracker.ts). The compiled program
  // hands a throw back to the interpreter, whose absorption of errors is CEL's.
  try {
    if (c.appliesIf && c.appliesIf(context) !== true) {
      return makeFinding(c, resource, 'not_applicable', verdictsOf(c)[2]);
    }
    let pass: boolean;
    let value: unknown;
    if (c.checkFunction) {
      const result = c.checkFunction(resource, []);
      pass = result.pass;
      value = result.value;
    } else {
      const outcome = c.check!(context);
      if (typeof outcome !== 'boolean') {
        const message = `rule ${c.rule.id} returned ${quote(outcome)} instead of true or false.`;
        return makeFinding(c, resource, 'error', message);
      }
      pass = outcome;
    }
    const verdict = verdictOf(c, pass);
    // A failing sentence that shows no offending value needs none looked for or quoted.
    const shown = pass || verdict.quotes;
    if (!pass && shown && c.evidence && !c.checkFunction) {
      // Looked for when the sentence is read, unless the rule reads what only this evaluation
      // has at hand: the related resources, or values watched for unknowns.
      if (!tracker && !c.usesRelated) {
        return makeFinding(c, resource, 'fail', verdictsOf(c)[3]);
      }
      const evidence = c.evidence;
      value = tracker
        ? tracker.leniently(() => safeEvidence(evidence, context))
        : safeEvidence(evidence, context);
    }
    const state = value === undefined || !shown ? verdict : quotedVerdict(verdict, value);
    return makeFinding(c, resource, pass ? 'pass' : 'fail', state);
  } catch (error) {
    // The unknown that decided it; or, for any other error once an unknown was read, the first
    // one (the error may follow from it).
    const unread = error instanceof UnknownValueError ? error.read : tracker?.hit();
    if (unread) return unknownFinding(c, resource, unread);
    const message = `rule ${c.rule.id} failed on ${resource.name}: ${errorText(error)}`;
    return makeFinding(c, resource, 'error', message);
  }
}

/**
 * The read-watching view rule `c` runs on, or undefined when the resource holds no unknowns or
 * the rule provably reads none of them (it reads no top-level property an unknown path starts
 * with): watching such a rule could only give the verdict it gives unwatched.
 */
function trackerOf(c: CompiledRule, view: ResourceView): UnknownTracker | undefined {
  const unknowns = view.unknowns;
  if (!unknowns) return undefined;
  if (!unknowns.markers && c.rootFields) {
    let reads = false;
    for (const root of unknowns.roots) {
      if (root === ANY_OTHER_PROPERTY || c.rootFields.has(root)) reads = true;
    }
    if (!reads) return undefined;
  }
  return (view.tracker ??= trackUnknownReads(view.resource, unknowns.markers));
}

function safeEvidence(program: Program, context: Record<string, unknown>): unknown {
  try {
    return program(context);
  } catch {
    return undefined;
  }
}

/** The `resource` a rule expression sees: who and where the resource is, not its properties. */
export function summaryOf(resource: Resource): Record<string, unknown> {
  return {
    cloud: resource.cloud,
    type: resource.type,
    id: resource.id,
    name: resource.name,
    account: resource.account ?? '',
    region: resource.region ?? '',
    tags: resource.tags ?? {},
    source: resource.source.kind,
  };
}

/**
 * Judges every resource against the rules for its type. `judging`, when given, tallies each
 * resource's findings as they are made (for findings no exemption will change).
 *
 * ```ts
 * const findings = evaluate(compileRules(await loadRules()), resources);
 * ```
 */
export function evaluate(
  compiled: CompiledRule[],
  resources: Resource[],
  judging?: JudgingTally,
): Finding[] {
  const byType = indexByType(compiled);
  const findings: Finding[] = [];
  let relatedIndex: Map<string, Resource[]> | undefined;

  const relatedOf = (resource: Resource): Record<string, unknown>[] => {
    relatedIndex ??= buildRelatedIndex(resources);
    return (relatedIndex.get(resource.id) ?? []).map((other) => ({
      ...summaryOf(other),
      properties: other.properties,
    }));
  };

  // Types as spelled by the readers: looked up (lower-cased) once each, not once a resource.
  const rulesByType = new Map<string, TypeRules | undefined>();
  for (const resource of resources) {
    let forType = rulesByType.get(resource.type);
    if (forType === undefined && !rulesByType.has(resource.type)) {
      forType = typeRules(byType.get(resource.type.toLowerCase()));
      rulesByType.set(resource.type, forType);
    }
    if (!forType) continue;
    const view: ResourceView = {
      resource,
      unknowns: unknownsOf(resource),
      context: {
        r: resource.properties,
        // The summary is built only for types with a rule that reads it.
        resource: forType.usesResource ? summaryOf(resource) : NO_SUMMARY,
        related: NO_RELATED,
      },
      relatedOf,
    };
    const from = findings.length;
    for (const c of forType.rules) findings.push(judge(c, view));
    if (judging) judging.add((forType.plan ??= judging.plan(forType.ruleList)), findings, from);
  }
  return findings;
}

/** The rules of one resource type, and whether any of them reads `resource`. */
interface TypeRules {
  rules: CompiledRule[];
  /** The rules themselves, in the same order. */
  ruleList: Rule[];
  usesResource: boolean;
  /** Where `evaluate`'s tally counts the type's findings, made when first needed. */
  plan?: TallyPlan;
}

function typeRules(rules: CompiledRule[] | undefined): TypeRules | undefined {
  if (!rules) return undefined;
  return {
    rules,
    ruleList: rules.map((c) => c.rule),
    usesResource: rules.some((c) => c.usesResource),
  };
}

/** Stand-ins for the `resource` and `related` variables of rules that never read them. */
const NO_SUMMARY: Record<string, unknown> = Object.freeze({});
const NO_RELATED: Record<string, unknown>[] = Object.freeze([]) as never;

/** What a resource holds unknown: markers anywhere, or only the listed paths. */
interface Unknowns {
  /** True when unknown markers sit in its properties (IaC): every read is watched. */
  markers: boolean;
  /** First property name of each unknown path. */
  roots: string[];
}

/**
 * What a resource holds unknown, if anything. Only IaC readers
 * write unknown markers, so an inventory body is not searched for them: a marker key in an
 * export is the export's data, and must not turn a failing check into "cannot be judged".
 */
function unknownsOf(resource: Resource): Unknowns | undefined {
  const markers =
    !INVENTORY_SOURCE_KINDS.has(resource.source.kind) && containsUnknown(resource.properties);
  const paths = resource.unknown;
  if (!markers && (paths === undefined || paths.length === 0)) return undefined;
  return { markers, roots: (paths ?? []).map(rootOf) };
}

/** The first property name of a dot-separated path (the whole path when it has no dot). */
function rootOf(path: string): string {
  const dot = path.indexOf('.');
  return dot < 0 ? path : path.slice(0, dot);
}

/** An EC2 ARN in any partition; the group is the resource's short id. */
const EC2_ARN = /^arn:aws[a-z-]*:ec2:[^:]*:[^:]*:[a-z-]+\/([a-z]+-[0-9a-f]+)$/;

/** Both directions of every relationship, keyed by resource id (and IaC address). */
function buildRelatedIndex(resources: Resource[]): Map<string, Resource[]> {
  const byKey = new Map<string, Resource>();
  for (const r of resources) {
    byKey.set(r.id, r);
    if (r.source.address) byKey.set(r.source.address, r);
  }
  // Relationships name EC2 resources by short id (`sg-0a1b`, as instances and Config list
  // them), while their records may be named by ARN: the id after the ARN's last `/` finds them
  // too. EC2 ids carry their kind (`sg-`, `vpc-`, `i-`), so no two resources share one.
  for (const r of resources) {
    const shortId = EC2_ARN.exec(r.id)?.[1];
    if (shortId && !byKey.has(shortId)) byKey.set(shortId, r);
  }
  const index = new Map<string, Resource[]>();
  const link = (from: Resource, to: Resource) => {
    const list = index.get(from.id) ?? [];
    if (!list.includes(to)) list.push(to);
    index.set(from.id, list);
  };
  for (const r of resources) {
    for (const edge of r.relationships) {
      const other = byKey.get(edge.target);
      if (!other || other === r) continue;
      link(r, other);
      link(other, r);
    }
  }
  return index;
}
