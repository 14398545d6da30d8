/**
 * Judges resources for enforcement: every rule once with its default parameters, and each rule
 * an assignment gives its own parameter values again, with those values, on the resources in
 * that assignment's scope.
 */

import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { evaluate, type CompiledRule } from '../posture/engine.js';
import { ASSIGNED_TO } from './decide.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { covers, scopeSubject } from './scope-match.js';

/**
 * The findings `decide` needs. Findings judged with an assignment's parameters carry that
 * assignment (see `assignedTo`).
 *
 * ```ts
 * const findings = evaluateForAssignments(compileRules(rules), resources, resolved);
 * const { deny } = decide(findings, resolved);
 * ```
 */
export function evaluateForAssignments(
  compiled: CompiledRule[],
  resources: Resource[],
  assignments: ResolvedAssignment[],
  base: Finding[] = evaluate(compiled, resources),
): Finding[] {
  const findings = [...base];
  const byId = new Map(compiled.map((c) => [c.rule.id, c]));
  for (const a of assignments) {
    if (a.params.size === 0) continue;
    const covered = resources.filter((r) => covers(a.assignment, scopeSubject(r)));
    const variants: CompiledRule[] = [];
    for (const [ruleId, params] of a.params) {
      const c = byId.get(ruleId);
      if (c && a.modes.get(ruleId) !== 'disabled') variants.push({ ...c, params });
    }
    for (const f of evaluate(variants, covered)) {
      (f as Finding & { [ASSIGNED_TO]?: string })[ASSIGNED_TO] = a.assignment.id;
      findings.push(f);
    }
  }
  return findings;
}
