/**
 * Walks a template's `resources`: expands `copy` loops, drops resources whose `condition` is
 * false, composes child types and names, reads nested deployments, and evaluates each body.
 */

import { isUnknown, type InlineSuppression } from '../../model/resource.js';
import { isPlainObject, lookupKey, setKey, type JsonObject } from './arm-values.js';
import {
  armId,
  nameSegments,
  normalizeType,
  resourceGroupId,
  typeDepth,
} from './resource-types.js';
import { EvaluationBudget, TemplateScope, type EvalContext } from './template-scope.js';

/** One resource instance as declared, evaluated, before it becomes a canonical resource. */
export interface ExpandedResource {
  /** Full type in documented casing: `Microsoft.Sql/servers/firewallRules`. */
  type: string;
  /** Full name: `server/rule`; unknown parts appear as `{placeholder}`. */
  name: string;
  id: string;
  /** The ARM body `{ id, name, type, location, ..., properties }`. */
  body: JsonObject;
  line?: number;
  /** Where it sits in the template: `resources[2].resources[0]`, `[i]` per copy. */
  address: string;
  dependsOn: string[];
  /** Targets of `reference()` / `list*()` calls in its body. */
  references: string[];
  /** Name of the resource copy loop that made this instance. */
  copyName?: string;
  /** ARM id of the resource an extension resource applies to (`scope`). */
  scope?: string;
  suppressions: InlineSuppression[];
}

/** Top-level body fields the API returns beside `properties`. */
const BODY_FIELDS = [
  'location',
  'tags',
  'sku',
  'kind',
  'identity',
  'plan',
  'zones',
  'extendedLocation',
  'managedBy',
];
const MAX_NESTED_DEPLOYMENTS = 8;

interface Parent {
  type: string;
  name: string;
}

/** Everything the walk shares: the line lookup, the scope stack, and what it produces. */
export interface ExpansionRun {
  lineOf(node: unknown): number | undefined;
  out: ExpandedResource[];
  warnings: Set<string>;
  budget: EvaluationBudget;
  file: string;
}

/** Expands the `resources` of one template (an array, or an object in languageVersion 2.0). */
export function expandTemplate(
  run: ExpansionRun,
  scope: TemplateScope,
  template: JsonObject,
  ctx: EvalContext,
  prefix: string,
  nesting = 0,
): void {
  const resources = lookupKey(template, 'resources').value;
  const entries: [string, unknown][] = Array.isArray(resources)
    ? resources.map((item, i) => [`${prefix}resources[${i}]`, item])
    : isPlainObject(resources)
      ? Object.entries(resources).map(([key, item]) => [`${prefix}resources.${key}`, item])
      : [];
  for (const [address, raw] of entries) expandResource(run, scope, raw, ctx, address, nesting);
}

function expandResource(
  run: ExpansionRun,
  scope: TemplateScope,
  raw: unknown,
  ctx: EvalContext,
  address: string,
  nesting: number,
  parent?: Parent,
): void {
  if (!isPlainObject(raw)) {
    run.warnings.add(`${run.file}: ${address} is not an object; skipped`);
    return;
  }
  if (lookupKey(raw, 'existing').value === true) return;

  const copy = lookupKey(raw, 'copy').value;
  if (!isPlainObject(copy)) {
    expandInstance(run, scope, raw, ctx, address, nesting, parent);
    return;
  }
  const loopName = scope.evaluate(lookupKey(copy, 'name').value, { ...ctx, mode: 'symbolic' });
  const name = typeof loopName === 'string' ? loopName : 'copy';
  const count = scope.copyCount(lookupKey(copy, 'count').value, ctx);
  for (let index = 0; index < count; index++) {
    const inner: EvalContext = {
      ...ctx,
      loops: [...ctx.loops, { name, index }],
      resourceLoop: name,
    };
    expandInstance(run, scope, raw, inner, `${address}[${index}]`, nesting, parent);
  }
}

function expandInstance(
  run: ExpansionRun,
  scope: TemplateScope,
  raw: JsonObject,
  ctx: EvalContext,
  address: string,
  nesting: number,
  parent?: Parent,
): void {
  run.budget.spend(10);
  // A condition that is unknown before deployment keeps the resource: it may be deployed.
  const condition = lookupKey(raw, 'condition');
  if (condition.found && isFalse(scope.evaluate(condition.value, { ...ctx, mode: 'value' })))
    return;

  const symbolic: EvalContext = { ...ctx, mode: 'symbolic' };
  const writtenType = textOf(scope.evaluate(lookupKey(raw, 'type').value, symbolic));
  const writtenName = textOf(scope.evaluate(lookupKey(raw, 'name').value, symbolic));
  if (!writtenType) {
    run.warnings.add(`${run.file}: ${address} has no type; skipped`);
    return;
  }

  const composed = composeTypeAndName(writtenType, writtenName, parent);
  const extension = splitExtension(composed.type, composed.name);
  const type = normalizeType(extension.type);
  const name = extension.name;
  const scopeId = extension.scope ?? scopeOf(scope, raw, symbolic);
  const id = scopeId ? `${scopeId}/providers/${type}/${name}` : armId(type, nameSegments(name));

  const references = new Set<string>();
  const valueCtx: EvalContext = { ...ctx, mode: 'value', references };
  const body = buildBody(scope, raw, valueCtx, { id, name, type });
  const dependsOn = evaluateList(scope, lookupKey(raw, 'dependsOn').value, symbolic);

  run.out.push({
    type,
    name,
    id,
    body,
    line: run.lineOf(raw),
    address,
    dependsOn,
    references: [...references],
    copyName: ctx.resourceLoop,
    scope: scopeId,
    suppressions: readSuppressions(lookupKey(raw, 'metadata').value),
  });

  const children = lookupKey(raw, 'resources').value;
  if (Array.isArray(children)) {
    children.forEach((child, i) => {
      expandResource(run, scope, child, ctx, `${address}.resources[${i}]`, nesting, { type, name });
    });
  }
  if (type === 'Microsoft.Resources/deployments') {
    expandNestedDeployment(run, scope, raw, ctx, address, nesting);
  }
}

/** A child declared inside its parent gets the parent's type and name in front of its own. */
function composeTypeAndName(type: string, name: string, parent?: Parent): Parent {
  if (!parent) return { type, name };
  const qualified = type.split('/')[0].includes('.');
  if (!qualified) return { type: `${parent.type}/${type}`, name: `${parent.name}/${name}` };
  const needsParentName = nameSegments(name).length < typeDepth(type);
  return { type, name: needsParentName ? `${parent.name}/${name}` : name };
}

/**
 * The `Microsoft.Storage/storageAccounts/providers/diagnosticSettings` idiom: an extension
 * resource written as a child of the resource it applies to.
 */
function splitExtension(type: string, name: string): Parent & { scope?: string } {
  const at = type.toLowerCase().indexOf('/providers/');
  if (at < 0) return { type, name };

  const scopeType = type.slice(0, at);
  let extensionType = type.slice(at + '/providers/'.length);
  const segments = nameSegments(name);
  const scopeNames = segments.slice(0, typeDepth(scopeType));
  let rest = segments.slice(typeDepth(scopeType));
  if (!extensionType.split('/')[0].includes('.') && rest[0]?.includes('.')) {
    extensionType = `${rest[0]}/${extensionType}`;
    rest = rest.slice(1);
  }
  return { type: extensionType, name: rest.join('/'), scope: armId(scopeType, scopeNames) };
}

/** The `scope` of an extension resource, as an ARM id. */
function scopeOf(scope: TemplateScope, raw: JsonObject, ctx: EvalContext): string | undefined {
  const written = lookupKey(raw, 'scope');
  if (!written.found) return undefined;
  const value = textOf(scope.evaluate(written.value, ctx));
  if (!value) return undefined;
  if (value.startsWith('/')) return value.replace(/\/$/, '');

  const [namespace, ...rest] = value.split('/');
  if (!namespace.includes('.')) return undefined;
  const types = rest.filter((_, i) => i % 2 === 0);
  const names = rest.filter((_, i) => i % 2 === 1);
  return armId([namespace, ...types].join('/'), names, resourceGroupId());
}

function buildBody(
  scope: TemplateScope,
  raw: JsonObject,
  ctx: EvalContext,
  identity: { id: string; name: string; type: string },
): JsonObject {
  const segments = nameSegments(identity.name);
  const body: JsonObject = {
    id: identity.id,
    name: segments[segments.length - 1] ?? identity.name,
    type: identity.type,
  };
  for (const field of BODY_FIELDS) {
    const written = lookupKey(raw, field);
    if (written.found) setKey(body, field, scope.evaluate(written.value, ctx));
  }
  // Not in a GET body, but kept: what an absent property means can depend on the API version
  // the template deploys with (new storage accounts forbid anonymous blob access from 2023-01-01).
  const apiVersion = lookupKey(raw, 'apiVersion');
  if (apiVersion.found) setKey(body, 'apiVersion', scope.evaluate(apiVersion.value, ctx));

  const written = lookupKey(raw, 'properties').value;
  const isDeployment = identity.type === 'Microsoft.Resources/deployments';
  const source = isDeployment && isPlainObject(written) ? withoutKey(written, 'template') : written;
  const properties = written === undefined ? {} : scope.evaluate(source, ctx);
  setKey(body, 'properties', isPlainObject(properties) ? { ...properties } : properties);
  setKey(body, 'children', {});
  markLiteralSecrets(body, written);
  return body;
}

/** Admin passwords a resource body may carry: `properties.<path>`, as ARM spells them. */
const SECRET_PATHS = [['administratorLoginPassword'], ['osProfile', 'adminPassword']];

/**
 * Records which admin passwords the template writes as literal text (not an expression such as
 * `[parameters('adminPassword')]`, whose value comes from a parameter file or Key Vault reference
 * at deploy time) under `Palisade.literalSecrets`, and drops every such password from the body:
 * a GET never returns one, and Palisade keeps no secret.
 */
function markLiteralSecrets(body: JsonObject, written: unknown): void {
  const found: string[] = [];
  for (const path of SECRET_PATHS) {
    const raw = path.reduce<unknown>(
      (v, key) => (isPlainObject(v) ? lookupKey(v, key).value : undefined),
      written,
    );
    // `[[` escapes a literal that begins with `[`; any other `[` opens an expression.
    if (typeof raw === 'string' && raw !== '' && (!raw.startsWith('[') || raw.startsWith('[[')))
      found.push(path.join('.'));
    body.properties = withoutPath(body.properties, path);
  }
  if (found.length > 0) setKey(body, 'Palisade', { literalSecrets: found });
}

/** `value` without the key at `path` (any casing), copied where it changes. */
function withoutPath(value: unknown, path: string[]): unknown {
  if (!isPlainObject(value) || path.length === 0) return value;
  const [key, ...rest] = path;
  const own = Object.keys(value).find((k) => k.toLowerCase() === key.toLowerCase());
  if (own === undefined) return value;
  const copy: JsonObject = { ...value };
  if (rest.length === 0) delete copy[own];
  else setKey(copy, own, withoutPath(value[own], rest));
  return copy;
}

// Known gap: a nested deployment's `resourceGroup` / `subscriptionId` are not applied; its
// resources get ids in the deploying template's own `{resourceGroup}` placeholder scope.
// Linked templates (`templateLink`) are not fetched, so only the deployment itself is read.
function expandNestedDeployment(
  run: ExpansionRun,
  outer: TemplateScope,
  raw: JsonObject,
  ctx: EvalContext,
  address: string,
  nesting: number,
): void {
  const properties = lookupKey(raw, 'properties').value;
  if (!isPlainObject(properties)) return;
  const template = lookupKey(properties, 'template').value;
  if (!isPlainObject(template)) return;
  if (nesting >= MAX_NESTED_DEPLOYMENTS) {
    run.warnings.add(
      `${run.file}: nested deployments deeper than ${MAX_NESTED_DEPLOYMENTS} skipped`,
    );
    return;
  }

  const options = lookupKey(properties, 'expressionEvaluationOptions').value;
  const scopeOption = isPlainObject(options) ? lookupKey(options, 'scope').value : undefined;
  const prefix = `${address}.properties.template.`;
  if (typeof scopeOption !== 'string' || scopeOption.toLowerCase() !== 'inner') {
    expandTemplate(run, outer, template, ctx, prefix, nesting + 1);
    return;
  }

  const supplied = lookupKey(properties, 'parameters').value;
  const parameterValues: JsonObject = {};
  if (isPlainObject(supplied)) {
    for (const [key, entry] of Object.entries(supplied)) {
      if (!isPlainObject(entry) || !lookupKey(entry, 'value').found) continue;
      setKey(parameterValues, key, outer.evaluate(lookupKey(entry, 'value').value, ctx));
    }
  }
  const inner = new TemplateScope({
    file: run.file,
    template,
    parameterValues,
    budget: run.budget,
    warnings: run.warnings,
  });
  expandTemplate(run, inner, template, { mode: 'value', loops: [] }, prefix, nesting + 1);
}

function evaluateList(scope: TemplateScope, raw: unknown, ctx: EvalContext): string[] {
  if (!Array.isArray(raw)) return [];
  const values = raw.flatMap((item) => {
    const value = scope.evaluate(item, ctx);
    return Array.isArray(value) ? value : [value];
  });
  return values.filter((value): value is string => typeof value === 'string' && value !== '');
}

/**
 * `metadata: { "palisade:ignore": [{ "rule": "id", "reason": "..." }] }`, or entries written as
 * text the way comments and annotations are: `"id: reason"` or `"id reason"`.
 */
function readSuppressions(metadata: unknown): InlineSuppression[] {
  if (!isPlainObject(metadata)) return [];
  const entries = lookupKey(metadata, 'palisade:ignore').value;
  const list = Array.isArray(entries) ? entries : entries === undefined ? [] : [entries];
  return list.flatMap((entry) => {
    if (typeof entry === 'string') {
      const m = /^\s*([^\s:]+)\s*:?\s*(.*)$/s.exec(entry);
      return m ? [{ ruleId: m[1], reason: m[2].trim() }] : [];
    }
    if (!isPlainObject(entry)) return [];
    const rule = lookupKey(entry, 'rule').value ?? lookupKey(entry, 'ruleId').value;
    const reason = lookupKey(entry, 'reason').value;
    if (typeof rule !== 'string') return [];
    return [{ ruleId: rule, reason: typeof reason === 'string' ? reason : '' }];
  });
}

function isFalse(value: unknown): boolean {
  if (value === false) return true;
  return typeof value === 'string' && value.toLowerCase() === 'false';
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isUnknown(value) || value === undefined || value === null) return '';
  return typeof value === 'number' ? String(value) : '';
}

function withoutKey(object: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const [name, value] of Object.entries(object)) {
    if (name.toLowerCase() !== key) setKey(out, name, value);
  }
  return out;
}
