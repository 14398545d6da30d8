/**
 * Regulatory compliance: each standard's controls, passed when every mapped rule passes on
 * every resource it judged, failed when any fails, not assessed when none judged anything, and
 * manual when no rule is mapped to it (no input could ever assess it).
 */

import type {
  ComplianceControl,
  ComplianceState,
  StandardCompliance,
} from '../model/assessment.js';
import type { Standard } from '../model/benchmark.js';
import type { Finding } from '../model/finding.js';
import type { Rule } from '../model/rule.js';
import { isScored } from './secure-score.js';

/** Compliance state of every standard, given the run's rules and findings. */
export function computeCompliance(
  standards: Standard[],
  rules: Rule[],
  findings: Finding[],
): StandardCompliance[] {
  const perRule = new Map<string, { passing: number; failing: number }>();
  for (const f of findings) {
    if (!isScored(f)) continue;
    const c = perRule.get(f.ruleId) ?? { passing: 0, failing: 0 };
    if (f.status === 'pass') c.passing += 1;
    else c.failing += 1;
    perRule.set(f.ruleId, c);
  }
  return complianceOf(standards, rules, perRule);
}

/**
 * Compliance state of every standard from each rule's scored verdicts (pass and fail, not
 * exempt), e.g. a `ScoreTally`'s `rules`.
 */
export function complianceOf(
  standards: Standard[],
  rules: Rule[],
  perRule: ReadonlyMap<string, { passing: number; failing: number }>,
): StandardCompliance[] {
  return standards.map((standard) => {
    const relevant = rules.filter((r) => !standard.cloud || r.cloud === standard.cloud);
    const titles = new Map(standard.controls.map((c) => [c.id, c.title]));
    const ids = new Set(standard.controls.map((c) => c.id));
    for (const rule of relevant) for (const id of rule.mappings[standard.key] ?? []) ids.add(id);

    const controls: ComplianceControl[] = [...ids].map((id) => {
      const mapped = relevant.filter((r) => (r.mappings[standard.key] ?? []).includes(id));
      let passing = 0;
      let failing = 0;
      for (const rule of mapped) {
        const c = perRule.get(rule.id);
        passing += c?.passing ?? 0;
        failing += c?.failing ?? 0;
      }
      return {
        id,
        title: titles.get(id) ?? id,
        state: controlState(mapped.length, passing, failing),
        rules: mapped.map((r) => r.id),
        failing,
        passing,
      };
    });
    controls.sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    return {
      id: standard.id,
      name: `${standard.name} ${standard.version}`.trim(),
      passed: controls.filter((c) => c.state === 'passed').length,
      failed: controls.filter((c) => c.state === 'failed').length,
      notAssessed: controls.filter((c) => c.state === 'not_assessed').length,
      manual: controls.filter((c) => c.state === 'manual').length,
      controls,
    };
  });
}

function controlState(rules: number, passing: number, failing: number): ComplianceState {
  if (rules === 0) return 'manual';
  if (failing > 0) return 'failed';
  return passing > 0 ? 'passed' : 'not_assessed';
}
