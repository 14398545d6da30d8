/**
 * The secure score, computed the way Defender for Cloud does: a control's current score is
 * max × healthy ÷ (healthy + unhealthy), a resource is healthy only when it passes every rule of
 * the control, not-applicable and exempt resources stay out, and overall = Σ current ÷ Σ max.
 */

import type { ControlScore, Recommendation } from '../model/assessment.js';
import type { Control } from '../model/benchmark.js';
import type { Finding } from '../model/finding.js';
import type { Rule } from '../model/rule.js';
import { judgedResourceKey } from './engine.js';
import {
  addCounts,
  countFinding,
  countFindings,
  emptyCounts,
  type FindingCounts,
} from './finding-counts.js';

/** A finding that counts towards the score: judged (pass or fail) and not exempt. */
export function isScored(finding: Finding): boolean {
  return (finding.status === 'pass' || finding.status === 'fail') && !finding.exemption;
}

/** A resource that passes every rule of a control so far (shared: healthy needs no set). */
const HEALTHY: ReadonlySet<string> = new Set<string>();

interface ControlResources {
  /** Per resource: the rule ids it fails in this control (empty set = healthy). */
  resources: Map<object | string, ReadonlySet<string>>;
  /** Resources with findings in the control that were all n/a, error or exempt. */
  excluded: Set<object | string>;
}

/** One control's resources, counted. */
export interface ControlTally {
  healthy: number;
  unhealthy: number;
  /** Resources whose findings in the control were all n/a, error or exempt. */
  excluded: number;
}

/** One rule's scored verdicts: failing and passing (not exempt), and exempt ones. */
export interface RuleTally {
  failing: number;
  passing: number;
  exempt: number;
}

/**
 * Everything the score, the recommendations and compliance need from findings, as counts: a
 * tally of one batch of findings adds to another's (`addTally`) when no resource is in both.
 */
export interface ScoreTally {
  controls: Map<string, ControlTally>;
  /**
   * Per rule: its share of its control's unhealthy resources. Each unhealthy resource counts 1,
   * split evenly among the control's rules it fails (1/3 to each of three), so the shares of a
   * control's rules add up to its unhealthy count.
   */
  failureShares: Map<string, number>;
  rules: Map<string, RuleTally>;
}

function resourcesByControl(findings: readonly Finding[]): Map<string, ControlResources> {
  const byControl = new Map<string, ControlResources>();
  let lastControl: string | undefined;
  let t: ControlResources | undefined;
  for (const f of findings) {
    if (f.control !== lastControl || !t) {
      t = byControl.get(f.control);
      if (!t) {
        t = { resources: new Map(), excluded: new Set() };
        byControl.set(f.control, t);
      }
      lastControl = f.control;
    }
    const key = judgedResourceKey(f);
    if (!isScored(f)) {
      if (!t.resources.has(key)) t.excluded.add(key);
      continue;
    }
    if (t.excluded.size > 0) t.excluded.delete(key);
    const failing = t.resources.get(key);
    if (f.status !== 'fail') {
      if (failing === undefined) t.resources.set(key, HEALTHY);
      continue;
    }
    if (failing === undefined || failing === HEALTHY) t.resources.set(key, new Set([f.ruleId]));
    else (failing as Set<string>).add(f.ruleId);
  }
  return byControl;
}

/**
 * Counts findings for scoring, and adds them to `counts` when given (in the same walk: an
 * assessment's findings are many, and each walk over them costs). A resource's health in a
 * control needs all its findings for that control, so a batch must hold every finding of each
 * resource it holds.
 */
export function tallyFindings(findings: readonly Finding[], counts?: FindingCounts): ScoreTally {
  const tally = emptyTally();
  const counted = counts ? emptyCounts() : undefined;
  if (tallyControlsByRuns(findings, tally, counted)) {
    if (counts && counted) addCounts(counts, counted);
    return tally;
  }
  tallyControls(findings, tally);
  const counter = ruleCounter(tally.rules);
  for (const f of findings) counter(f);
  if (counts) countFindings(findings, counts);
  return tally;
}

/**
 * Counts each finding it is given into `rules` (its rule's failing, passing or exempt count).
 * Findings of one rule often come together, so the last rule's counts are kept at hand.
 */
function ruleCounter(rules: Map<string, RuleTally>): (f: Finding) => void {
  let lastRuleId: string | undefined;
  let c: RuleTally | undefined;
  return (f) => {
    if (f.ruleId !== lastRuleId || !c) {
      c = rules.get(f.ruleId);
      if (!c) {
        c = { failing: 0, passing: 0, exempt: 0 };
        rules.set(f.ruleId, c);
      }
      lastRuleId = f.ruleId;
    }
    if (f.exemption && (f.status === 'fail' || f.status === 'pass')) c.exempt += 1;
    else if (f.status === 'fail') c.failing += 1;
    else if (f.status === 'pass') c.passing += 1;
  };
}

/** Adds one unhealthy resource to `shares`: 1 split evenly among the rules it fails. */
function shareFailure(shares: Map<string, number>, failing: Iterable<string>, count: number): void {
  const share = 1 / count;
  for (const ruleId of failing) shares.set(ruleId, (shares.get(ruleId) ?? 0) + share);
}

/** Counts healthy, unhealthy and excluded resources per control, and failure shares. */
function tallyControls(findings: readonly Finding[], tally: ScoreTally): void {
  for (const [id, t] of resourcesByControl(findings)) {
    let healthy = 0;
    for (const failing of t.resources.values()) {
      if (failing.size === 0) healthy += 1;
      else shareFailure(tally.failureShares, failing, failing.size);
    }
    const unhealthy = t.resources.size - healthy;
    tally.controls.set(id, { healthy, unhealthy, excluded: t.excluded.size });
  }
}

/** One control's verdicts on the resource being walked by `tallyControlsByRuns`. */
interface RunControl {
  id: string;
  /** Whether any finding of the control was scored (pass or fail, not exempt). */
  scored: boolean;
  /** Distinct ids of the control's rules the resource fails. */
  failing: string[];
}

/**
 * `tallyControls` and the rule counts, in one pass, for findings that come resource by resource
 * (as `evaluate` makes them): each resource's findings are folded in one small list, with no
 * map keyed by resource. Returns false, leaving `tally` as it was, when some resource's findings
 * are not all adjacent. Adds each finding to `counts` when given.
 */
function tallyControlsByRuns(
  findings: readonly Finding[],
  tally: ScoreTally,
  counts: FindingCounts | undefined,
): boolean {
  const controls = new Map<string, ControlTally>();
  const failureShares = new Map<string, number>();
  const rules = new Map<string, RuleTally>();
  const countRule = ruleCounter(rules);
  /** Resources whose run of findings has ended. */
  const finished = new Set<object | string>();
  const run: RunControl[] = [];
  let runLength = 0;
  let current: object | string | undefined;

  const endRun = () => {
    for (let i = 0; i < runLength; i += 1) {
      const rc = run[i];
      let t = controls.get(rc.id);
      if (!t) controls.set(rc.id, (t = { healthy: 0, unhealthy: 0, excluded: 0 }));
      if (!rc.scored) t.excluded += 1;
      else if (rc.failing.length === 0) t.healthy += 1;
      else {
        t.unhealthy += 1;
        shareFailure(failureShares, rc.failing, rc.failing.length);
      }
    }
    runLength = 0;
  };

  for (const f of findings) {
    const key = judgedResourceKey(f);
    if (key !== current) {
      if (current !== undefined) {
        endRun();
        finished.add(current);
      }
      if (finished.has(key)) return false;
      current = key;
    }
    countRule(f);
    if (counts) countFinding(f, counts);
    let rc: RunControl | undefined;
    for (let i = 0; i < runLength; i += 1) {
      if (run[i].id === f.control) {
        rc = run[i];
        break;
      }
    }
    if (!rc) {
      rc = run[runLength];
      if (rc) {
        rc.id = f.control;
        rc.scored = false;
        rc.failing.length = 0;
      } else run.push((rc = { id: f.control, scored: false, failing: [] }));
      runLength += 1;
    }
    if (!isScored(f)) continue;
    rc.scored = true;
    if (f.status === 'fail' && !rc.failing.includes(f.ruleId)) rc.failing.push(f.ruleId);
  }
  endRun();
  // Controls in the order `tallyControls` gives them: by their first finding.
  for (const [id, t] of controls) tally.controls.set(id, t);
  for (const [id, n] of failureShares) tally.failureShares.set(id, n);
  for (const [id, c] of rules) tally.rules.set(id, c);
  return true;
}

/** What `JudgingTally` needs of a rule. */
type TalliedRule = Pick<Rule, 'id' | 'control'>;

/** A rule's counts, and whether it has been counted yet (when it joins the tally's order). */
interface RuleSlot {
  id: string;
  counts: RuleTally;
  seen: boolean;
  /** Its failure share so far (see `shareFailure`); undefined until it has one. */
  share?: number;
}

/** A control's counts, and whether it has been counted yet. */
interface ControlSlot {
  id: string;
  counts: ControlTally;
  seen: boolean;
}

/**
 * Where each of a set of rules (one resource type's, judged in this order) is counted: made once
 * per type, so counting a finding looks nothing up by name.
 */
export interface TallyPlan {
  rules: RuleSlot[];
  /** Per rule: the index of its control in `controls`. */
  controlOf: number[];
  /** The rules' controls, in the order their first rule comes. */
  controls: ControlSlot[];
}

/**
 * Tallies findings as judging makes them, one resource at a time, when nothing will change them
 * afterwards (no exemption applies): the same tally `tallyFindings` makes of the same findings,
 * without a second walk over them or a lookup by rule and control name for each.
 *
 * ```ts
 * const judging = new JudgingTally(counts);
 * const findings = evaluate(compiled, resources, judging);
 * const tally = judging.tally();
 * ```
 */
export class JudgingTally {
  #counts: FindingCounts;
  #rules = new Map<string, RuleSlot>();
  #controls = new Map<string, ControlSlot>();
  /** Rules, controls and failure shares in the order `tallyFindings` gives them. */
  #ruleOrder: RuleSlot[] = [];
  #controlOrder: ControlSlot[] = [];
  /** Rules in the order they first got a failure share. */
  #shareOrder: RuleSlot[] = [];
  /**
   * Per control of the resource being added: scored, and the distinct rules it fails (the first
   * `#failCount[k]` of `#failing[k]`). The lists are reused from resource to resource: emptying
   * one by its length would let go of its storage and make the next push allocate it again.
   */
  #scored: boolean[] = [];
  #failing: RuleSlot[][] = [];
  #failCount: number[] = [];

  constructor(counts: FindingCounts) {
    this.#counts = counts;
  }

  /** The plan for `rules`, judged in this order on each resource of a type. */
  plan(rules: readonly TalliedRule[]): TallyPlan {
    const plan: TallyPlan = { rules: [], controlOf: [], controls: [] };
    for (const rule of rules) {
      let slot = this.#rules.get(rule.id);
      if (!slot) {
        slot = { id: rule.id, counts: { failing: 0, passing: 0, exempt: 0 }, seen: false };
        this.#rules.set(rule.id, slot);
      }
      plan.rules.push(slot);
      let control = this.#controls.get(rule.control);
      if (!control) {
        control = {
          id: rule.control,
          counts: { healthy: 0, unhealthy: 0, excluded: 0 },
          seen: false,
        };
        this.#controls.set(rule.control, control);
      }
      let at = plan.controls.indexOf(control);
      if (at < 0) at = plan.controls.push(control) - 1;
      plan.controlOf.push(at);
    }
    return plan;
  }

  /**
   * Adds one resource's findings, `findings[from..]`, made by `plan`'s rules in order (one
   * finding each).
   */
  add(plan: TallyPlan, findings: readonly Finding[], from: number): void {
    const scored = this.#scored;
    const failing = this.#failing;
    const failCount = this.#failCount;
    const controls = plan.controls.length;
    for (let k = 0; k < controls; k += 1) {
      scored[k] = false;
      failCount[k] = 0;
      if (!failing[k]) failing[k] = [];
    }
    for (let i = 0; i < plan.rules.length; i += 1) {
      const f = findings[from + i];
      const rule = plan.rules[i];
      if (!rule.seen) {
        rule.seen = true;
        this.#ruleOrder.push(rule);
      }
      countFinding(f, this.#counts);
      const exempt = Boolean(f.exemption);
      const status = f.status;
      if (status !== 'pass' && status !== 'fail') continue;
      if (exempt) {
        rule.counts.exempt += 1;
        continue;
      }
      const k = plan.controlOf[i];
      scored[k] = true;
      if (status === 'pass') {
        rule.counts.passing += 1;
        continue;
      }
      rule.counts.failing += 1;
      const fails = failing[k];
      const count = failCount[k];
      let listed = false;
      for (let j = 0; j < count && !listed; j += 1) listed = fails[j] === rule;
      if (!listed) {
        fails[count] = rule;
        failCount[k] = count + 1;
      }
    }
    for (let k = 0; k < controls; k += 1) {
      const control = plan.controls[k];
      if (!control.seen) {
        control.seen = true;
        this.#controlOrder.push(control);
      }
      const t = control.counts;
      const fails = failing[k];
      const count = failCount[k];
      if (!scored[k]) t.excluded += 1;
      else if (count === 0) t.healthy += 1;
      else {
        t.unhealthy += 1;
        // As `shareFailure` does, on the rules' slots instead of a map by id.
        const share = 1 / count;
        for (let j = 0; j < count; j += 1) {
          const slot = fails[j];
          if (slot.share === undefined) {
            slot.share = 0;
            this.#shareOrder.push(slot);
          }
          slot.share += share;
        }
      }
    }
  }

  /** The tally of the resources added so far. */
  tally(): ScoreTally {
    const tally = emptyTally();
    for (const c of this.#controlOrder) tally.controls.set(c.id, { ...c.counts });
    for (const slot of this.#shareOrder) tally.failureShares.set(slot.id, slot.share!);
    for (const r of this.#ruleOrder) tally.rules.set(r.id, { ...r.counts });
    return tally;
  }
}

/** Adds `from` into `into` (batches with no resource in common). */
export function addTally(into: ScoreTally, from: ScoreTally): ScoreTally {
  for (const [id, c] of from.controls) {
    const t = into.controls.get(id);
    if (!t) into.controls.set(id, { ...c });
    else {
      t.healthy += c.healthy;
      t.unhealthy += c.unhealthy;
      t.excluded += c.excluded;
    }
  }
  for (const [id, n] of from.failureShares)
    into.failureShares.set(id, (into.failureShares.get(id) ?? 0) + n);
  for (const [id, c] of from.rules) {
    const t = into.rules.get(id);
    if (!t) into.rules.set(id, { ...c });
    else {
      t.failing += c.failing;
      t.passing += c.passing;
      t.exempt += c.exempt;
    }
  }
  return into;
}

/** An empty tally to add batches into. */
export function emptyTally(): ScoreTally {
  return { controls: new Map(), failureShares: new Map(), rules: new Map() };
}

export interface ScoreResult {
  /** Percentage, 0..100; 100 when nothing was scored. */
  secureScore: number;
  controls: ControlScore[];
  recommendations: Recommendation[];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Scores findings against the benchmark's controls and ranks recommendations by the score
 * they would add (`rankRecommendations`).
 */
export function computeSecureScore(
  findings: Finding[],
  controls: Control[],
  rules: Rule[],
): ScoreResult {
  return scoreTally(tallyFindings(findings), controls, rules);
}

/** The secure score, control scores and recommendations of a tally. */
export function scoreTally(tally: ScoreTally, controls: Control[], rules: Rule[]): ScoreResult {
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const scores: ControlScore[] = [];
  let totalMax = 0;
  let totalCurrent = 0;

  for (const [id, t] of tally.controls) {
    const control = controlById.get(id);
    const maxScore = control?.max_score ?? 1;
    const { healthy, unhealthy } = t;
    if (healthy + unhealthy === 0) {
      scores.push({
        id,
        title: control?.title ?? id,
        maxScore,
        currentScore: 0,
        healthy,
        unhealthy,
        notApplicable: t.excluded,
      });
      continue;
    }
    const currentScore = (maxScore * healthy) / (healthy + unhealthy);
    totalMax += maxScore;
    totalCurrent += currentScore;
    scores.push({
      id,
      title: control?.title ?? id,
      maxScore,
      currentScore: round(currentScore),
      healthy,
      unhealthy,
      notApplicable: t.excluded,
    });
  }
  scores.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  const recommendations = recommend(tally, rules, controlById, totalMax);
  const secureScore = totalMax === 0 ? 100 : round((100 * totalCurrent) / totalMax, 1);
  return { secureScore, controls: scores, recommendations };
}

const SEVERITY_WEIGHT = { critical: 4, high: 3, medium: 2, low: 1, informational: 0 } as const;

/**
 * The failing rules as recommendations, ranked. A recommendation's potential increase is its
 * control's, as Defender for Cloud shows it: the points the overall score gains when every
 * unhealthy resource of the control is made healthy, which takes fixing all the control's failing
 * rules on them. Its score share is the part of that potential its own failures carry (each
 * unhealthy resource's points split evenly among the rules it fails), so every failing rule has
 * one and the shares of a control add up to its potential.
 */
function recommend(
  tally: ScoreTally,
  rules: Rule[],
  controlById: Map<string, Control>,
  totalMax: number,
): Recommendation[] {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const out: Recommendation[] = [];
  for (const [ruleId, c] of tally.rules) {
    const rule = ruleById.get(ruleId);
    if (!rule || c.failing === 0) continue;
    const t = tally.controls.get(rule.control);
    const scored = t ? t.healthy + t.unhealthy : 0;
    let perResource = 0;
    if (totalMax > 0 && scored > 0) {
      const maxScore = controlById.get(rule.control)?.max_score ?? 1;
      perResource = (100 * maxScore) / scored / totalMax;
    }
    out.push({
      ruleId,
      title: rule.title,
      severity: rule.severity,
      control: rule.control,
      failing: c.failing,
      passing: c.passing,
      exempt: c.exempt,
      potentialIncrease: round(perResource * (t?.unhealthy ?? 0)),
      scoreShare: round(perResource * (tally.failureShares.get(ruleId) ?? 0)),
      remediation: rule.remediation.text,
    });
  }
  return rankRecommendations(out);
}

/** Most severe first, then most failing resources, then by rule id. */
function bySeverity(a: Recommendation, b: Recommendation): number {
  return (
    SEVERITY_WEIGHT[b.severity] - SEVERITY_WEIGHT[a.severity] ||
    b.failing - a.failing ||
    a.ruleId.localeCompare(b.ruleId)
  );
}

/**
 * Ranks recommendations by potential increase, in rounds over the controls: a control's
 * recommendations share its potential, so each round takes the next recommendation of every
 * control, most severe first, controls by potential increase. The top ten then name the ten
 * controls with the most to gain, each by its most severe problem, rather than ten rules of one
 * control; a control's critical rule never waits behind another control's low one of the same
 * round.
 */
function rankRecommendations(recommendations: Recommendation[]): Recommendation[] {
  const byControl = new Map<string, Recommendation[]>();
  for (const r of [...recommendations].sort(bySeverity)) {
    const list = byControl.get(r.control);
    if (list) list.push(r);
    else byControl.set(r.control, [r]);
  }
  const controls = [...byControl.values()].sort(
    (a, b) =>
      b[0].potentialIncrease - a[0].potentialIncrease || a[0].control.localeCompare(b[0].control),
  );
  const ranked: Recommendation[] = [];
  for (let round = 0; ranked.length < recommendations.length; round += 1) {
    for (const list of controls) if (round < list.length) ranked.push(list[round]);
  }
  return ranked;
}
