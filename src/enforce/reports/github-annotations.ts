/**
 * The CI gate's verdicts as GitHub Actions workflow commands: `::error` for denied violations,
 * deny-mode rules that could not run and files that could not be read, `::warning` for audited
 * ones, `::notice` for enforced rules a value unknown before apply left unjudged, each on its
 * file and line, so they show on the pull request diff.
 */

import type { SourceError } from '../../model/source-error.js';
import { counted } from '../../report/counted.js';
import { repositoryPath } from '../../store/target-set.js';
import type { Decision } from '../decide.js';
import type { CheckResult } from '../ci-check.js';

/** Escapes a command's message (GitHub's rules: %, CR and LF). */
function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escapes a command property (also `:` and `,`, which delimit properties). */
function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * A file as an annotation names it: from the root of its git work tree, which is where GitHub
 * places annotations (the workspace), whatever folder the gate ran in; else as given.
 */
function annotatedFile(file: string): string {
  return repositoryPath(file.split('\\').join('/'));
}

function annotation(
  d: Decision,
  level: 'error' | 'warning' | 'notice',
  column: (d: Decision) => number | undefined,
): string {
  const f = d.finding;
  const props: string[] = [];
  if (f.file) props.push(`file=${escapeProperty(annotatedFile(f.file))}`);
  if (f.file && f.line) props.push(`line=${f.line}`);
  const col = column(d);
  if (f.file && f.line && col) props.push(`col=${col}`);
  const what =
    f.status === 'error'
      ? `rule could not run, ${d.mode}`
      : f.unknown !== undefined
        ? `not judged, ${d.mode}`
        : `${f.severity}, ${d.mode}`;
  props.push(`title=${escapeProperty(`${f.ruleId} (${what})`)}`);
  return `::${level} ${props.join(',')}::${escapeData(f.message)}`;
}

function inputErrorAnnotation(e: SourceError): string {
  const props = [`file=${escapeProperty(annotatedFile(e.file))}`];
  if (e.line) props.push(`line=${e.line}`);
  if (e.line && e.column) props.push(`col=${e.column}`);
  props.push(`title=${escapeProperty(`${e.code} (file not checked)`)}`);
  return `::error ${props.join(',')}::${escapeData(e.message)}`;
}

/**
 * One workflow command a line: files that could not be read, denied violations, audited ones,
 * then rules that could not run.
 */
export function renderGithubAnnotations(
  result: CheckResult,
  column: (d: Decision) => number | undefined = () => undefined,
): string {
  const lines = [
    ...result.inputErrors.map(inputErrorAnnotation),
    ...result.deny.map((d) => annotation(d, 'error', column)),
    ...result.audit.map((d) => annotation(d, 'warning', column)),
    ...result.errors.map((d) => annotation(d, d.mode === 'deny' ? 'error' : 'warning', column)),
    ...result.unknown.map((d) => annotation(d, 'notice', column)),
  ];
  const broken =
    (result.errors.length > 0 ? `, ${result.errors.length} enforced rules could not run` : '') +
    (result.unknown.length > 0 ? `, ${result.unknown.length} not judged (unknown values)` : '');
  const unread =
    result.inputErrors.length > 0
      ? `, ${counted(result.inputErrors.length, 'file')} could not be read`
      : '';
  const summary =
    `palisade check: ${result.deny.length} denied, ${result.audit.length} audited, ` +
    `${result.exempted.length} exempted, ${result.baselined.length} accepted by the baseline` +
    `${broken}${unread}`;
  lines.push(`::notice title=palisade check::${escapeData(summary)}`);
  return lines.join('\n') + '\n';
}
