/**
 * Enforced rules that could not run, in the CI gate's SARIF log: tool execution notifications of
 * the run's invocation (SARIF 2.1.0 §3.20.21), never results, so a broken rule raises no alert
 * that code scanning would track as a violation.
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
  if (errors.length === 0) return sarif;

  // Locations are written as results write them: the same URIs and regions.
  const byFinding = new Map(errors.map((d) => [d.finding, d]));
  const placed = JSON.parse(
    renderSarifLog({
      findings: errors.map((d) => d.finding),
      rules: [],
      column: (f) => column(byFinding.get(f)!),
      srcRoot,
    }),
  ) as { runs: SarifRun[] };
  const locations = placed.runs[0].results?.map((r) => r.locations ?? []) ?? [];

  return withNotifications(
    sarif,
    errors.map((d, i) => ({
      level: d.mode === 'deny' ? 'error' : 'warning',
      message: { text: `${d.finding.ruleId} could not run (${d.mode} mode): ${d.finding.message}` },
      locations: locations[i],
      associatedRule: { id: d.finding.ruleId },
      properties: {
        resourceId: d.finding.resourceId,
        resourceType: d.finding.resourceType,
        enforcement: d.mode,
        assignments: d.assignments,
      },
    })),
  );
}
