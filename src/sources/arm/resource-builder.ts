/**
 * Turns expanded template resources into canonical resources: folds children into their
 * parent's `children`, merges NSG rules into the NSG, and draws relationship edges.
 */

import { isUnknown, type Relationship, type Resource } from '../../model/resource.js';
import { isPlainObject, setKey, type JsonObject } from './arm-values.js';
import type { ExpandedResource } from './resource-expander.js';
import { armId, nameSegments } from './resource-types.js';
import type { EvaluationBudget } from './template-scope.js';
import { normaliseLocation } from '../azure/arm-resource.js';

/** Child types the API returns inline in the parent's properties, and under which key. */
const INLINE_CHILDREN = new Map([
  ['microsoft.network/networksecuritygroups/securityrules', 'securityRules'],
  ['microsoft.network/virtualnetworks/subnets', 'subnets'],
]);
const ARM_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/.+/i;
const MAX_WALK_DEPTH = 300;

/** Builds the canonical resources of one template file. */
export function buildResources(
  file: string,
  expanded: ExpandedResource[],
  budget: EvaluationBudget,
): Resource[] {
  const byId = new Map<string, ExpandedResource>();
  for (const item of expanded) {
    if (!byId.has(item.id.toLowerCase())) byId.set(item.id.toLowerCase(), item);
  }
  const resolve = (target: string) => resolveTarget(target, byId, expanded);
  const edge = (kind: string) => (target: string) =>
    resolve(target).map((id): Relationship => ({ kind, target: id }));

  const edges = new Map<ExpandedResource, Relationship[]>();
  for (const item of expanded) {
    edges.set(item, [
      ...item.dependsOn.flatMap(edge('dependsOn')),
      ...[...item.references, ...idsIn(item.body.properties, budget)].flatMap(edge('references')),
      ...(item.scope ? edge('attachedTo')(item.scope) : []),
    ]);
  }
  for (const item of expanded) foldIntoParent(item, byId, edges);

  return expanded.map((item) =>
    toResource(file, item, dedupe(edges.get(item) ?? [], item.id), budget),
  );
}

function toResource(
  file: string,
  item: ExpandedResource,
  relationships: Relationship[],
  budget: EvaluationBudget,
): Resource {
  const { body } = item;
  const tags: Record<string, string> = {};
  if (isPlainObject(body.tags)) {
    for (const [key, value] of Object.entries(body.tags)) {
      if (typeof value === 'string') tags[key] = value;
    }
  }
  const unknown = unknownPaths(body, budget);
  const resource: Resource = {
    cloud: 'azure',
    type: item.type,
    id: item.id,
    name: item.name,
    // `West Europe` and `westeurope` are one location: compared as the API names it.
    region: normaliseLocation(body.location),
    tags,
    properties: body,
    relationships,
    source: { kind: 'arm', file, line: item.line, address: item.address },
  };
  if (unknown.length > 0) resource.unknown = unknown;
  if (item.suppressions.length > 0) resource.suppressions = item.suppressions;
  return resource;
}

/**
 * Puts a child's body under its parent's `children.<lastTypeSegment>`; NSG security rules and
 * subnets also join the parent's `properties.securityRules` / `properties.subnets`, as the API
 * returns them inline (a child replaces an inline entry of the same name).
 */
function foldIntoParent(
  child: ExpandedResource,
  byId: Map<string, ExpandedResource>,
  edges: Map<ExpandedResource, Relationship[]>,
): void {
  const types = child.type.split('/');
  const names = nameSegments(child.name);
  if (child.scope || types.length < 3 || names.length < 2) return;

  const parentType = types.slice(0, -1).join('/');
  const parent = byId.get(armId(parentType, names.slice(0, -1)).toLowerCase());
  if (!parent) return;

  const segment = types[types.length - 1];
  const children = parent.body.children as JsonObject;
  const siblings = Array.isArray(children[segment]) ? (children[segment] as unknown[]) : [];
  setKey(children, segment, [...siblings, child.body]);
  edges.get(child)?.push({ kind: 'childOf', target: parent.id });

  const inlineKey = INLINE_CHILDREN.get(child.type.toLowerCase());
  if (inlineKey) mergeInline(parent.body, inlineKey, child.body);
}

function mergeInline(parent: JsonObject, key: string, child: JsonObject): void {
  if (!isPlainObject(parent.properties)) return;
  const existing = parent.properties[key];
  if (isUnknown(existing)) return;
  const list = Array.isArray(existing) ? existing : [];
  const sameName = (entry: unknown) => isPlainObject(entry) && entry.name === child.name;
  const inline = { id: child.id, name: child.name, type: child.type, properties: child.properties };
  setKey(parent.properties, key, [...list.filter((entry) => !sameName(entry)), inline]);
}

/**
 * A dependsOn / reference target as ids of template resources: an id, `Type/name`, a name, or
 * a copy loop's name (every instance). Targets outside the template stay as written.
 */
function resolveTarget(
  target: string,
  byId: Map<string, ExpandedResource>,
  all: ExpandedResource[],
): string[] {
  if (target.startsWith('/')) return [byId.get(target.toLowerCase())?.id ?? target];

  const [namespace, ...rest] = target.split('/');
  if (namespace.includes('.') && rest.length >= 2) {
    const types = rest.filter((_, i) => i % 2 === 0);
    const names = rest.filter((_, i) => i % 2 === 1);
    const id = armId([namespace, ...types].join('/'), names);
    return [byId.get(id.toLowerCase())?.id ?? target];
  }
  const lower = target.toLowerCase();
  const named = all.find((item) => item.name.toLowerCase() === lower);
  if (named) return [named.id];
  const loop = all.filter((item) => item.copyName?.toLowerCase() === lower);
  return loop.length > 0 ? loop.map((item) => item.id) : [target];
}

/** ARM ids written anywhere in a body (NIC -> NSG, VM -> NIC, flow log -> storage). */
function idsIn(value: unknown, budget: EvaluationBudget): string[] {
  const found: string[] = [];
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop() as { value: unknown; depth: number };
    budget.spend();
    if (typeof current === 'string') {
      if (ARM_ID.test(current)) found.push(current);
      continue;
    }
    if (depth > MAX_WALK_DEPTH || isUnknown(current)) continue;
    if (Array.isArray(current))
      current.forEach((item) => stack.push({ value: item, depth: depth + 1 }));
    else if (isPlainObject(current)) {
      for (const item of Object.values(current)) stack.push({ value: item, depth: depth + 1 });
    }
  }
  return found;
}

/** Dot paths (list indices as numbers) of every unknown marker in a body. */
function unknownPaths(body: JsonObject, budget: EvaluationBudget): string[] {
  const paths: string[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (key !== 'children') stack.push({ value, path: key, depth: 0 });
  }
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop() as { value: unknown; path: string; depth: number };
    budget.spend();
    if (isUnknown(value)) {
      paths.push(path);
      continue;
    }
    if (depth > MAX_WALK_DEPTH) continue;
    if (Array.isArray(value)) {
      value.forEach((item, i) =>
        stack.push({ value: item, path: `${path}.${i}`, depth: depth + 1 }),
      );
    } else if (isPlainObject(value)) {
      for (const [key, item] of Object.entries(value)) {
        stack.push({ value: item, path: `${path}.${key}`, depth: depth + 1 });
      }
    }
  }
  return paths.sort();
}

function dedupe(relationships: Relationship[], self: string): Relationship[] {
  const seen = new Set<string>();
  return relationships.filter((edge) => {
    const key = `${edge.kind}|${edge.target.toLowerCase()}`;
    if (seen.has(key) || edge.target.toLowerCase() === self.toLowerCase()) return false;
    seen.add(key);
    return true;
  });
}
