/**
 * Files the CI gate could not read, in its SARIF log: tool execution notifications of the run's
 * invocation (SARIF 2.1.0 §3.20.21) on the file and line at fault, with the invocation marked
 * unsuccessful, so code scanning shows that the gate could not judge them.
 */

import type { Finding } from '../../model/finding.js';
import type { SourceError } from '../../model/source-error.js';
import { renderSarifLog } from '../../report/sarif-report.js';
import { withNotifications } from './sarif-notifications.js';

interface SarifRun {
  results?: { locations?: { physicalLocation?: unknown }[] }[];
}

/** The physical location SARIF results use for `error`'s file and line (same URIs, regions). */
function physicalLocations(errors: SourceError[], srcRoot: string | undefined): unknown[] {
  // The result writer knows how files are named from %SRCROOT%; it is given each error as a
  // stand-in finding and only its location is kept.
  const stand: Finding[] = errors.map((e) => ({
    ruleId: e.code,
    resourceId: e.file,
    resourceType: 'file',
    resourceName: e.file,
    status: 'error',
    severity: 'high',
    control: '',
    message: e.message,
    file: e.file,
    line: e.line,
  }));
  const columns = new Map(stand.map((f, i) => [f, errors[i].column]));
  const placed = JSON.parse(
    renderSarifLog({ findings: stand, rules: [], column: (f) => columns.get(f), srcRoot }),
  ) as { runs: SarifRun[] };
  return (placed.runs[0].results ?? []).map((r) => r.locations?.[0]?.physicalLocation);
}

/**
 * `sarif` with one `error` notification per file that could not be read; with any, the
 * invocation is marked unsuccessful. Notifications already there (rules that could not run) stay.
 *
 * ```ts
 * const log = withInputErrors(renderSarifLog({ findings, rules }), result.inputErrors);
 * ```
 */
export function withInputErrors(sarif: string, errors: SourceError[], srcRoot?: string): string {
  if (errors.length === 0) return sarif;

  const locations = physicalLocations(errors, srcRoot);
  return withNotifications(
    sarif,
    errors.map((e, i) => ({
      level: 'error',
      message: { text: `${e.code}: ${e.message}; the file was not checked` },
      ...(locations[i] ? { locations: [{ physicalLocation: locations[i] }] } : {}),
      descriptor: { id: e.code },
      properties: { file: e.file, code: e.code },
    })),
  );
}
