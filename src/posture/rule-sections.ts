/**
 * Validation of a rule file's optional `parameters` (values an assignment may set, read in CEL as
 * `params`) and `fix` (how `palisade fix` rewrites Terraform and Kubernetes YAML) sections.
 */

import {
  RULE_PARAMETER_TYPES,
  type KubernetesFix,
  type RuleFix,
  type RuleParameter,
  type RuleParameterType,
  type TerraformFix,
} from '../model/rule.js';

type Fail = (field: string, message: string) => never;

const PARAMETER_NAME = /^[a-z][a-z0-9_]{0,63}$/;
const HCL_NAME = /^[a-z][a-z0-9_]*$/;
const HCL_PATH = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/;
const FIELD_PATH = /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$/;

function mapping(value: unknown, field: string, fail: Fail): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail(field, 'must be a mapping');
  return value as Record<string, unknown>;
}

function onlyKeys(data: Record<string, unknown>, keys: string[], field: string, fail: Fail): void {
  for (const key of Object.keys(data)) {
    if (!keys.includes(key))
      fail(`${field}.${key}`, `unknown key; expected one of ${keys.join(', ')}`);
  }
}

function valueOfType(type: RuleParameterType, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'boolean':
      return typeof value === 'boolean';
    case 'string_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'number');
  }
}

/** Validates `parameters:`; undefined when the rule has none. */
export function validateParameters(
  value: unknown,
  fail: Fail,
): Record<string, RuleParameter> | undefined {
  if (value === undefined) return undefined;
  const data = mapping(value, 'parameters', fail);
  const out: Record<string, RuleParameter> = {};
  for (const [name, raw] of Object.entries(data)) {
    const field = `parameters.${name}`;
    if (!PARAMETER_NAME.test(name)) fail(field, 'parameter names are snake_case');
    const spec = mapping(raw, field, fail);
    onlyKeys(spec, ['type', 'description', 'default'], field, fail);
    const type = spec.type as RuleParameterType;
    if (!RULE_PARAMETER_TYPES.includes(type))
      fail(`${field}.type`, `must be one of ${RULE_PARAMETER_TYPES.join(', ')}`);
    if (typeof spec.description !== 'string' || spec.description.trim() === '')
      fail(`${field}.description`, 'every parameter needs a description');
    if (spec.default !== undefined && !valueOfType(type, spec.default))
      fail(`${field}.default`, `must be a ${type}`);
    out[name] = { type, description: spec.description.trim(), default: spec.default };
  }
  return out;
}

function stringMap(value: unknown, field: string, fail: Fail, keyPattern: RegExp) {
  const data = mapping(value, field, fail);
  for (const [key, v] of Object.entries(data)) {
    if (!keyPattern.test(key)) fail(`${field}.${key}`, 'is not a valid name');
    if (typeof v !== 'string' || v.trim() === '') fail(`${field}.${key}`, 'must be HCL text');
  }
  return data as Record<string, string>;
}

function terraformFix(value: unknown, field: string, fail: Fail): TerraformFix {
  const data = mapping(value, field, fail);
  onlyKeys(
    data,
    ['resource_types', 'set', 'add_blocks', 'replace_in_blocks', 'add_resource'],
    field,
    fail,
  );
  const types = data.resource_types;
  if (!Array.isArray(types) || types.length === 0 || types.some((t) => !HCL_NAME.test(String(t))))
    fail(`${field}.resource_types`, 'must list Terraform resource types');
  const fix: TerraformFix = { resource_types: (types as unknown[]).map(String) };
  if (data.set !== undefined) fix.set = stringMap(data.set, `${field}.set`, fail, HCL_PATH);
  if (data.add_blocks !== undefined)
    fix.add_blocks = stringMap(data.add_blocks, `${field}.add_blocks`, fail, HCL_NAME);
  if (data.replace_in_blocks !== undefined) {
    const at = `${field}.replace_in_blocks`;
    const r = mapping(data.replace_in_blocks, at, fail);
    onlyKeys(r, ['block', 'attribute', 'from', 'to', 'ports', 'note'], at, fail);
    for (const key of ['block', 'attribute', 'from', 'to']) {
      if (typeof r[key] !== 'string' || r[key] === '') fail(`${at}.${key}`, 'must be text');
    }
    if (r.note !== undefined && (typeof r.note !== 'string' || /[\r\n]/.test(r.note)))
      fail(`${at}.note`, 'must be text on one line');
    if (r.ports !== undefined && !valueOfType('number_list', r.ports))
      fail(`${at}.ports`, 'must be a list of port numbers');
    fix.replace_in_blocks = r as unknown as TerraformFix['replace_in_blocks'];
  }
  if (data.add_resource !== undefined) {
    const at = `${field}.add_resource`;
    const r = mapping(data.add_resource, at, fail);
    onlyKeys(r, ['type', 'body'], at, fail);
    if (typeof r.type !== 'string' || !HCL_NAME.test(r.type)) fail(`${at}.type`, 'must be a type');
    if (typeof r.body !== 'string' || r.body.trim() === '') fail(`${at}.body`, 'must be HCL text');
    fix.add_resource = { type: r.type, body: r.body };
  }
  if (!fix.set && !fix.add_blocks && !fix.replace_in_blocks && !fix.add_resource)
    fail(field, 'a Terraform fix needs set, add_blocks, replace_in_blocks or add_resource');
  return fix;
}

function kubernetesEdits(value: unknown, field: string, fail: Fail) {
  const data = mapping(value, field, fail);
  onlyKeys(data, ['set', 'set_if_missing'], field, fail);
  const out: { set?: Record<string, unknown>; set_if_missing?: Record<string, unknown> } = {};
  for (const key of ['set', 'set_if_missing'] as const) {
    if (data[key] === undefined) continue;
    const edits = mapping(data[key], `${field}.${key}`, fail);
    for (const path of Object.keys(edits)) {
      if (!FIELD_PATH.test(path)) fail(`${field}.${key}.${path}`, 'must be a dotted field path');
    }
    out[key] = edits;
  }
  return out;
}

/** Validates `fix:`; undefined when the rule has none. */
export function validateFix(value: unknown, fail: Fail): RuleFix | undefined {
  if (value === undefined) return undefined;
  const data = mapping(value, 'fix', fail);
  onlyKeys(data, ['description', 'terraform', 'kubernetes'], 'fix', fail);
  if (typeof data.description !== 'string' || data.description.trim() === '')
    fail('fix.description', 'say in one line what the fix changes');
  const fix: RuleFix = { description: data.description.trim() };
  if (data.terraform !== undefined) {
    if (!Array.isArray(data.terraform)) fail('fix.terraform', 'must be a list');
    fix.terraform = (data.terraform as unknown[]).map((t, i) =>
      terraformFix(t, `fix.terraform.${i}`, fail),
    );
  }
  if (data.kubernetes !== undefined) {
    const k = mapping(data.kubernetes, 'fix.kubernetes', fail);
    onlyKeys(k, ['pod', 'containers'], 'fix.kubernetes', fail);
    const out: KubernetesFix = {};
    if (k.pod !== undefined) out.pod = kubernetesEdits(k.pod, 'fix.kubernetes.pod', fail);
    if (k.containers !== undefined)
      out.containers = kubernetesEdits(k.containers, 'fix.kubernetes.containers', fail);
    fix.kubernetes = out;
  }
  if (!fix.terraform && !fix.kubernetes) fail('fix', 'a fix needs terraform or kubernetes edits');
  return fix;
}
