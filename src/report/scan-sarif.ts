/**
 * The SARIF log of `palisade scan`: the failing findings as results and, as tool execution
 * notifications, what the scan could not judge (files it could not read, rules that could not
 * run), with the invocation marked unsuccessful when there are any, as `palisade check` does.
 */

import type { AssessmentResult } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import type { Rule } from '../model/rule.js';
import { withInputErrors } from '../enforce/reports/sarif-input-errors.js';
import { withNotifications } from '../enforce/reports/sarif-notifications.js';
import { counted } from './counted.js';
import { renderSarifLog, sarifSourceRoot } from './sarif-report.js';

interface SarifRun {
  results?: { locations?: unknown[] }[];
}

/**
 * The scan's SARIF log (`palisade scan --format sarif`). A Helm template listed as not assessed, or
 * a file of no kind Palisade reads, is a `note` that leaves the invocation successful, as it
 * leaves the exit code alone.
 *
 * ```ts
 * await writeFile('palisade.sarif', renderScanSarif(assessment, rules));
 * ```
 */
export function renderScanSarif(a: AssessmentResult, rules: Rule[]): string {
  const failing = a.findings.filter((f) => f.status === 'fail');
  const ruleErrors = a.findings.filter((f) => f.status === 'error');
  const fileErrors = a.files.flatMap((f) => (f.error ? [f.error] : []));
  const unreadable = fileErrors.filter((e) => e.code !== 'UNSUPPORTED_TEMPLATE');
  const templates = fileErrors.filter((e) => e.code === 'UNSUPPORTED_TEMPLATE');
  const srcRoot = sarifSourceRoot([
    ...failing.map((f) => f.file),
    ...ruleErrors.map((f) => f.file),
    ...fileErrors.map((e) => e.file),
  ]);

  const log = renderSarifLog({
    findings: failing,
    rules,
    startedAt: a.startedAt,
    finishedAt: a.finishedAt,
    srcRoot,
  });
  // Notes, leaving the invocation successful: a folder holds files of other kinds as a rule,
  // but an export Palisade cannot read is named rather than passed over.
  const unrecognised = a.files.filter((f) => f.kind === 'unrecognised');
  const withTemplates = withNotifications(
    log,
    [
      ...templates.map((e) => ({
        level: 'note',
        message: { text: `${e.code}: ${e.message}; the template was not assessed` },
        descriptor: { id: e.code },
        properties: { file: e.file, code: e.code },
      })),
      ...unrecognised.map((f) => ({
        level: 'note',
        message: { text: `${f.file}: not recognised as any input Palisade reads; not assessed` },
        descriptor: { id: 'UNRECOGNISED' },
        properties: { file: f.file, code: 'UNRECOGNISED' },
      })),
    ],
    false,
  );
  return withInputErrors(
    withRuleErrorNotes(withTemplates, ruleErrors, srcRoot),
    unreadable,
    srcRoot,
  );
}

/**
 * `sarif` with one `error` notification per rule that could not run: on how many resources, the
 * first one's message and place. A rule that fails on every resource of a large estate is one
 * notification, not thousands.
 */
function withRuleErrorNotes(sarif: string, errors: Finding[], srcRoot: string): string {
  const byRule = new Map<string, Finding[]>();
  for (const f of errors) byRule.set(f.ruleId, [...(byRule.get(f.ruleId) ?? []), f]);
  const first = [...byRule.values()].map((list) => list[0]);

  // Locations are written as results write them: the same URIs and regions.
  const placed = JSON.parse(renderSarifLog({ findings: first, rules: [], srcRoot })) as {
    runs: SarifRun[];
  };
  const locations = placed.runs[0].results?.map((r) => r.locations ?? []) ?? [];

  return withNotifications(
    sarif,
    [...byRule.values()].map((list, i) => ({
      level: 'error',
      message: {
        text:
          `${list[0].ruleId} could not run on ${counted(list.length, 'resource')}: ` +
          list[0].message,
      },
      locations: locations[i],
      associatedRule: { id: list[0].ruleId },
      properties: {
        resources: list.length,
        resourceIds: list.slice(0, 20).map((f) => f.resourceId),
      },
    })),
  );
}
