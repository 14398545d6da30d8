/**
 * The CI gate behind `palisade check`: read IaC (files, folders, rendered manifests from stdin),
 * keep what a plan creates or updates and what changed since a diff base, judge it, and split the
 * failures into denied, audited and already-accepted (baseline) ones, and the enforced rules that
 * could not run.
 */

import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { FileReport } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import type { Resource } from '../model/resource.js';
import type { Rule } from '../model/rule.js';
import { SourceReadError, type SourceError } from '../model/source-error.js';
import { compileRules, evaluate, judgedResource, type CompiledRule } from '../posture/engine.js';
import {
  applyExemptions,
  unmatchedResourceWarnings,
  unmatchedRuleWarnings,
  type Exemption,
} from '../posture/exemptions.js';
import { findingFingerprint } from '../report/sarif-fingerprint.js';
import { jsonProblem } from '../sources/json-syntax-error.js';
import {
  MAX_MANIFEST_BYTES,
  parseManifestObjects,
} from '../sources/kubernetes/manifest-documents.js';
import { readPaths, type Configuration } from '../sources/read-paths.js';
import type { ConfigurationInputs } from '../sources/reader.js';
import { fileReaders } from '../sources/registry.js';
import { decide, type Decision } from './decide.js';
import {
  DEFAULT_INLINE_SUPPRESSIONS,
  weighInlineSuppressions,
  type InlineSuppressionPolicy,
} from './inline-suppression-policy.js';
import { evaluateForAssignments } from './evaluate-assignments.js';
import {
  objectsWithoutNamespace,
  placeInNamespace,
  unplacedObjectsWarning,
} from './manifest-namespace.js';
import { planChanges, resourcesToJudge } from './plan-gate.js';
import type { ResolvedAssignment } from './resolve-assignments.js';
import { scopeMatchesNoFile, scopeMatchesNoResource } from './scope-warnings.js';

/** Manifests piped in (`helm template … | palisade check -`), under the name they are shown as. */
export interface StdinInput {
  name: string;
  text: string;
}

export interface CheckOptions {
  /** Files and folders to check (without `-`). */
  paths: string[];
  stdin?: StdinInput;
  rules: Rule[];
  compiled?: CompiledRule[];
  assignments: ResolvedAssignment[];
  exemptions?: Exemption[];
  /**
   * Absolute paths changed since the diff base; undefined checks every file. A resource is judged
   * when its own file changed or any input it is evaluated from did (`inputsChanged`).
   */
  changed?: Set<string>;
  /** Fingerprints of accepted violations. */
  baseline?: Set<string>;
  /** Namespace for Kubernetes objects whose manifest names none (`kubectl -n`); else `default`. */
  namespace?: string;
  /** What inline suppressions may waive; `DEFAULT_INLINE_SUPPRESSIONS` (audit-only) if unset. */
  inlineSuppressions?: InlineSuppressionPolicy;
  /** Terraform variable files, read after each root's own `.tfvars` (`terraform plan -var-file`). */
  varFiles?: string[];
}

export interface CheckResult {
  /** Resources judged (after the plan gate and the diff filter). */
  resources: Resource[];
  /**
   * With a diff base: how many of `resources` are judged although the file they are written in
   * did not change, because an input of their configuration did (a variable file, a module).
   */
  inputsChanged: number;
  /** Findings on those resources (every status). */
  findings: Finding[];
  deny: Decision[];
  audit: Decision[];
  /** Violations the baseline accepts: reported, never failing. */
  baselined: Decision[];
  /**
   * Enforced rules that could not run on a resource (error findings), with the mode they are
   * enforced in. A deny-mode one fails the gate: the rule cannot vouch for the resource.
   */
  errors: Decision[];
  /** Violations of enforced rules an exemption or inline suppression waives. */
  exempted: Decision[];
  /** Enforced rules that could not be judged: their verdict rests on an unknown value. */
  unknown: Decision[];
  files: FileReport[];
  /**
   * Files that could not be checked: unreadable, not parsing, or Helm templates that need
   * `helm template` first. Each one fails the gate: a file the gate did not judge is not passed.
   */
  inputErrors: SourceError[];
  /** Plan entries left out because the plan deletes them, leaves them alone or only reads them. */
  planUnchanged: number;
  warnings: string[];
  /**
   * Why stdin gave nothing to judge, when it was empty or held only YAML comments and document
   * markers (`stdin was empty`): not an input error of its own, as an empty file is not.
   */
  emptyStdin?: string;
}

/** The `kind` of the file report for stdin when nothing was piped in. */
const EMPTY_STDIN = 'empty-stdin';

/**
 * What stdin that no reader claims holds: why it is empty (nothing, or only YAML comments and
 * document markers), else the error to report: its YAML syntax error with the line (JSON's own
 * for text that starts as JSON does), as a file of it would be reported, or what it is not.
 */
function unrecognisedStdin(name: string, text: string): string | SourceError {
  if (!/\S/.test(text)) return 'stdin was empty';
  const notIac: SourceError = {
    file: name,
    code: 'PARSE_ERROR',
    message: `${name}: not Terraform plan JSON, CloudFormation, ARM or Kubernetes YAML`,
  };
  // Past the size a manifest may have, the YAML parser is not run: the reason above stands.
  if (text.length > MAX_MANIFEST_BYTES) return notIac;
  try {
    const objects = parseManifestObjects(name, text);
    const none = objects.every((o) => o.value === null || o.value === undefined);
    return none ? 'stdin held only YAML comments and document markers' : notIac;
  } catch (error) {
    if (!(error instanceof SourceReadError)) return notIac;
    // JSON read by the YAML parser would be told of flow maps; JSON's own error is clearer.
    const json = /^\s*[[{]/.test(text) ? jsonProblem(name, text) : undefined;
    return (json ?? error).toSourceError();
  }
}

/** `applyExemptions` options: the gate weighs inline suppressions itself, after `decide`. */
const NO_INLINE = { inline: false };

async function readStdin(input: StdinInput): Promise<{
  resources: Resource[];
  report: FileReport;
  warnings: string[];
  /** Why stdin gave nothing to read, when it was empty. */
  empty?: string;
}> {
  const source = { path: input.name, text: input.text.replace(/^\uFEFF/, '') };
  const reader = fileReaders.find((r) => {
    try {
      return r.detect(source);
    } catch {
      return false;
    }
  });
  if (!reader) {
    const diagnosis = unrecognisedStdin(input.name, source.text);
    // Nothing piped in (a chart or kustomization that rendered nothing, or a render that failed
    // upstream): no error of its own; `check` says so when nothing else is left to judge.
    if (typeof diagnosis === 'string') {
      return {
        resources: [],
        report: { file: input.name, kind: EMPTY_STDIN, resources: 0 },
        warnings: [],
        empty: diagnosis,
      };
    }
    return {
      resources: [],
      report: { file: input.name, kind: 'error', resources: 0, error: diagnosis },
      warnings: [],
    };
  }
  try {
    const result = await reader.read(source);
    return {
      resources: result.resources,
      report: { file: input.name, kind: reader.kind, resources: result.resources.length },
      warnings: result.warnings ?? [],
    };
  } catch (error) {
    const e: SourceError =
      error instanceof SourceReadError
        ? error.toSourceError()
        : {
            file: input.name,
            code: 'PARSE_ERROR',
            message: `${input.name}: ${(error as Error).message}`,
          };
    return {
      resources: [],
      report: { file: input.name, kind: 'error', resources: 0, error: e },
      warnings: [],
    };
  }
}

/** Resources the plan gate keeps: everything not from a plan, and what each plan changes. */
async function gatePlans(
  resources: Resource[],
  stdin: StdinInput | undefined,
): Promise<{ kept: Set<Resource>; skipped: number }> {
  const byFile = new Map<string, Resource[]>();
  const kept = new Set<Resource>();
  for (const r of resources) {
    if (r.source.kind !== 'terraform-plan' || !r.source.file) {
      kept.add(r);
      continue;
    }
    const list = byFile.get(r.source.file) ?? [];
    list.push(r);
    byFile.set(r.source.file, list);
  }
  let skipped = 0;
  for (const [file, list] of byFile) {
    const text = stdin && file === stdin.name ? stdin.text : await readFile(file, 'utf8');
    const judged = resourcesToJudge(list, planChanges(JSON.parse(text)));
    for (const r of judged) kept.add(r);
    skipped += list.length - judged.length;
  }
  return { kept, skipped };
}

function inChanged(file: string | undefined, changed: Set<string> | undefined): boolean {
  if (!changed) return true;
  return file !== undefined && changed.has(resolve(file));
}

/** Terraform's own files: each one in a module folder may change anything the module makes. */
const TERRAFORM_INPUT = /\.(tf|tf\.json|tfvars|tfvars\.json)$/;

/**
 * Whether a configuration read whole was evaluated from a changed file: a `.tf` or `.tfvars` file
 * of its root or of a module folder it calls (added, edited or deleted), or another file it read
 * (`--var-file`, `file()`). Which resources a changed variable, local or module reaches is not
 * traced: every resource of the configuration counts, so the gate errs on judging too much.
 */
function inputsChanged(inputs: ConfigurationInputs, changed: Set<string>): boolean {
  const folders = new Set(inputs.folders);
  const files = new Set(inputs.files);
  for (const file of changed) {
    if (files.has(file)) return true;
    if (TERRAFORM_INPUT.test(file) && folders.has(dirname(file))) return true;
  }
  return false;
}

/** What configurations whose inputs changed hold: their resources and their files' reports. */
function changedConfigurations(
  configurations: Configuration[],
  changed: Set<string> | undefined,
): { resources: Set<Resource>; files: Set<FileReport> } {
  const resources = new Set<Resource>();
  const files = new Set<FileReport>();
  if (!changed) return { resources, files };
  for (const configuration of configurations) {
    if (!inputsChanged(configuration.inputs, changed)) continue;
    for (const r of configuration.resources) resources.add(r);
    for (const f of configuration.files) files.add(f);
  }
  return { resources, files };
}

/**
 * Whether the parameters file an ARM template's resources read (`azuredeploy.parameters.json`
 * beside `azuredeploy.json`) changed.
 */
function parametersChanged(r: Resource, changed: Set<string> | undefined): boolean {
  const file = r.source.file;
  if (!changed || r.source.kind !== 'arm' || !file || !/\.json$/i.test(file)) return false;
  if (/\.parameters\.json$/i.test(file)) return false;
  return changed.has(resolve(file.replace(/\.json$/i, '.parameters.json')));
}

/**
 * Puts Kubernetes objects that name no namespace in `--namespace`; without it, a warning when a
 * namespace-scoped assignment would judge them as in `default`.
 */
function placeObjects(resources: Resource[], options: CheckOptions): string[] {
  const scoped = options.assignments.some(
    (a) => a.assignment.scope.namespaces || a.assignment.exclude.namespaces,
  );
  if (!options.namespace && !scoped) return [];

  const unplaced = objectsWithoutNamespace(resources);
  if (options.namespace) {
    placeInNamespace(unplaced, options.namespace);
    return [];
  }
  const warning = unplacedObjectsWarning(unplaced, options.assignments);
  return warning ? [warning] : [];
}

/**
 * Whether a deny-mode rule could not run on a resource under judgement: the gate cannot vouch for
 * that resource, so it fails (exit 2, as for input it cannot read).
 */
export function hasDenyRuleErrors(result: Pick<CheckResult, 'errors'>): boolean {
  return result.errors.some((e) => e.mode === 'deny');
}

/**
 * Runs the gate.
 *
 * ```ts
 * const result = await runCiCheck({ paths: ['infra/'], rules, assignments });
 * const cannotJudge = result.inputErrors.length > 0 || hasDenyRuleErrors(result);
 * process.exitCode = cannotJudge ? 2 : result.deny.length > 0 ? 1 : 0;
 * ```
 */
export async function runCiCheck(options: CheckOptions): Promise<CheckResult> {
  const read =
    options.paths.length > 0
      ? await readPaths(options.paths, { varFiles: options.varFiles })
      : { resources: [], files: [], warnings: [], configurations: [] };
  const files = [...read.files];
  const resources = [...read.resources];
  const warnings = [...read.warnings];
  let emptyStdin: string | undefined;
  if (options.stdin) {
    const piped = await readStdin(options.stdin);
    emptyStdin = piped.empty;
    files.push(piped.report);
    for (const item of piped.resources) resources.push(item);
    for (const item of piped.warnings) warnings.push(item);
  }

  const stdinName = options.stdin?.name;
  const changed = options.changed;
  // Unlike `scan` (an assessment that lists Helm templates as not assessed), the gate fails
  // closed: a template it could not judge may hold the violation it exists to stop.
  // A configuration whose inputs changed counts whole, its errors as well as its resources.
  const viaInputs = changedConfigurations(read.configurations, changed);
  const inputErrors = files
    .filter((f) => f.error)
    .filter((f) => f.file === stdinName || inChanged(f.file, changed) || viaInputs.files.has(f))
    .map((f) => f.error!);

  for (const item of placeObjects(resources, options)) warnings.push(item);

  const { kept, skipped } = await gatePlans(resources, options.stdin);
  const ownFileChanged = (r: Resource): boolean =>
    r.source.file === stdinName || inChanged(r.source.file, changed);
  const judged = (r: Resource | undefined): boolean =>
    r !== undefined &&
    kept.has(r) &&
    (ownFileChanged(r) || viaInputs.resources.has(r) || parametersChanged(r, changed));

  // Every resource is evaluated (rules may look at related resources in unchanged files); only
  // findings on the resources under judgement count.
  const compiled = options.compiled ?? compileRules(options.rules);
  const all = evaluate(compiled, resources);
  const findings = all.filter((f) => judged(judgedResource(f)));
  const judgedResources = resources.filter((r) => judged(r));
  const inputsChangedCount = judgedResources.filter((r) => !ownFileChanged(r)).length;
  // As `scan` does: a suppression or exemption naming no rule, or giving no reason, is said.
  const ruleIds = options.rules.map((r) => r.id);
  for (const item of unmatchedRuleWarnings(options.exemptions ?? [], judgedResources, ruleIds))
    warnings.push(item);
  for (const item of unmatchedResourceWarnings(options.exemptions ?? [], resources))
    warnings.push(item);

  const withParams = evaluateForAssignments(
    compiled,
    judgedResources,
    options.assignments,
    findings,
  );
  // Exemptions from the file first; inline suppressions once the mode of each violation is known,
  // since the policy decides which modes a suppression written in the change itself may lift.
  const exemptions = options.exemptions ?? [];
  for (const item of applyExemptions(withParams, judgedResources, exemptions, undefined, NO_INLINE))
    warnings.push(item);
  const decisions = decide(withParams, options.assignments);
  const byId = new Map(judgedResources.map((r) => [`${r.type}|${r.id}`, r]));
  const weighed = weighInlineSuppressions(
    decisions,
    options.inlineSuppressions ?? DEFAULT_INLINE_SUPPRESSIONS,
    (d) => byId.get(`${d.finding.resourceType}|${d.finding.resourceId}`),
  );
  for (const item of weighed.warnings) warnings.push(item);
  for (const item of scopeMatchesNoFile(options.assignments, files)) warnings.push(item);
  for (const item of scopeMatchesNoResource(options.assignments, resources)) warnings.push(item);
  const accepted = (d: Decision) => options.baseline?.has(findingFingerprint(d.finding)) ?? false;
  return {
    resources: judgedResources,
    inputsChanged: inputsChangedCount,
    findings,
    deny: weighed.deny.filter((d) => !accepted(d)),
    audit: weighed.audit.filter((d) => !accepted(d)),
    baselined: [...weighed.deny, ...weighed.audit].filter(accepted),
    errors: decisions.errors,
    exempted: [...decisions.exempted, ...weighed.exempted],
    unknown: decisions.unknown,
    files,
    inputErrors,
    planUnchanged: skipped,
    warnings,
    ...(emptyStdin ? { emptyStdin } : {}),
  };
}
