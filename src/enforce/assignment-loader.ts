/**
 * Reads enforcement policy files (initiatives and assignments) from YAML with strict validation:
 * an unknown key, a wrong type or a mode that does not exist is an error naming the file, line
 * and field, and nothing is half-loaded.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { checkUniqueKeys } from '../model/yaml-unique-keys.js';
import type { Assignment, AssignmentScope, EnforcementPolicy, Initiative } from './assignment.js';
import { globProblem } from './glob.js';
import { ENFORCEMENT_MODES, isEnforcementMode, type EnforcementMode } from './enforcement-mode.js';
import {
  DEFAULT_INLINE_SUPPRESSIONS,
  INLINE_SUPPRESSION_MODES,
  isInlineSuppressionMode,
  type InlineSuppressionMode,
  type InlineSuppressionPolicy,
} from './inline-suppression-policy.js';

/** A policy file or API object that cannot be used, with where and why. */
export class AssignmentLoadError extends Error {
  readonly code = 'INVALID_ASSIGNMENT';
  readonly file: string;
  readonly line?: number;
  readonly field?: string;

  constructor(props: { file: string; message: string; line?: number; field?: string }) {
    const place = props.line ? `${props.file}:${props.line}` : props.file;
    const field = props.field ? ` (field ${props.field})` : '';
    super(`${place}${field}: ${props.message}`);
    this.name = 'AssignmentLoadError';
    this.file = props.file;
    this.line = props.line;
    this.field = props.field;
  }
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,119}$/;
const SCOPE_KEYS = ['accounts', 'subscriptions', 'projects', 'namespaces', 'paths'] as const;
const ASSIGNMENT_KEYS = [
  'id',
  'title',
  'benchmark',
  'initiative',
  'scope',
  'exclude',
  'mode',
  'rules',
  'parameters',
];
const INITIATIVE_KEYS = ['id', 'title', 'rules'];

type Fail = (field: string, message: string) => never;

/** Field-level checks shared by files and API objects; `fail` throws with the place. */
class Checker {
  constructor(readonly fail: Fail) {}

  mapping(value: unknown, field: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      this.fail(field, 'must be a mapping');
    return value as Record<string, unknown>;
  }

  onlyKeys(data: Record<string, unknown>, allowed: readonly string[], field: string): void {
    for (const key of Object.keys(data)) {
      if (allowed.includes(key)) continue;
      const at = field ? `${field}.${key}` : key;
      this.fail(at, `unknown key "${key}"; expected one of ${allowed.join(', ')}`);
    }
  }

  id(value: unknown, field: string): string {
    if (typeof value !== 'string' || !ID_PATTERN.test(value))
      this.fail(field, 'must be an id of letters, digits, "-", "_" or "." (up to 120)');
    return value as string;
  }

  optionalString(value: unknown, field: string): string | undefined {
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      this.fail(field, 'must be a non-empty string');
    return (value as string).trim();
  }

  stringList(value: unknown, field: string): string[] {
    if (!Array.isArray(value)) this.fail(field, 'must be a list of strings');
    const list = value as unknown[];
    list.forEach((v, i) => {
      if (typeof v !== 'string' || v.trim() === '')
        this.fail(`${field}.${i}`, 'must be a non-empty string');
    });
    return list.map((v) => String(v).trim());
  }

  /** A list of globs: strings a matcher can take (bounded length and wildcards). */
  globList(value: unknown, field: string): string[] {
    const list = this.stringList(value, field);
    list.forEach((glob, i) => {
      const problem = globProblem(glob);
      if (problem) this.fail(`${field}.${i}`, problem);
    });
    return list;
  }

  mode(value: unknown, field: string): EnforcementMode {
    if (!isEnforcementMode(value))
      this.fail(field, `must be one of ${ENFORCEMENT_MODES.join(', ')}`);
    return value as EnforcementMode;
  }

  scope(value: unknown, field: string): AssignmentScope {
    if (value === undefined || value === null) return {};
    const data = this.mapping(value, field);
    this.onlyKeys(data, SCOPE_KEYS, field);
    const scope: AssignmentScope = {};
    for (const key of SCOPE_KEYS) {
      if (data[key] === undefined) continue;
      const list = this.globList(data[key], `${field}.${key}`);
      if (list.length === 0) this.fail(`${field}.${key}`, 'must name at least one value');
      // `./infra/**` means `infra/**`: file paths are compared without a leading `./`.
      scope[key] = key === 'paths' ? list.map((p) => p.replace(/^(\.\/)+/, '')) : list;
    }
    return scope;
  }
}

/** Validates one initiative (from a file or the API). */
export function validateInitiative(data: unknown, checker: Checker, field = ''): Initiative {
  const at = (key: string) => (field ? `${field}.${key}` : key);
  const d = checker.mapping(data, field || 'initiative');
  checker.onlyKeys(d, INITIATIVE_KEYS, field);
  const id = checker.id(d.id, at('id'));
  const rules = checker.globList(d.rules ?? [], at('rules'));
  if (rules.length === 0) checker.fail(at('rules'), 'an initiative needs at least one rule');
  return { id, title: checker.optionalString(d.title, at('title')) ?? id, rules };
}

/** Validates one assignment (from a file or the API). */
export function validateAssignmentData(data: unknown, checker: Checker, field = ''): Assignment {
  const at = (key: string) => (field ? `${field}.${key}` : key);
  const d = checker.mapping(data, field || 'assignment');
  checker.onlyKeys(d, ASSIGNMENT_KEYS, field);
  const id = checker.id(d.id, at('id'));
  const benchmark = checker.optionalString(d.benchmark, at('benchmark'));
  const initiative = checker.optionalString(d.initiative, at('initiative'));
  if (benchmark === undefined && initiative === undefined)
    checker.fail(at('benchmark'), 'an assignment needs `benchmark` or `initiative`');
  if (benchmark !== undefined && initiative !== undefined)
    checker.fail(at('initiative'), 'give either `benchmark` or `initiative`, not both');

  const rules: Record<string, EnforcementMode> = {};
  if (d.rules !== undefined) {
    const data = checker.mapping(d.rules, at('rules'));
    for (const [ruleId, mode] of Object.entries(data))
      rules[ruleId] = checker.mode(mode, `${at('rules')}.${ruleId}`);
  }
  const parameters =
    d.parameters === undefined ? {} : { ...checker.mapping(d.parameters, at('parameters')) };

  return {
    id,
    title: checker.optionalString(d.title, at('title')) ?? id,
    ...(benchmark !== undefined ? { benchmark } : {}),
    ...(initiative !== undefined ? { initiative } : {}),
    scope: checker.scope(d.scope, at('scope')),
    exclude: checker.scope(d.exclude, at('exclude')),
    mode: d.mode === undefined ? 'audit' : checker.mode(d.mode, at('mode')),
    rules,
    parameters,
  };
}

/**
 * Validates an assignment sent as an API object (JSON body). Throws `AssignmentLoadError` whose
 * `field` names the offending key. Unlike a policy file, the object must give `mode`.
 *
 * ```ts
 * const a = validateAssignment(request.body, 'api');
 * ```
 */
export function validateAssignment(data: unknown, origin = 'api'): Assignment {
  const checker = new Checker((field, message) => {
    throw new AssignmentLoadError({ file: origin, field, message });
  });
  const assignment = validateAssignmentData(data, checker);
  // A file's warning for a mode left out reaches whoever runs check or the webhook; an API
  // caller would see none, and an assignment written to block would deny nothing.
  if (modeLeftOut(data)) {
    checker.fail(
      'mode',
      'an assignment made through the API must give its mode (audit, deny or disabled); ' +
        'without one its rules would run in audit mode and never deny',
    );
  }
  return { ...assignment, origin };
}

/** Validates an initiative sent as an API object. */
export function validateInitiativeObject(data: unknown, origin = 'api'): Initiative {
  const checker = new Checker((field, message) => {
    throw new AssignmentLoadError({ file: origin, field, message });
  });
  return { ...validateInitiative(data, checker), origin };
}

/** Validates a whole policy document (`initiatives:` and `assignments:` lists). */
export function validatePolicy(
  data: unknown,
  file: string,
  lineOf: (field: string) => number | undefined = () => undefined,
): EnforcementPolicy {
  const checker = new Checker((field, message) => {
    throw new AssignmentLoadError({ file, field, message, line: lineOf(field) });
  });
  if (data === null || data === undefined) return { initiatives: [], assignments: [] };
  const d = checker.mapping(data, '(document)');
  checker.onlyKeys(d, ['initiatives', 'assignments', 'inlineSuppressions'], '');
  const list = (key: string): unknown[] => {
    if (d[key] === undefined) return [];
    if (!Array.isArray(d[key])) checker.fail(key, 'must be a list');
    return d[key] as unknown[];
  };
  const initiatives = list('initiatives').map((x, i) => ({
    ...validateInitiative(x, checker, `initiatives.${i}`),
    origin: file,
  }));
  const assignments = list('assignments').map((x, i) => ({
    ...validateAssignmentData(x, checker, `assignments.${i}`),
    origin: file,
  }));
  const inline = inlineSuppressions(d.inlineSuppressions, checker);
  const warnings = list('assignments').flatMap((x, i) =>
    modeLeftOut(x) ? [modeLeftOutWarning(assignments[i].id, file, lineOf(`assignments.${i}`))] : [],
  );
  return {
    initiatives,
    assignments,
    ...(inline ? { inlineSuppressions: inline } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

function modeLeftOut(data: unknown): boolean {
  return (
    typeof data === 'object' && data !== null && (data as { mode?: unknown }).mode === undefined
  );
}

/**
 * The warning for an assignment written without `mode`: it runs in audit mode, which never
 * fails a check or refuses a request, and a policy written to block looks like one that does.
 */
function modeLeftOutWarning(id: string, file: string, line: number | undefined): string {
  const place = line ? `${file}:${line}` : file;
  return (
    `assignment ${id} (${place}) gives no mode, so its rules run in audit mode: failures are ` +
    'reported and never deny; write mode: deny to block them, or mode: audit to keep this'
  );
}

/**
 * The `inlineSuppressions` setting: a mode (`allow`, `audit-only`, `off`) or a mapping
 * `{ mode, wildcards }`.
 */
function inlineSuppressions(value: unknown, checker: Checker): InlineSuppressionPolicy | undefined {
  if (value === undefined) return undefined;
  const field = 'inlineSuppressions';
  const modeOf = (mode: unknown, at: string) => {
    if (!isInlineSuppressionMode(mode))
      checker.fail(at, `must be one of ${INLINE_SUPPRESSION_MODES.join(', ')}`);
    return mode as InlineSuppressionMode;
  };
  if (typeof value === 'string') return { mode: modeOf(value, field), wildcards: false };

  const data = checker.mapping(value, field);
  checker.onlyKeys(data, ['mode', 'wildcards'], field);
  const mode =
    data.mode === undefined ? DEFAULT_INLINE_SUPPRESSIONS.mode : modeOf(data.mode, `${field}.mode`);
  if (data.wildcards !== undefined && typeof data.wildcards !== 'boolean')
    checker.fail(`${field}.wildcards`, 'must be true or false');
  return { mode, wildcards: data.wildcards === true };
}

/**
 * Reads and validates one policy file. Its assignments' `paths` scopes are relative to the file's
 * folder, so a policy means the same whichever folder `palisade` runs in.
 */
export async function loadPolicyFile(file: string): Promise<EnforcementPolicy> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new AssignmentLoadError({ file, message: `cannot be read (${code})` });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  checkUniqueKeys(doc);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    throw new AssignmentLoadError({
      file,
      line: lineCounter.linePos(error.pos[0]).line,
      message: `not valid YAML: ${error.message.split('\n')[0]}`,
    });
  }
  const lineOf = (field: string): number | undefined => {
    const path = field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number] } | undefined;
      if (node?.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const policy = validatePolicy(doc.toJS({ maxAliasCount: 100 }), file, lineOf);
  const pathBase = dirname(resolve(file));
  return { ...policy, assignments: policy.assignments.map((a) => ({ ...a, pathBase })) };
}

/**
 * Loads policy files and folders of them (`*.yaml`, `*.yml`), merged into one policy. Ids must
 * be unique across all of them; a folder without a policy file is an error.
 *
 * ```ts
 * const policy = await loadPolicy(['policy/assignments.yaml']);
 * ```
 */
export async function loadPolicy(paths: string[]): Promise<EnforcementPolicy> {
  const merged: EnforcementPolicy = { initiatives: [], assignments: [] };
  let inlineFrom: string | undefined;
  for (const file of await policyFiles(paths)) {
    const one = await loadPolicyFile(file);
    for (const item of one.initiatives) merged.initiatives.push(item);
    for (const item of one.assignments) merged.assignments.push(item);
    for (const item of one.warnings ?? []) (merged.warnings ??= []).push(item);
    if (!one.inlineSuppressions) continue;
    // One gate, one setting: two files that disagree would make the verdict depend on file order.
    if (inlineFrom && !sameSetting(merged.inlineSuppressions!, one.inlineSuppressions)) {
      throw new AssignmentLoadError({
        file,
        field: 'inlineSuppressions',
        message: `differs from the setting in ${inlineFrom}; set it in one policy file`,
      });
    }
    merged.inlineSuppressions = one.inlineSuppressions;
    inlineFrom = file;
  }
  rejectDuplicates(merged.initiatives, 'initiative');
  rejectDuplicates(merged.assignments, 'assignment');
  return merged;
}

async function policyFiles(paths: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new AssignmentLoadError({ file: path, message: 'no such file or folder' });
    // Anything but a folder is read as one file: a pipe (`<(...)`) or a device too.
    if (!info.isDirectory()) {
      files.push(path);
      continue;
    }
    const entries = await readdir(path, { withFileTypes: true, recursive: true });
    const inFolder = entries
      .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
      .map((e) => join(e.parentPath, e.name))
      .sort();
    // A policy folder with no policy in it would enforce nothing without a word.
    if (inFolder.length === 0) {
      throw new AssignmentLoadError({
        file: path,
        message:
          'folder holds no policy file (*.yaml or *.yml); policy files are YAML ' +
          '(a JSON file is YAML too: name it .yaml)',
      });
    }
    for (const item of inFolder) files.push(item);
  }
  return files;
}

function sameSetting(a: InlineSuppressionPolicy, b: InlineSuppressionPolicy): boolean {
  return a.mode === b.mode && a.wildcards === b.wildcards;
}

function rejectDuplicates(items: { id: string; origin?: string }[], what: string): void {
  const seen = new Map<string, string>();
  for (const item of items) {
    const other = seen.get(item.id);
    if (other !== undefined) {
      throw new AssignmentLoadError({
        file: item.origin ?? 'api',
        field: 'id',
        message: `${what} id ${item.id} is also declared in ${other}`,
      });
    }
    seen.set(item.id, item.origin ?? 'api');
  }
}
