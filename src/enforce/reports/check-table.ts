/**
 * The CI gate's verdicts for people: denied, then audited violations, enforced rules that could
 * not run, then the totals.
 */

import type { Decision } from '../decide.js';
import { hasDenyRuleErrors, type CheckResult } from '../ci-check.js';
import { printable } from '../../report/terminal-text.js';
import { counted } from '../../report/counted.js';
import { SEVERITIES } from '../../model/rule.js';

function row(d: Decision, label: string = d.finding.severity): string {
  const f = d.finding;
  const where = f.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : f.resourceId;
  return `  ${label.padEnd(8)} ${printable(f.ruleId)}\n           ${printable(`${where}  ${f.message}`)}`;
}

/** Most severe first; within a severity, in the order the gate found them (file order). */
function bySeverity(list: Decision[]): Decision[] {
  const rank = (d: Decision) => SEVERITIES.indexOf(d.finding.severity);
  // Array sort is stable: equal severities keep the gate's order.
  return [...list].sort((a, b) => rank(b) - rank(a));
}

function verdictOf(result: CheckResult): string {
  if (result.inputErrors.length > 0)
    return `FAILED (${counted(result.inputErrors.length, 'file')} could not be checked)`;
  if (hasDenyRuleErrors(result)) return 'FAILED (deny-mode rules could not run)';
  return result.deny.length > 0 ? 'FAILED' : 'passed';
}

/** Plain text report of a gate run. */
export function renderCheckTable(result: CheckResult): string {
  const out: string[] = [];
  if (result.deny.length > 0) {
    out.push(`DENIED (${result.deny.length}): these fail the check`);
    for (const d of bySeverity(result.deny)) out.push(row(d));
    out.push('');
  }
  if (result.audit.length > 0) {
    out.push(`AUDIT (${result.audit.length}): reported, not failing`);
    for (const d of bySeverity(result.audit)) out.push(row(d));
    out.push('');
  }
  if (result.exempted.length > 0) {
    out.push(`EXEMPTED (${result.exempted.length}): waived by an exemption or inline suppression`);
    for (const d of result.exempted) {
      const e = d.finding.exemption!;
      out.push(row(d));
      out.push(`           ${printable(`${e.category} at ${e.source}: ${e.justification}`)}`);
    }
    out.push('');
  }
  if (result.unknown.length > 0) {
    out.push(
      `NOT JUDGED (${result.unknown.length}): enforced rules whose verdict rests on a value ` +
        'unknown before apply; not failing (give the value, e.g. --var-file or --namespace, to judge them)',
    );
    for (const d of result.unknown) out.push(row(d, d.mode));
    out.push('');
  }
  if (result.baselined.length > 0) {
    out.push(`${result.baselined.length} known violations accepted by the baseline`);
    out.push('');
  }
  if (result.errors.length > 0) {
    out.push(
      `RULE ERRORS (${result.errors.length}): enforced rules that could not run; ` +
        'deny-mode ones fail the check',
    );
    for (const d of result.errors) out.push(row(d, d.mode));
    out.push('');
  }
  if (result.inputErrors.length > 0) {
    out.push(
      `NOT CHECKED (${result.inputErrors.length}): files the gate could not judge; they fail the check`,
    );
    for (const e of result.inputErrors) out.push(`  ${e.code} ${printable(e.message)}`);
    out.push('');
  }
  if (result.inputsChanged > 0) {
    // Said, so that a gate judging files nobody touched in the change is not a surprise.
    const one = result.inputsChanged === 1;
    out.push(
      `${counted(result.inputsChanged, 'resource')} judged: ${one ? 'its' : 'their'} ` +
        `configuration's inputs changed (a variable, .tfvars, module or other file ` +
        `${one ? 'it is' : 'they are'} evaluated from), not the file ${one ? 'it is' : 'they are'} ` +
        'written in',
    );
    out.push('');
  }
  out.push(checkVerdictLine(result));
  return out.join('\n') + '\n';
}

/**
 * The gate's verdict with its totals in one line, the table's last (and all `check --quiet`
 * prints on stdout).
 *
 * ```ts
 * checkVerdictLine(result);
 * // 'palisade check FAILED: 12 resources judged, 2 denied, 1 audited, 0 exempted, 0 baselined'
 * ```
 */
export function checkVerdictLine(result: CheckResult): string {
  const verdict = verdictOf(result);
  const broken =
    (result.errors.length > 0 ? `, ${result.errors.length} rule errors` : '') +
    (result.unknown.length > 0 ? `, ${result.unknown.length} not judged` : '');
  const plan =
    result.planUnchanged > 0 ? `, ${result.planUnchanged} unchanged plan entries skipped` : '';
  return (
    `palisade check ${verdict}: ${counted(result.resources.length, 'resource')} judged, ` +
    `${result.deny.length} denied, ${result.audit.length} audited, ` +
    `${result.exempted.length} exempted, ${result.baselined.length} baselined${broken}${plan}`
  );
}
