/**
 * Loads benchmark rules from YAML, one rule a file: the bundled benchmark and any folders a user
 * names. A malformed rule is an error naming its file, line and field; nothing is half-loaded.
 */

import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument } from 'yaml';
import { checkUniqueKeys } from '../model/yaml-unique-keys.js';
import type { Cloud } from '../model/resource.js';
import { SEVERITIES, type Rule, type Severity } from '../model/rule.js';
import { validateFix, validateParameters } from './rule-sections.js';

/** Folder of the bundled benchmark (`src/benchmark`, or `dist/benchmark` once built). */
export const BENCHMARK_DIR = fileURLToPath(new URL('../benchmark/', import.meta.url));

/**
 * Preview rules: checks on resource kinds that no real public sample exercises yet, so they are
 * tested on the team's own fixtures only and stay out of the default benchmark until they are.
 */
export const PREVIEW_RULES_DIR = join(BENCHMARK_DIR, 'preview-rules');

const CLOUDS: readonly Cloud[] = ['aws', 'azure', 'gcp', 'kubernetes'];
const ID_PATTERN = /^[a-z0-9][a-z0-9-]{2,120}$/;
const CONTROL_PATTERN = /^(NS|IM|PA|DP|AM|LT|IR|PV|ES|BR|DS|GS)-\d{1,2}$/;

/**
 * How each cloud's resource types are spelled, as the readers name them: a rule with a type of
 * another form (Terraform's `aws_s3_bucket`, a bare `Deployment`) would never meet a resource.
 */
const TYPE_FORMS: Record<Cloud, { pattern: RegExp; form: string }> = {
  aws: {
    pattern: /^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/,
    form: 'an AWS resource type (the CloudFormation name, e.g. AWS::S3::Bucket)',
  },
  azure: {
    pattern: /^Microsoft\.[A-Za-z0-9]+(\/[A-Za-z0-9]+)+$/i,
    form: 'an Azure resource type (provider/type, e.g. Microsoft.Storage/storageAccounts)',
  },
  gcp: {
    pattern: /^[a-z0-9-]+(\.[a-z0-9-]+)*\.googleapis\.com\/[A-Za-z0-9]+$/,
    form: 'a GCP asset type (e.g. storage.googleapis.com/Bucket)',
  },
  kubernetes: {
    pattern: /^([a-z0-9-]+(\.[a-z0-9-]+)*\/)?v[0-9]+[a-z0-9]*\/[A-Z][A-Za-z0-9]*$/,
    form: 'a Kubernetes type (apiVersion/kind, e.g. apps/v1/Deployment or v1/Pod)',
  },
};

/** Why `type` cannot name a resource of `cloud`, or undefined when it can. */
function typeProblem(cloud: Cloud, type: string): string | undefined {
  const { pattern, form } = TYPE_FORMS[cloud];
  if (pattern.test(type)) return undefined;
  const terraform = /^(aws|azurerm|azuread|google|kubernetes)_[a-z0-9_]+$/.test(type)
    ? ': Terraform blocks are read into their cloud API types, which rules name'
    : '';
  return `"${type}" is not ${form}${terraform}`;
}

/** A rule file that cannot be used, with where and why. */
export class RuleLoadError extends Error {
  readonly file: string;
  readonly line?: number;
  readonly field?: string;

  constructor(props: { file: string; message: string; line?: number; field?: string }) {
    const place = props.line ? `${props.file}:${props.line}` : props.file;
    const field = props.field ? ` (field ${props.field})` : '';
    super(`${place}${field}: ${props.message}`);
    this.name = 'RuleLoadError';
    this.file = props.file;
    this.line = props.line;
    this.field = props.field;
  }
}

async function yamlFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && /\.ya?ml$/i.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

function requireString(data: Record<string, unknown>, key: string, fail: Fail): string {
  const value = data[key];
  if (typeof value !== 'string' || value.trim() === '') fail(key, 'must be a non-empty string');
  return (value as string).trim();
}

function stringList(data: Record<string, unknown>, key: string, fail: Fail): string[] {
  const value = data[key] ?? [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' && typeof v !== 'number')) {
    fail(key, 'must be a list of strings');
  }
  return (value as unknown[]).map(String);
}

type Fail = (field: string, message: string) => never;

/** Validates one parsed rule document and returns it as a `Rule`. */
export function validateRule(
  data: unknown,
  file: string,
  lineOf: (field: string) => number | undefined = () => undefined,
): Rule {
  const fail: Fail = (field, message) => {
    throw new RuleLoadError({ file, field, message, line: lineOf(field) });
  };
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new RuleLoadError({ file, message: 'a rule file must hold one YAML mapping' });
  }
  const d = data as Record<string, unknown>;
  // Other Palisade files a rules folder may hold by mistake.
  if (d.id === undefined && ('assignments' in d || 'exemptions' in d)) {
    const kind = 'assignments' in d ? 'policy (assignments)' : 'exemptions';
    const option = 'assignments' in d ? '--policy' : '--exemptions';
    throw new RuleLoadError({
      file,
      message: `is a ${kind} file, not a rule: pass it with ${option}, outside the rules folder`,
    });
  }

  const id = requireString(d, 'id', fail);
  if (!ID_PATTERN.test(id)) fail('id', `"${id}" must be kebab-case (a-z, 0-9, -)`);
  const severity = requireString(d, 'severity', fail) as Severity;
  if (!SEVERITIES.includes(severity)) fail('severity', `must be one of ${SEVERITIES.join(', ')}`);
  const cloud = requireString(d, 'cloud', fail) as Cloud;
  if (!CLOUDS.includes(cloud)) fail('cloud', `must be one of ${CLOUDS.join(', ')}`);
  const control = requireString(d, 'control', fail);
  if (!CONTROL_PATTERN.test(control)) fail('control', `"${control}" is not a benchmark control id`);
  const resourceTypes = stringList(d, 'resource_types', fail);
  if (resourceTypes.length === 0) fail('resource_types', 'must name at least one resource type');
  for (const type of resourceTypes) {
    const problem = typeProblem(cloud, type);
    if (problem) fail('resource_types', problem);
  }
  if (!d.check && !d.check_function)
    fail('check', 'a rule needs `check` (CEL) or `check_function`');

  const mappings = (d.mappings ?? {}) as Record<string, unknown>;
  if (typeof mappings !== 'object' || Array.isArray(mappings))
    fail('mappings', 'must be a mapping');
  const remediation = d.remediation as Record<string, unknown> | undefined;
  if (!remediation || typeof remediation.text !== 'string') {
    fail('remediation.text', 'every rule needs remediation text');
  }
  const message = d.message as Rule['message'];

  return {
    id,
    title: requireString(d, 'title', fail),
    description: typeof d.description === 'string' ? d.description.trim() : '',
    severity,
    cloud,
    control,
    mappings: {
      cis: stringList(mappings, 'cis', (f, m) => fail(`mappings.${f}`, m)),
      nist_800_53: stringList(mappings, 'nist_800_53', (f, m) => fail(`mappings.${f}`, m)),
      pci_dss: stringList(mappings, 'pci_dss', (f, m) => fail(`mappings.${f}`, m)),
      iso_27001: stringList(mappings, 'iso_27001', (f, m) => fail(`mappings.${f}`, m)),
    },
    resource_types: resourceTypes,
    applies_if: typeof d.applies_if === 'string' ? d.applies_if : undefined,
    check: typeof d.check === 'string' ? d.check : undefined,
    check_function: typeof d.check_function === 'string' ? d.check_function : undefined,
    message,
    evidence: typeof d.evidence === 'string' ? d.evidence : undefined,
    remediation: remediation as unknown as Rule['remediation'],
    references: stringList(d, 'references', fail),
    origin: file,
    ...optionalSections(d, fail),
  };
}

/** The `parameters` and `fix` sections, only when the rule has them. */
function optionalSections(d: Record<string, unknown>, fail: Fail): Partial<Rule> {
  const out: Partial<Rule> = {};
  const parameters = validateParameters(d.parameters, fail);
  if (parameters) out.parameters = parameters;
  const fix = validateFix(d.fix, fail);
  if (fix) out.fix = fix;
  return out;
}

/** Reads and validates one rule file. */
export async function loadRuleFile(file: string): Promise<Rule> {
  const text = await readFile(file, 'utf8');
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  checkUniqueKeys(doc);
  if (doc.errors.length > 0) {
    const error = doc.errors[0];
    const line = lineCounter.linePos(error.pos[0]).line;
    throw new RuleLoadError({
      file,
      line,
      message: `not valid YAML: ${error.message.split('\n')[0]}`,
    });
  }
  const lineOf = (field: string): number | undefined => {
    const node = doc.getIn(field.split('.'), true) as { range?: [number, number] } | undefined;
    if (node?.range) return lineCounter.linePos(node.range[0]).line;
    const top = doc.get(field.split('.')[0], true) as { range?: [number, number] } | undefined;
    return top?.range ? lineCounter.linePos(top.range[0]).line : undefined;
  };
  return validateRule(doc.toJS({ maxAliasCount: 100 }), file, lineOf);
}

/**
 * Loads the bundled benchmark (with the preview rules when `preview` is set) plus the rules under
 * each of `extraDirs`. A user rule with the id of a bundled one replaces it. Throws `RuleLoadError` on the first bad file.
 *
 * ```ts
 * const rules = await loadRules(['./my-rules']);
 * ```
 */
export async function loadRules(
  extraDirs: string[] = [],
  options: { bundled?: boolean; preview?: boolean; onWarning?: (message: string) => void } = {},
): Promise<Rule[]> {
  const dirs = options.bundled === false ? [] : [join(BENCHMARK_DIR, 'rules')];
  if (options.preview) dirs.push(PREVIEW_RULES_DIR);
  for (const dir of extraDirs) {
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory())
      throw new RuleLoadError({ file: dir, message: 'is not a folder of rule files' });
    dirs.push(dir);
  }
  const byId = new Map<string, Rule>();
  for (const dir of dirs) {
    const seenHere = new Map<string, string>();
    for (const file of await yamlFilesUnder(dir)) {
      const rule = await loadRuleFile(file);
      const twin = seenHere.get(rule.id);
      if (twin) {
        throw new RuleLoadError({
          file,
          field: 'id',
          message: `id ${rule.id} is also used by ${relative(process.cwd(), twin)}`,
        });
      }
      seenHere.set(rule.id, file);
      const replaced = byId.get(rule.id);
      if (replaced)
        options.onWarning?.(`${file} replaces rule ${rule.id} (from ${replaced.origin})`);
      byId.set(rule.id, rule);
    }
  }
  return [...byId.values()];
}
