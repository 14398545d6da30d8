/**
 * Reads `terraform show -json` output (a plan's `planned_values`, or state `values`) into the
 * same `TerraformBlock`s the HCL reader makes; `after_unknown` paths become unknown markers.
 */

import { SourceReadError } from '../../model/source-error.js';
import { unknownValue } from '../../model/resource.js';
import { jsonSyntaxError } from '../json-syntax-error.js';
import type { Reader, ReadResult, SourceFile } from '../reader.js';
import { setAttributeReferences } from './attribute-references.js';
import type { TerraformBlock, TerraformTranslator } from './terraform-block.js';
import { translateBlocks } from './translate-blocks.js';

type Json = Record<string, unknown>;

const MAX_DEPTH = 64;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** Cheap sniff: a JSON object with `format_version` and `planned_values` or `values`. */
export function looksLikePlan(text: string): boolean {
  const head = text.trimStart();
  if (!head.startsWith('{')) return false;
  return /"format_version"\s*:/.test(text) && /"(planned_values|values)"\s*:/.test(text);
}

function parseJson(file: string, text: string): Json {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
    throw new SourceReadError({
      file,
      code: 'INVALID_STRUCTURE',
      message: 'plan JSON must be an object',
    });
  } catch (error) {
    if (error instanceof SourceReadError) throw error;
    throw jsonSyntaxError(file, text, error);
  }
}

/** Puts unknown markers wherever `after_unknown` says `true`. */
function applyUnknown(values: unknown, mask: unknown, path: string, depth = 0): unknown {
  if (mask === true) return unknownValue(`${path} is known only after apply`);
  if (depth > MAX_DEPTH) return values;
  if (Array.isArray(mask)) {
    const list = Array.isArray(values) ? [...values] : [];
    mask.forEach((m, i) => {
      if (m !== false) list[i] = applyUnknown(list[i] ?? null, m, `${path}.${i}`, depth + 1);
    });
    return list;
  }
  if (isRecord(mask)) {
    const obj: Json = isRecord(values) ? { ...values } : {};
    for (const [k, m] of Object.entries(mask)) {
      if (m !== false)
        obj[k] = applyUnknown(obj[k] ?? null, m, path ? `${path}.${k}` : k, depth + 1);
    }
    return obj;
  }
  return values;
}

/** Module path without instance keys: `module.a[0].module.b` → `module.a.module.b`. */
function configModulePath(moduleAddress: string): string {
  return moduleAddress.replace(/\[[^\]]*\]/g, '');
}

/** `configuration` resources by `<module path>|<address>`, for their expression references. */
function indexConfiguration(
  module: unknown,
  prefix: string,
  out: Map<string, Json>,
  depth = 0,
): void {
  if (!isRecord(module) || depth > MAX_DEPTH) return;
  for (const r of asArray(module.resources)) {
    if (isRecord(r) && typeof r.address === 'string') out.set(`${prefix}|${r.address}`, r);
  }
  if (!isRecord(module.module_calls)) return;
  for (const [name, call] of Object.entries(module.module_calls)) {
    if (!isRecord(call)) continue;
    const path = prefix ? `${prefix}.module.${name}` : `module.${name}`;
    indexConfiguration(call.module, path, out, depth + 1);
  }
}

/** `aws_subnet.a[0].id` → `aws_subnet.a[0]`; `var.x` and the like give nothing. */
function referencedBlock(ref: string): string | undefined {
  const m = /^(data\.[^.[]+\.[^.[]+|module\.[^.[]+|[^.[]+\.[^.[]+)(\[[^\]]*\])?/.exec(ref);
  if (!m) return undefined;
  const root = ref.split('.')[0];
  if (['var', 'local', 'count', 'each', 'path', 'terraform', 'self'].includes(root))
    return undefined;
  return m[1] + (m[2] ?? '');
}

/**
 * Block references of each attribute. `eachValue` is what `each.value` stands for in this
 * instance: attributes reading it refer to those blocks too.
 */
function expressionReferences(
  expressions: unknown,
  modulePrefix: string,
  eachValue: string[] = [],
): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  if (!isRecord(expressions)) return out;
  for (const [attr, expr] of Object.entries(expressions)) {
    const refs = new Set<string>();
    collectRefs(expr, refs, 0);
    const blocks = [...refs]
      .map(referencedBlock)
      .filter((r): r is string => r !== undefined)
      .map((r) => (modulePrefix ? `${modulePrefix}.${r}` : r));
    const readsEachValue = [...refs].some((r) => r === 'each.value' || r.startsWith('each.value.'));
    out[attr] = readsEachValue ? [...new Set([...blocks, ...eachValue])] : blocks;
  }
  return out;
}

/**
 * The instances `each.value` stands for in the instance `key` of a block whose `for_each` reads
 * other blocks: under `for_each = aws_s3_bucket.b` (or a `for` over it) the value of key "a" is
 * `aws_s3_bucket.b["a"]`. Pairing by key is what `each.value.id` comes to in the usual
 * chaining pattern; a `for_each` that renames the keys pairs with no instance.
 */
function eachValueInstances(
  config: Json | undefined,
  key: unknown,
  modulePrefix: string,
): string[] {
  if (typeof key !== 'string' || !config || !isRecord(config.for_each_expression)) return [];
  const refs = new Set<string>();
  collectRefs(config.for_each_expression, refs, 0);
  return [...refs]
    .map(referencedBlock)
    .filter((r): r is string => r !== undefined && !r.endsWith(']') && !r.startsWith('module.'))
    .map((r) => `${modulePrefix ? `${modulePrefix}.` : ''}${r}[${JSON.stringify(key)}]`);
}

function collectRefs(expr: unknown, refs: Set<string>, depth: number): void {
  if (depth > MAX_DEPTH) return;
  if (Array.isArray(expr)) {
    for (const e of expr) collectRefs(e, refs, depth + 1);
    return;
  }
  if (!isRecord(expr)) return;
  for (const r of asArray(expr.references)) if (typeof r === 'string') refs.add(r);
  for (const [k, v] of Object.entries(expr))
    if (k !== 'references') collectRefs(v, refs, depth + 1);
}

function lineOf(text: string, address: string): number | undefined {
  const at = text.indexOf(`"address": ${JSON.stringify(address)}`);
  const compact = at >= 0 ? at : text.indexOf(`"address":${JSON.stringify(address)}`);
  return compact >= 0 ? text.slice(0, compact).split('\n').length : undefined;
}

/**
 * Turns plan or state JSON into blocks.
 *
 * ```ts
 * const blocks = planToBlocks({ path: 'plan.json', text });
 * ```
 */
export function planToBlocks(file: SourceFile): TerraformBlock[] {
  const doc = parseJson(file.path, file.text);
  const values = isRecord(doc.planned_values)
    ? doc.planned_values
    : isRecord(doc.values)
      ? doc.values
      : undefined;
  if (!values) {
    throw new SourceReadError({
      file: file.path,
      code: 'INVALID_STRUCTURE',
      message: 'no planned_values or values',
    });
  }
  const unknownByAddress = new Map<string, unknown>();
  for (const change of asArray(doc.resource_changes)) {
    if (!isRecord(change) || typeof change.address !== 'string' || !isRecord(change.change))
      continue;
    unknownByAddress.set(change.address, change.change.after_unknown);
  }
  const config = new Map<string, Json>();
  if (isRecord(doc.configuration)) indexConfiguration(doc.configuration.root_module, '', config);

  const planned: PlannedResource[] = [];
  const visit = (module: unknown, depth: number): void => {
    if (!isRecord(module) || depth > MAX_DEPTH) return;
    const moduleAddress = typeof module.address === 'string' ? module.address : '';
    for (const r of asArray(module.resources)) {
      if (isRecord(r) && typeof r.address === 'string' && typeof r.type === 'string')
        planned.push({ r, address: r.address, type: r.type, module: moduleAddress });
    }
    for (const child of asArray(module.child_modules)) visit(child, depth + 1);
  };
  visit(values.root_module, 0);
  const addresses = new Set(planned.map((p) => p.address));
  const providers = providerSettings(doc);
  return planned.map((p) => toBlock(p, file, { unknownByAddress, config, addresses, providers }));
}

/** One resource of `planned_values` (or state `values`), with the module it sits in. */
interface PlannedResource {
  r: Json;
  address: string;
  type: string;
  module: string;
}

/** What the plan says beside one resource's values. */
interface PlanIndex {
  unknownByAddress: Map<string, unknown>;
  config: Map<string, Json>;
  /** Address of every planned resource instance. */
  addresses: Set<string>;
  /** Known settings of each provider configuration, by `provider_config` key. */
  providers: Map<string, Record<string, unknown>>;
}

/**
 * The settings of each `configuration.provider_config` entry that the plan states: constant
 * values, and values of root variables (`region = var.region`). Provider v5 plans keep a
 * resource's region only here.
 */
function providerSettings(doc: Json): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  const configuration = isRecord(doc.configuration) ? doc.configuration : {};
  const variables = isRecord(doc.variables) ? doc.variables : {};
  if (!isRecord(configuration.provider_config)) return out;
  for (const [key, provider] of Object.entries(configuration.provider_config)) {
    if (!isRecord(provider) || !isRecord(provider.expressions)) continue;
    const settings: Record<string, unknown> = {};
    for (const [name, expr] of Object.entries(provider.expressions)) {
      if (!isRecord(expr)) continue;
      if (Object.hasOwn(expr, 'constant_value')) {
        settings[name] = expr.constant_value;
        continue;
      }
      const refs = asArray(expr.references);
      const variable =
        refs.length === 1 && typeof refs[0] === 'string' && refs[0].startsWith('var.')
          ? variables[refs[0].slice(4)]
          : undefined;
      if (isRecord(variable) && Object.hasOwn(variable, 'value')) settings[name] = variable.value;
    }
    out.set(key, settings);
  }
  return out;
}

function toBlock(planned: PlannedResource, file: SourceFile, plan: PlanIndex): TerraformBlock {
  const { r, address, type, module } = planned;
  const { unknownByAddress, config } = plan;
  const mode = r.mode === 'data' ? 'data' : 'managed';
  const name = typeof r.name === 'string' ? r.name : address;
  const attributes = applyUnknown(
    isRecord(r.values) ? r.values : {},
    unknownByAddress.get(address),
    '',
  );
  const configAddress = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
  const configEntry = config.get(`${configModulePath(module)}|${configAddress}`);
  const perAttribute = expressionReferences(
    configEntry?.expressions,
    module,
    eachValueInstances(configEntry, r.index, module).filter((a) => plan.addresses.has(a)),
  );
  const block: TerraformBlock = {
    mode,
    type,
    name,
    address,
    module,
    attributes: isRecord(attributes) ? attributes : {},
    references: [...new Set(Object.values(perAttribute).flat())].filter((x) => x !== address),
    file: file.path,
    line: lineOf(file.text, address),
  };
  if (typeof r.index === 'number' || typeof r.index === 'string') block.index = r.index;
  const providerKey = configEntry?.provider_config_key;
  if (typeof providerKey === 'string') {
    // A child module's key may carry its module (`net:aws`); inherited ones name the root's.
    const settings =
      plan.providers.get(providerKey) ?? plan.providers.get(providerKey.split(':').pop()!);
    if (settings) block.providerConfig = settings;
  }
  if (configEntry) setAttributeReferences(block, perAttribute);
  return block;
}

/** The plan JSON `Reader`; resources carry source kind `terraform-plan`. */
export function createTerraformPlanReader(translators: TerraformTranslator[]): Reader {
  return {
    kind: 'terraform-plan',
    detect: (file) => looksLikePlan(file.text),
    read(file): ReadResult {
      const blocks = planToBlocks(file);
      const { resources, warnings } = translateBlocks(
        blocks,
        translators,
        file.path,
        'terraform-plan',
      );
      return { resources, warnings };
    },
  };
}
