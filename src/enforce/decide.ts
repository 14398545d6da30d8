/**
 * The enforcement decision: which failing findings each assignment denies and which it only
 * audits, and which enforced rules could not run. The CI gate (`palisade check`) and the
 * admission webhook both call `decide`.
 */

import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { judgedResource } from '../posture/engine.js';
import { strictest, type EnforcementMode } from './enforcement-mode.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { covers, scopeSubject, type ScopeSubject } from './scope-match.js';

/** Marks a finding judged with one assignment's parameter values (see evaluate-assignments). */
export const ASSIGNED_TO = Symbol('palisade.assignedTo');

type TaggedFinding = Finding & { [ASSIGNED_TO]?: string };

/** The assignment whose parameter values a finding was judged with, if any. */
export function assignedTo(finding: Finding): string | undefined {
  return (finding as TaggedFinding)[ASSIGNED_TO];
}

/**
 * One failing rule on one resource, and what enforcement does about it; or, among `errors`, one
 * enforced rule that could not run on a resource.
 */
export interface Decision {
  finding: Finding;
  mode: Exclude<EnforcementMode, 'disabled'>;
  /** Ids of the assignments that enforce it in this mode. */
  assignments: string[];
}

export interface DecideResult {
  deny: Decision[];
  audit: Decision[];
  /**
   * Error findings (the rule could not run on the resource) of rules an assignment enforces
   * there, with the mode they would have had. A deny-mode rule that cannot run cannot vouch
   * for the resource.
   */
  errors: Decision[];
  /**
   * Violations of enforced rules that an exemption or inline suppression covers: they neither
   * deny nor audit, and are listed so a reviewer sees what was waived.
   */
  exempted: Decision[];
  /**
   * Enforced rules whose verdict rests on a value unknown before apply (a variable without a
   * value, a plan's `after_unknown`, a sub-resource an export lacks): they neither deny nor
   * audit, and are listed so a reviewer sees what the gate could not vouch for.
   */
  unknown: Decision[];
}

/** Scope facts of a finding's resource when the finding did not come from `evaluate`. */
function subjectFromFinding(f: Finding): ScopeSubject {
  const resource = judgedResource(f);
  if (resource) return scopeSubject(resource);
  const kubernetes = /^[^/]+\/[^/]+\/[^/]+$/.test(f.resourceId) && !f.resourceId.includes(':');
  const stub: Resource = {
    cloud: kubernetes ? 'kubernetes' : 'aws',
    type: f.resourceType,
    id: f.resourceId,
    name: f.resourceName,
    tags: {},
    properties: {},
    relationships: [],
    source: { kind: 'terraform', file: f.file },
  };
  return scopeSubject(stub);
}

/** The strictest mode the assignments give `f`'s rule on its resource, and who gives it. */
function enforcement(
  f: Finding,
  assignments: ResolvedAssignment[],
  subjectOf: (f: Finding) => ScopeSubject,
): { mode: EnforcementMode; ids: string[] } {
  const tag = assignedTo(f);
  let subject: ScopeSubject | undefined;
  let mode: EnforcementMode = 'disabled';
  const ids: string[] = [];
  for (const a of assignments) {
    const ruleMode = a.modes.get(f.ruleId);
    if (ruleMode === undefined || ruleMode === 'disabled') continue;
    // A rule judged with this assignment's own parameter values is decided on those findings.
    const own = a.params.has(f.ruleId);
    if (tag !== undefined ? tag !== a.assignment.id : own) continue;
    subject ??= subjectOf(f);
    if (!covers(a.assignment, subject)) continue;
    const next = strictest(mode, ruleMode);
    if (next !== mode) {
      mode = next;
      ids.length = 0;
    }
    if (ruleMode === mode) ids.push(a.assignment.id);
  }
  return { mode, ids };
}

/** Adds a decision, one per rule and resource: the strictest mode wins, assignments merge. */
function record(byKey: Map<string, Decision>, decision: Decision): void {
  const f = decision.finding;
  const key = `${f.ruleId}\u0000${f.resourceType}\u0000${f.resourceId}\u0000${f.file ?? ''}`;
  const earlier = byKey.get(key);
  if (earlier && earlier.mode === decision.mode) {
    for (const id of decision.assignments)
      if (!earlier.assignments.includes(id)) earlier.assignments.push(id);
    return;
  }
  if (earlier && earlier.mode === 'deny') return;
  byKey.set(key, decision);
}

/**
 * Splits the failing findings into denied and audited ones. A finding counts when it fails, is
 * not exempt, and some assignment covers its rule and its resource's scope; several assignments
 * give the strictest mode. Passing and not applicable findings never deny; those whose verdict
 * rests on a value unknown before apply are returned apart, in `unknown`, to be listed; error findings of enforced rules are returned apart, in `errors`, for the
 * caller to refuse on (a deny-mode rule that could not run) or report.
 *
 * ```ts
 * const { deny, audit, errors } = decide(findings, resolveAssignments(policy, rules));
 * if (deny.length > 0 || errors.some((e) => e.mode === 'deny')) process.exitCode = 1;
 * ```
 */
export function decide(
  findings: Finding[],
  assignments: ResolvedAssignment[],
  subjectOf: (f: Finding) => ScopeSubject = subjectFromFinding,
): DecideResult {
  const failures = new Map<string, Decision>();
  const errors = new Map<string, Decision>();
  const exempted = new Map<string, Decision>();
  const unknown = new Map<string, Decision>();
  for (const f of findings) {
    const unjudged = f.status === 'not_applicable' && f.unknown !== undefined;
    if (f.status !== 'fail' && f.status !== 'error' && !unjudged) continue;
    const { mode, ids } = enforcement(f, assignments, subjectOf);
    if (mode === 'disabled') continue;
    const into = unjudged
      ? unknown
      : f.status === 'error'
        ? errors
        : f.exemption
          ? exempted
          : failures;
    record(into, { finding: f, mode, assignments: ids });
  }
  const decisions = [...failures.values()];
  return {
    deny: decisions.filter((d) => d.mode === 'deny'),
    audit: decisions.filter((d) => d.mode === 'audit'),
    errors: [...errors.values()],
    exempted: [...exempted.values()],
    unknown: [...unknown.values()],
  };
}
