/**
 * Enforced rules that could not run, and those a value unknown before apply left unjudged, in the
 * CI gate's SARIF log: tool execution notifications of the run's invocation (SARIF 2.1.0
 * §3.20.21), never results, so neither raises an alert that code scanning would track as a
 * violation.
 */

import type { Decision } from '../decide.js';
import { renderSarifLog } from '../../report/sarif-report.js';
import { withNotifications } from './sarif-notifications.js';

interface SarifRun {
  results?: { locations?: unknown[] }[];
}

/**
 * `sarif` (a log from `renderSarifLog`) with one notification per rule error: `error` for a
 * deny-mode rule, `warning` for an audit-mode one, on the resource's file and line. With any
 * rule error the invocation is marked unsuccessful.
 *
 * ```ts
 * const log = withRuleErrors(renderSarifLog({ findings, rules }), result.errors);
 * ```
 */
export function withRuleErrors(
  sarif: string,
  errors: Decision[],
  column: (d: Decision) => number | undefined = () => undefined,
  srcRoot?: string,
): string {
  return withDecisionNotifications(
    sarif,
    errors,
    (d) => ({
      level: d.mode === 'deny' ? 'error' : 'warning',
      text: `${d.finding.ruleId} could not run (${d.mode} mode): ${d.finding.message}`,
    }),
    { column, srcRoot, failed: true },
  );
}

/**
 * `sarif` with one `note` notification per enforced rule a value unknown before apply left
 * unjudged, on the resource's file and line; the invocation stays successful (the gate judged
 * what it could, and says what it could not).
 */
export function withUnjudged(
  sarif: string,
  unknown: Decision[],
  column: (d: Decision) => number | undefined = () => undefined,
  srcRoot?: string,
): string {
  return withDecisionNotifications(
    sarif,
    unknown,
    (d) => ({
      level: 'note',
      text: `${d.finding.ruleId} not judged (${d.mode} mode): ${d.finding.message}`,
    }),
    { column, srcRoot, failed: false },
  );
}

function withDecisionNotifications(
  sarif: string,
  decisions: Decision[],
  say: (d: Decision) => { level: string; text: string },
  options: { column: (d: Decision) => number | undefined; srcRoot?: string; failed: boolean },
): string {
  if (decisions.length === 0) return sarif;

  // Locations are written as results write them: the same URIs and regions.
  const byFinding = new Map(decisions.map((d) => [d.finding, d]));
  const placed = JSON.parse(
    renderSarifLog({
      findings: decisions.map((d) => d.finding),
      rules: [],
      column: (f) => options.column(byFinding.get(f)!),
      srcRoot: options.srcRoot,
    }),
  ) as { runs: SarifRun[] };
  const locations = placed.runs[0].results?.map((r) => r.locations ?? []) ?? [];

  return withNotifications(
    sarif,
    decisions.map((d, i) => {
      const { level, text } = say(d);
      return {
        level,
        message: { text },
        locations: locations[i],
        associatedRule: { id: d.finding.ruleId },
        properties: {
          resourceId: d.finding.resourceId,
          resourceType: d.finding.resourceType,
          enforcement: d.mode,
          assignments: d.assignments,
        },
      };
    }),
    options.failed,
  );
}
