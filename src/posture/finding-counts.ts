/**
 * An assessment's finding counts: pass, fail (and fail by severity), not applicable (and of them
 * not judged: a value the rule reads is unknown), error and exempt. Exempt means what it means to the secure score: a judged finding (pass or fail) that an
 * exemption takes out of scoring; it counts as exempt, not as pass or fail. Counts of batches of
 * findings add up.
 */

import type { AssessmentResult } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import { SEVERITIES, type Severity } from '../model/rule.js';

export type FindingCounts = Omit<AssessmentResult['counts'], 'resources' | 'rules'>;

/** Zero of every count. */
export function emptyCounts(): FindingCounts {
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  return { pass: 0, fail: 0, notApplicable: 0, notJudged: 0, error: 0, exempt: 0, bySeverity };
}

/** Adds `findings` to `counts` (a fresh set when none is given) and returns it. */
export function countFindings(
  findings: readonly Finding[],
  counts: FindingCounts = emptyCounts(),
): FindingCounts {
  for (const f of findings) countFinding(f, counts);
  return counts;
}

/** Adds one finding to `counts`. */
export function countFinding(f: Finding, counts: FindingCounts): void {
  if (f.exemption && (f.status === 'fail' || f.status === 'pass')) counts.exempt += 1;
  else if (f.status === 'pass') counts.pass += 1;
  else if (f.status === 'fail') {
    counts.fail += 1;
    counts.bySeverity[f.severity] += 1;
  } else if (f.status === 'not_applicable') {
    counts.notApplicable += 1;
    if (f.unknown !== undefined) counts.notJudged = (counts.notJudged ?? 0) + 1;
  } else counts.error += 1;
}

/** Adds the counts of `from` to `into`. */
export function addCounts(into: FindingCounts, from: FindingCounts): FindingCounts {
  into.pass += from.pass;
  into.fail += from.fail;
  into.notApplicable += from.notApplicable;
  if (from.notJudged !== undefined) into.notJudged = (into.notJudged ?? 0) + from.notJudged;
  into.error += from.error;
  into.exempt += from.exempt;
  for (const s of SEVERITIES) into.bySeverity[s] += from.bySeverity[s];
  return into;
}
