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

/** A finding that counts towards the score: judged (pass or fail) and not exempt. */
export function isScored(finding: Finding): boolean {
  return (finding.status === 'pass' || finding.status === 'fail') && !finding.exemption;
}

/** A resource that passes every rule of a control so far (shared: healthy needs no set). */
const HEALTHY: ReadonlySet<string> = new Set<string>();

interface ControlTally {
  /** Per resource: the rule ids it fails in this control (empty set = healthy). */
  resources: Map<object | string, ReadonlySet<string>>;
  /** Resources with findings in the control that were all n/a, error or exempt. */
  excluded: Set<object | string>;
}

function tally(findings: Finding[]): Map<string, ControlTally> {
  const byControl = new Map<string, ControlTally>();
  let lastControl: string | undefined;
  let t: ControlTally | undefined;
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

export interface ScoreResult {
  /** Percentage, 0..100; 100 when nothing was scored. */
  secureScore: number;
  controls: ControlScore[];
  recommendations: Recommendation[];
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Scores findings against the benchmark's controls and ranks recommendations by the score
 * they would add.
 */
export function computeSecureScore(
  findings: Finding[],
  controls: Control[],
  rules: Rule[],
): ScoreResult {
  const controlById = new Map(controls.map((c) => [c.id, c]));
  const tallies = tally(findings);
  const scores: ControlScore[] = [];
  let totalMax = 0;
  let totalCurrent = 0;

  for (const [id, t] of tallies) {
    const control = controlById.get(id);
    const maxScore = control?.max_score ?? 1;
    const healthy = [...t.resources.values()].filter((failing) => failing.size === 0).length;
    const unhealthy = t.resources.size - healthy;
    if (healthy + unhealthy === 0) {
      scores.push({
        id,
        title: control?.title ?? id,
        maxScore,
        currentScore: 0,
        healthy,
        unhealthy,
        notApplicable: t.excluded.size,
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
      notApplicable: t.excluded.size,
    });
  }
  scores.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));

  const recommendations = recommend(findings, rules, tallies, controlById, totalMax);
  const secureScore = totalMax === 0 ? 100 : round((100 * totalCurrent) / totalMax, 1);
  return { secureScore, controls: scores, recommendations };
}

function recommend(
  findings: Finding[],
  rules: Rule[],
  tallies: Map<string, ControlTally>,
  controlById: Map<string, Control>,
  totalMax: number,
): Recommendation[] {
  const ruleById = new Map(rules.map((r) => [r.id, r]));
  const counts = new Map<string, { failing: number; passing: number; exempt: number }>();
  for (const f of findings) {
    const c = counts.get(f.ruleId) ?? { failing: 0, passing: 0, exempt: 0 };
    if (f.exemption && (f.status === 'fail' || f.status === 'pass')) c.exempt += 1;
    else if (f.status === 'fail') c.failing += 1;
    else if (f.status === 'pass') c.passing += 1;
    counts.set(f.ruleId, c);
  }

  // Resources that fail exactly one rule of a control become healthy when that rule is fixed.
  const soleFailures = new Map<string, number>();
  for (const t of tallies.values()) {
    for (const failing of t.resources.values()) {
      if (failing.size !== 1) continue;
      const [only] = failing;
      soleFailures.set(only, (soleFailures.get(only) ?? 0) + 1);
    }
  }

  const out: Recommendation[] = [];
  for (const [ruleId, c] of counts) {
    const rule = ruleById.get(ruleId);
    if (!rule || c.failing === 0) continue;
    const t = tallies.get(rule.control);
    let gain = 0;
    if (t && totalMax > 0 && t.resources.size > 0) {
      const fixedBy = soleFailures.get(ruleId) ?? 0;
      const maxScore = controlById.get(rule.control)?.max_score ?? 1;
      gain = (100 * maxScore * fixedBy) / t.resources.size / totalMax;
    }
    out.push({
      ruleId,
      title: rule.title,
      severity: rule.severity,
      control: rule.control,
      failing: c.failing,
      passing: c.passing,
      exempt: c.exempt,
      potentialIncrease: round(gain),
      remediation: rule.remediation.text,
    });
  }
  const weight = { critical: 4, high: 3, medium: 2, low: 1, informational: 0 } as const;
  return out.sort(
    (a, b) =>
      b.potentialIncrease - a.potentialIncrease ||
      weight[b.severity] - weight[a.severity] ||
      b.failing - a.failing ||
      a.ruleId.localeCompare(b.ruleId),
  );
}
