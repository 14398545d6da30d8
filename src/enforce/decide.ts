/**
 * The enforcement decision: which failing findings each assignment denies and which it only
 * audits. The CI gate (`palisade check`) and the admission webhook both call `decide`.
 */

import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import { judgedResource } from '../posture/engine.js';
import { strictest, type EnforcementMode } from './enforcement-mode.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { excluded, inScope, scopeSubject, type ScopeSubject } from './scope-match.js';

/** Marks a finding judged with one assignment's parameter values (see evaluate-assignments). */
export const ASSIGNED_TO = Symbol('palisade.assignedTo');

type TaggedFinding = Finding & { [ASSIGNED_TO]?: string };

/** The assignment whose parameter values a finding was judged with, if any. */
export function assignedTo(finding: Finding): string | undefined {
  return (finding as TaggedFinding)[ASSIGNED_TO];
}

/** One failing rule on one resource, and what enforcement does about it. */
export interface Decision {
  finding: Finding;
  mode: Exclude<EnforcementMode, 'disabled'>;
  /** Ids of the assignments that enforce it in this mode. */
  assignments: string[];
}

export interface DecideResult {
  deny: Decision[];
  audit: Decision[];
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

/**
 * Splits the failing findings into denied and audited ones. A finding counts when it fails, is
 * not exempt, and some assignment covers its rule and its resource's scope; several assignments
 * give the strictest mode. Passing, not applicable (including values unknown before apply) and
 * error findings never deny.
 *
 * ```ts
 * const { deny, audit } = decide(findings, resolveAssignments(policy, rules));
 * if (deny.length > 0) process.exitCode = 1;
 * ```
 */
export function decide(
  findings: Finding[],
  assignments: ResolvedAssignment[],
  subjectOf: (f: Finding) => ScopeSubject = subjectFromFinding,
): DecideResult {
  const byKey = new Map<string, Decision>();
  for (const f of findings) {
    if (f.status !== 'fail' || f.exemption) continue;
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
      if (!inScope(a.assignment.scope, subject) || excluded(a.assignment.exclude, subject))
        continue;
      const next = strictest(mode, ruleMode);
      if (next !== mode) {
        mode = next;
        ids.length = 0;
      }
      if (ruleMode === mode) ids.push(a.assignment.id);
    }
    if (mode === 'disabled') continue;
    const key = `${f.ruleId}\u0000${f.resourceType}\u0000${f.resourceId}\u0000${f.file ?? ''}`;
    const earlier = byKey.get(key);
    if (earlier && earlier.mode === mode) {
      for (const id of ids) if (!earlier.assignments.includes(id)) earlier.assignments.push(id);
      continue;
    }
    if (earlier && earlier.mode === 'deny') continue;
    byKey.set(key, { finding: f, mode, assignments: ids });
  }
  const decisions = [...byKey.values()];
  return {
    deny: decisions.filter((d) => d.mode === 'deny'),
    audit: decisions.filter((d) => d.mode === 'audit'),
  };
}
