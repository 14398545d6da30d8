/** The CI gate's verdicts for people: denied, then audited violations, then the totals. */

import type { Decision } from '../decide.js';
import type { CheckResult } from '../ci-check.js';
import { printable } from '../../report/terminal-text.js';

function row(d: Decision): string {
  const f = d.finding;
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : f.resourceId;
  return `  ${f.severity.padEnd(8)} ${printable(f.ruleId)}\n           ${printable(`${where}  ${f.message}`)}`;
}

/** Plain text report of a gate run. */
export function renderCheckTable(result: CheckResult): string {
  const out: string[] = [];
  if (result.deny.length > 0) {
    out.push(`DENIED (${result.deny.length}): these fail the check`);
    for (const d of result.deny) out.push(row(d));
    out.push('');
  }
  if (result.audit.length > 0) {
    out.push(`AUDIT (${result.audit.length}): reported, not failing`);
    for (const d of result.audit) out.push(row(d));
    out.push('');
  }
  if (result.baselined.length > 0) {
    out.push(`${result.baselined.length} known violations accepted by the baseline`);
    out.push('');
  }
  for (const e of result.inputErrors) out.push(`INPUT ERROR ${e.code} ${printable(e.message)}`);
  const verdict =
    result.inputErrors.length > 0 ? 'input errors' : result.deny.length > 0 ? 'FAILED' : 'passed';
  const plan =
    result.planUnchanged > 0 ? `, ${result.planUnchanged} unchanged plan entries skipped` : '';
  out.push(
    `palisade check ${verdict}: ${result.resources.length} resources judged, ` +
      `${result.deny.length} denied, ${result.audit.length} audited, ` +
      `${result.baselined.length} baselined${plan}`,
  );
  return out.join('\n') + '\n';
}
