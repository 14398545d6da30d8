/**
 * The order reports list findings in: most severe first, then in the order the scan found them
 * (file by file), so a report cut at a limit never drops a critical finding to keep a low one.
 */

import type { Finding } from '../model/finding.js';
import type { Severity } from '../model/rule.js';

/** Severities from the most to the least severe. */
export const MOST_SEVERE_FIRST: readonly Severity[] = [
  'critical',
  'high',
  'medium',
  'low',
  'informational',
];

/**
 * `findings` sorted most severe first; findings of one severity keep their order.
 *
 * ```ts
 * mostSevereFirst(failing).slice(0, 1000); // the 1,000 most severe
 * ```
 */
export function mostSevereFirst<T extends Pick<Finding, 'severity'>>(findings: T[]): T[] {
  const rank = (f: T) => MOST_SEVERE_FIRST.indexOf(f.severity);
  return [...findings].sort((x, y) => rank(x) - rank(y));
}

/**
 * Where a finding is, for people: `file:line`, `file` when the finding has no line (an inventory
 * record), or undefined when it has no file.
 */
export function findingPlace(f: Pick<Finding, 'file' | 'line'>): string | undefined {
  if (!f.file) return undefined;
  return f.line === undefined ? f.file : `${f.file}:${f.line}`;
}

/**
 * How many of `findings` there are of each severity, most severe first, for sentences people
 * read.
 *
 * ```ts
 * severityBreakdown(crossed); // '2 critical, 10 high'
 * ```
 */
export function severityBreakdown(findings: Pick<Finding, 'severity'>[]): string {
  return MOST_SEVERE_FIRST.map((s) => ({ s, n: findings.filter((f) => f.severity === s).length }))
    .filter(({ n }) => n > 0)
    .map(({ s, n }) => `${n} ${s}`)
    .join(', ');
}
