/**
 * `palisade check`: the CI gate. Judges IaC (and rendered manifests on stdin) under the policy's
 * assignments and exits 1 when a deny-mode rule fails, 0 otherwise, 2 for input errors and for
 * a deny-mode rule that could not run.
 */

import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { stdin as processStdin } from 'node:process';
import type { Finding } from '../model/finding.js';
import type { Rule } from '../model/rule.js';
import { AssignmentLoadError, loadPolicy } from '../enforce/assignment-loader.js';
import { baselineOf, BaselineError, readBaseline, writeBaseline } from '../enforce/baseline.js';
import { changedFiles, DiffBaseError } from '../enforce/changed-files.js';
import {
  hasDenyRuleErrors,
  runCiCheck,
  type CheckResult,
  type StdinInput,
} from '../enforce/ci-check.js';
import type { Decision } from '../enforce/decide.js';
import { loadEnforcementRules } from '../enforce/enforcement-rules.js';
import { checkVerdictLine, renderCheckTable } from '../enforce/reports/check-table.js';
import { renderGithubAnnotations } from '../enforce/reports/github-annotations.js';
import { renderJunit } from '../enforce/reports/junit-report.js';
import { withInputErrors } from '../enforce/reports/sarif-input-errors.js';
import { withRuleErrors, withUnjudged } from '../enforce/reports/sarif-rule-errors.js';
import { defaultPolicy, resolveAssignments } from '../enforce/resolve-assignments.js';
import { loadCatalog } from '../posture/benchmark-catalog.js';
import { compileRules } from '../posture/engine.js';
import { ExemptionLoadError, loadExemptions } from '../posture/exemptions.js';
import { RuleLoadError } from '../posture/rule-loader.js';
import { isKustomizePatchError } from '../sources/kubernetes/kustomize-patch.js';
import { renderSarifLog, sarifSourceRoot } from '../report/sarif-report.js';
import { repositoryPath } from '../store/target-set.js';
import { counted } from '../report/counted.js';
import { printable } from '../report/terminal-text.js';
import { EXIT_FINDINGS, EXIT_INPUT_ERROR, EXIT_OK } from './exit-codes.js';

export type CheckFormat = 'table' | 'sarif' | 'junit' | 'github' | 'json';

export interface CheckCommandOptions {
  format: CheckFormat;
  output?: string;
  /** Policy files or folders (initiatives and assignments); none: the whole benchmark, deny. */
  policy: string[];
  rules: string[];
  exemptions?: string;
  diffBase?: string;
  baseline?: string;
  writeBaseline?: string;
  /** Name shown for manifests read from stdin. */
  stdinName: string;
  /** Namespace for Kubernetes objects whose manifest names none (as `kubectl -n`). */
  namespace?: string;
  /** Terraform variable files (`--var-file`, repeatable). */
  varFile?: string[];
  /**
   * Print nothing but errors (stderr) and the one-line verdict (stdout): no report on stdout,
   * no warnings or notices. A report still goes to `output` when one is given.
   */
  quiet?: boolean;
  /**
   * A deny-mode rule whose verdict rests on a value unknown before apply denies, instead of
   * being listed as not judged (`--deny-unjudged`): for pipelines that must fail closed.
   */
  denyUnjudged?: boolean;
}

/**
 * The result with every deny-mode rule left unjudged counted as a denial: its finding's
 * sentence ("cannot be judged: X is unknown") is what the reports show. Audit-mode ones stay
 * listed as not judged.
 */
function denyingUnjudged(result: CheckResult): CheckResult {
  const denied = result.unknown.filter((d) => d.mode === 'deny');
  if (denied.length === 0) return result;
  return {
    ...result,
    deny: [...result.deny, ...denied],
    unknown: result.unknown.filter((d) => d.mode !== 'deny'),
  };
}

/** A Kubernetes namespace name: an RFC 1123 label. */
const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** Largest stdin accepted (rendered Helm output of a big umbrella chart is a few MB). */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

function fail(message: string): number {
  process.stderr.write(`palisade: ${message}\n`);
  return EXIT_INPUT_ERROR;
}

async function readAllStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of processStdin) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buf.length;
    if (size > MAX_STDIN_BYTES) throw new Error(`stdin is larger than ${MAX_STDIN_BYTES} bytes`);
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Column (1-based) of the first non-blank character on a finding's line: where its block starts. */
function columnFinder(stdin: StdinInput | undefined): (f: Finding) => Promise<number | undefined> {
  const cache = new Map<string, Promise<string[] | undefined>>();
  return async (f) => {
    if (!f.file || !f.line) return undefined;
    let lines = cache.get(f.file);
    if (!lines) {
      lines =
        stdin && f.file === stdin.name
          ? Promise.resolve(stdin.text.split('\n'))
          : readFile(f.file, 'utf8').then(
              (t) => t.split('\n'),
              () => undefined,
            );
      cache.set(f.file, lines);
    }
    const text = (await lines)?.[f.line - 1];
    if (text === undefined) return undefined;
    const at = text.search(/\S/);
    return at >= 0 ? at + 1 : 1;
  };
}

async function render(
  paths: string[],
  result: CheckResult,
  rules: Rule[],
  options: CheckCommandOptions,
  stdin: StdinInput | undefined,
): Promise<string> {
  const decisions = [...result.deny, ...result.audit];
  const find = columnFinder(stdin);
  const columns = new Map<Finding, number | undefined>();
  for (const d of [
    ...decisions,
    ...result.baselined,
    ...result.exempted,
    ...result.errors,
    ...result.unknown,
  ])
    columns.set(d.finding, await find(d.finding));
  const modeOf = new Map<Finding, Decision>(
    [...decisions, ...result.baselined, ...result.exempted].map((d) => [d.finding, d]),
  );
  switch (options.format) {
    case 'sarif': {
      // Exempted violations are results too, marked suppressed (as `scan` writes them), so code
      // scanning shows what was waived and closes the alert instead of losing track of it.
      const reported = [...decisions, ...result.baselined, ...result.exempted];
      const srcRoot = sarifSourceRoot([
        ...reported.map((d) => d.finding.file),
        ...result.errors.map((d) => d.finding.file),
        ...result.inputErrors.map((e) => e.file),
      ]);
      const log = renderSarifLog({
        findings: reported.map((d) => d.finding),
        rules,
        level: (f) =>
          modeOf.get(f)?.mode === 'deny' && !isBaselined(result, f) ? 'error' : 'warning',
        column: (f) => columns.get(f),
        properties: (f) => ({
          enforcement: isBaselined(result, f) ? 'baseline' : modeOf.get(f)?.mode,
          assignments: modeOf.get(f)?.assignments,
        }),
        ...checkCategory(paths, options),
        srcRoot,
      });
      const column = (d: Decision) => columns.get(d.finding);
      return withInputErrors(
        withUnjudged(
          withRuleErrors(log, result.errors, column, srcRoot),
          result.unknown,
          column,
          srcRoot,
        ),
        result.inputErrors,
        srcRoot,
      );
    }
    case 'junit':
      return renderJunit(result);
    case 'github':
      return renderGithubAnnotations(result, (d) => columns.get(d.finding));
    case 'json':
      return JSON.stringify(jsonReport(result), null, 2) + '\n';
    default:
      return renderCheckTable(result);
  }
}

/**
 * The SARIF category of a gate run: what it checked (paths from the repository root, stdin by
 * name) under which policy files, hashed, so two uploads for one commit (`infra/` and `k8s/`, or
 * two policies) are two analyses in code scanning rather than one replacing the other.
 */
function checkCategory(
  paths: string[],
  options: CheckCommandOptions,
): { category: string; categoryDescription: string } {
  const named = (list: string[]) =>
    list.map((p) => (p === '-' ? `stdin:${options.stdinName}` : repositoryPath(p))).sort();
  const checked = named(paths);
  const policy = named(options.policy);
  const key = JSON.stringify({ checked, policy });
  return {
    category: `palisade-check/${createHash('sha256').update(key).digest('hex').slice(0, 12)}`,
    categoryDescription:
      `palisade check ${checked.join(' ')}` +
      (policy.length > 0 ? ` --policy ${policy.join(' --policy ')}` : ''),
  };
}

function isBaselined(result: CheckResult, f: Finding): boolean {
  return result.baselined.some((d) => d.finding === f);
}

function jsonReport(result: CheckResult): Record<string, unknown> {
  const item = (d: Decision) => ({
    ruleId: d.finding.ruleId,
    severity: d.finding.severity,
    resourceId: d.finding.resourceId,
    resourceType: d.finding.resourceType,
    file: d.finding.file,
    line: d.finding.line,
    message: d.finding.message,
    mode: d.mode,
    assignments: d.assignments,
  });
  return {
    passed:
      result.deny.length === 0 && result.inputErrors.length === 0 && !hasDenyRuleErrors(result),
    resources: result.resources.length,
    inputsChanged: result.inputsChanged,
    planUnchanged: result.planUnchanged,
    deny: result.deny.map(item),
    audit: result.audit.map(item),
    baselined: result.baselined.map(item),
    exempted: result.exempted.map((d) => ({ ...item(d), exemption: d.finding.exemption })),
    ruleErrors: result.errors.map(item),
    notJudged: result.unknown.map((d) => ({ ...item(d), unknown: d.finding.unknown })),
    inputErrors: result.inputErrors,
  };
}

/** A rule that could not run, for stderr: a deny-mode one fails the gate, an audit-mode one warns. */
function ruleErrorLine(d: Decision): string {
  const f = d.finding;
  const where = f.file ? ` (${f.file}${f.line ? `:${f.line}` : ''})` : '';
  const kind = d.mode === 'deny' ? 'RULE_ERROR' : 'warning: RULE_ERROR (audit mode)';
  return printable(`${kind} ${f.ruleId} on ${f.resourceId}${where}: ${f.message}`);
}

/** Runs the gate; returns the exit code. */
export async function runCheck(paths: string[], options: CheckCommandOptions): Promise<number> {
  // Warnings, notices and what was written where: what `--quiet` leaves out.
  const note = (message: string) => {
    if (!options.quiet) process.stderr.write(`palisade: ${message}\n`);
  };
  if (options.quiet && options.format !== 'table' && !options.output) {
    return fail(
      `--quiet prints only the verdict, so the ${options.format} report would be lost: ` +
        'give -o FILE to write it, or leave out --quiet',
    );
  }
  if (options.namespace !== undefined && !NAMESPACE_NAME.test(options.namespace)) {
    return fail(
      `--namespace ${printable(options.namespace)}: not a namespace name ` +
        '(lower-case letters, digits and "-", up to 63)',
    );
  }
  const fromStdin = paths.includes('-');
  const filePaths = paths.filter((p) => p !== '-');
  let rules: Rule[];
  let compiled;
  let assignments;
  let exemptions;
  let inlineSuppressions;
  let baseline: Set<string> | undefined;
  let changed: Set<string> | undefined;
  try {
    rules = await loadEnforcementRules(options.rules, {
      onWarning: (message) => note(`notice: ${printable(message)}`),
    });
    compiled = compileRules(rules);
    const policy = options.policy.length > 0 ? await loadPolicy(options.policy) : defaultPolicy();
    // A gate given policy files that assign nothing would pass everything without a word.
    if (policy.assignments.length === 0) {
      return fail(
        `--policy ${options.policy.join(', ')}: no assignment in it, so nothing would be ` +
          'enforced; add one (without --policy the whole benchmark is enforced in deny mode)',
      );
    }
    assignments = resolveAssignments(policy, rules, (await loadCatalog()).standards);
    for (const warning of policy.warnings ?? []) note(`warning: ${warning}`);
    inlineSuppressions = policy.inlineSuppressions;
    exemptions = options.exemptions ? await loadExemptions(options.exemptions) : [];
    baseline = options.baseline ? await readBaseline(options.baseline) : undefined;
    if (options.diffBase !== undefined) {
      if (filePaths.length === 0)
        return fail('--diff-base needs at least one path in a git repository');
      changed = await changedFiles(filePaths, options.diffBase);
    }
  } catch (error) {
    const known = [
      RuleLoadError,
      AssignmentLoadError,
      ExemptionLoadError,
      BaselineError,
      DiffBaseError,
    ];
    if (known.some((k) => error instanceof k)) return fail((error as Error).message);
    throw error;
  }

  let stdin: StdinInput | undefined;
  if (fromStdin) {
    try {
      stdin = { name: options.stdinName, text: await readAllStdin() };
    } catch (error) {
      return fail(`stdin: ${(error as Error).message}`);
    }
  }

  const checked = await runCiCheck({
    paths: filePaths,
    stdin,
    rules,
    compiled,
    assignments,
    exemptions,
    changed,
    baseline,
    inlineSuppressions,
    namespace: options.namespace,
    varFiles: options.varFile,
  });
  const result = options.denyUnjudged ? denyingUnjudged(checked) : checked;
  for (const warning of result.warnings) note(`warning: ${warning}`);
  for (const e of result.inputErrors) process.stderr.write(`palisade: ${e.code} ${e.message}\n`);
  for (const d of result.errors) {
    // An audit-mode rule that could not run is a warning: the gate passes all the same.
    if (d.mode === 'deny') process.stderr.write(`palisade: ${ruleErrorLine(d)}\n`);
    else note(ruleErrorLine(d));
  }
  const unrendered = result.inputErrors.filter((e) => e.code === 'UNSUPPORTED_TEMPLATE');
  const patches = unrendered.filter(isKustomizePatchError).length;
  const templates = unrendered.length - patches;
  if (templates > 0) {
    process.stderr.write(
      `palisade: ${counted(templates, 'Helm template')} could not be checked and fail the gate: ` +
        'pipe the rendered chart in (helm template CHART | palisade check -) and leave its ' +
        'templates/ folder out of the paths\n',
    );
  }
  if (patches > 0) {
    process.stderr.write(
      `palisade: ${counted(patches, 'Kustomize patch', 'Kustomize patches')} could not be ` +
        'checked and fail the gate: pipe the built overlay in (kubectl kustomize DIR | ' +
        'palisade check -) and leave the overlay out of the paths\n',
    );
  }

  const nothing = result.resources.length === 0 && result.files.every((f) => f.resources === 0);
  if (nothing && !changed && result.inputErrors.length === 0) {
    // As for an empty file: a render that failed before the pipe looks just the same.
    if (result.emptyStdin && filePaths.length === 0) {
      return fail(
        `${result.emptyStdin}, so nothing was checked; exit 2 as for an empty file, since a ` +
          'render that failed before the pipe looks the same',
      );
    }
    const named = paths.map((p) =>
      p === '-' ? `stdin (${result.emptyStdin ?? `read as ${options.stdinName}`})` : p,
    );
    return fail(`no resources found in ${named.join(', ')}; nothing was checked`);
  }
  if (result.emptyStdin) note(`warning: ${result.emptyStdin}; only the paths named were checked`);

  // Writing a baseline accepts today's violations: the report shows them as baselined, as the
  // next run with `--baseline` will, instead of a failed gate that exits 0.
  const baselineFindings = [...result.deny, ...result.audit, ...result.baselined].map(
    (d) => d.finding,
  );
  const shown = options.writeBaseline
    ? { ...result, deny: [], baselined: [...result.baselined, ...result.deny] }
    : result;

  const report = await render(paths, shown, rules, options, stdin);
  if (options.output) {
    await writeFile(options.output, report);
    note(`wrote ${options.format} report to ${options.output}`);
  } else if (!options.quiet) {
    process.stdout.write(report);
  }

  if (options.writeBaseline) {
    await writeBaseline(options.writeBaseline, baselineOf(baselineFindings));
    note(`wrote a baseline of ${baselineFindings.length} violations to ${options.writeBaseline}`);
  }
  if (options.quiet) process.stdout.write(`${checkVerdictLine(shown)}\n`);

  if (result.inputErrors.length > 0 || hasDenyRuleErrors(result)) return EXIT_INPUT_ERROR;
  if (options.writeBaseline) return EXIT_OK;
  return result.deny.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}
