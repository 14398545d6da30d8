/**
 * Folds child resources (SQL firewall rules, auditing settings, NSG rules, vault secrets) under
 * their parent's `children`, keyed by the child type's last segment, as the shapes doc asks.
 */

import type { Resource } from '../../model/resource.js';
import { idKey, parseArmId, type ArmIdParts } from './arm-types.js';
import { isObject } from './arm-resource.js';

/**
 * Child kinds rules read, per parent type. An inventory parent that shows some children but not
 * these lists the missing ones (`children.auditingSettings`) in `unknown`.
 */
export const CHILD_KINDS: Record<string, string[]> = {
  'Microsoft.Sql/servers': ['firewallRules', 'auditingSettings', 'securityAlertPolicies'],
  'Microsoft.Sql/servers/databases': ['transparentDataEncryption'],
  'Microsoft.DBforPostgreSQL/servers': ['configurations', 'firewallRules'],
  'Microsoft.DBforMySQL/servers': ['configurations', 'firewallRules'],
  'Microsoft.KeyVault/vaults': ['keys', 'secrets'],
  'Microsoft.Storage/storageAccounts': ['blobServices'],
  'Microsoft.Network/networkSecurityGroups': ['securityRules'],
};

function childrenOf(parent: Resource): Record<string, unknown[]> {
  const existing = parent.properties.children;
  if (isObject(existing)) return existing as Record<string, unknown[]>;
  const children: Record<string, unknown[]> = {};
  parent.properties.children = children;
  return children;
}

/**
 * Where each key sits in a list, for one fold: a parent with thousands of children finds the
 * one to replace without a scan. Only `attachChild` changes the lists while the index lives.
 */
export type ChildIndex = WeakMap<unknown[], Map<string, number>>;

/** Position of the first item whose `keyOf` is `key`, or -1 (indexed when `index` is given). */
function positionOf(
  list: unknown[],
  key: string,
  keyOf: (item: unknown) => string | undefined,
  index?: ChildIndex,
): number {
  if (!index) return list.findIndex((item) => keyOf(item) === key);
  let positions = index.get(list);
  if (!positions) {
    positions = new Map();
    for (let i = 0; i < list.length; i += 1) {
      const k = keyOf(list[i]);
      if (k !== undefined && !positions.has(k)) positions.set(k, i);
    }
    index.set(list, positions);
  }
  return positions.get(key) ?? -1;
}

/** Appends `item` (whose key is `key`) and records its position. */
function append(list: unknown[], item: unknown, key: string | undefined, index?: ChildIndex) {
  list.push(item);
  const positions = index?.get(list);
  if (positions && key !== undefined && !positions.has(key)) positions.set(key, list.length - 1);
}

const childKey = (c: unknown) =>
  isObject(c) && typeof c.id === 'string' ? idKey(c.id) : undefined;
const ruleKey = (r: unknown) =>
  isObject(r) && typeof r.name === 'string' ? r.name.toLowerCase() : undefined;

/** Adds one child body under `parent.properties.children[kind]`, replacing one with the same id. */
export function attachChild(
  parent: Resource,
  kind: string,
  body: Record<string, unknown>,
  index?: ChildIndex,
): void {
  const children = childrenOf(parent);
  const list = Array.isArray(children[kind]) ? children[kind] : (children[kind] = []);
  const key = typeof body.id === 'string' ? idKey(body.id) : undefined;
  const at = key ? positionOf(list, key, childKey, index) : -1;
  if (at >= 0) list[at] = body;
  else append(list, body, key, index);

  if (kind === 'securityRules' && parent.type === 'Microsoft.Network/networkSecurityGroups') {
    mergeSecurityRule(parent, structuredClone(body), index);
  }
}

/** The NSG API returns rules inline; a rule seen on its own joins `properties.securityRules`. */
function mergeSecurityRule(nsg: Resource, rule: Record<string, unknown>, index?: ChildIndex): void {
  const body = nsg.properties;
  const props = isObject(body.properties) ? body.properties : (body.properties = {});
  const rules = Array.isArray(props.securityRules)
    ? props.securityRules
    : (props.securityRules = []);
  const name = ruleKey(rule);
  const at = name === undefined ? -1 : positionOf(rules, name, ruleKey, index);
  if (at >= 0) rules[at] = rule;
  else append(rules, rule, name, index);
}

/**
 * Folds every child into its parent when the parent is in `resources`; otherwise adds a partial
 * parent carrying only `children` (the scan merges it with the real parent by type and id).
 * Inventory parents list the children they were not seen with in `unknown`.
 */
export function foldInventoryChildren(resources: Resource[]): Resource[] {
  return foldChildren(
    resources.map((resource) => ({
      resource,
      key: idKey(resource.id),
      parsed: parseArmId(resource.id),
    })),
  );
}

/** A resource to fold, with its id's case-insensitive key and parts. */
export interface FoldEntry {
  resource: Resource;
  /** `idKey(resource.id)`. */
  key: string;
  /** `parseArmId(resource.id)`. */
  parsed: ArmIdParts;
}

/** `foldInventoryChildren` for resources whose ids were keyed and split already. */
export function foldChildren(entries: FoldEntry[]): Resource[] {
  const byId = new Map<string, Resource>();
  const out: Resource[] = [];
  for (const { resource, key } of entries) {
    byId.set(key, resource);
    out.push(resource);
  }
  const index: ChildIndex = new WeakMap();

  for (const { resource: child, parsed } of entries) {
    if (!parsed.parentId || !parsed.childKind || !parsed.type) continue;
    let parent = byId.get(idKey(parsed.parentId));
    if (!parent) {
      parent = partialParent(child, parsed.parentId);
      if (!parent) continue;
      byId.set(idKey(parent.id), parent);
      out.push(parent);
    }
    attachChild(parent, parsed.childKind, child.properties, index);
  }

  for (const r of out) markUnseenChildren(r);
  return out;
}

function partialParent(child: Resource, parentId: string): Resource | undefined {
  const parsed = parseArmId(parentId);
  if (!parsed.type || !parsed.name) return undefined;
  // `.../providers/Microsoft.Security/locations/eastus/...` scopes a resource; it is none itself.
  if (/\/locations$/i.test(parsed.type)) return undefined;
  const parent: Resource = {
    cloud: 'azure',
    type: parsed.type,
    id: parentId,
    name: parsed.name,
    tags: {},
    properties: { id: parentId, name: parsed.name, type: parsed.type, children: {} },
    relationships: [],
    source: { ...child.source },
    // Only the children are known: everything a rule could read about the parent itself is not.
    unknown: ['properties'],
  };
  if (parsed.subscription) parent.account = parsed.subscription;
  if (child.region) parent.region = child.region;
  return parent;
}

function markUnseenChildren(r: Resource): void {
  const children = r.properties.children;
  if (r.unknown === undefined) {
    r.unknown = unseenChildren(r.type, children);
    return;
  }
  const unknown = new Set(r.unknown);
  if (!isObject(children)) {
    unknown.add('children');
  } else {
    for (const kind of CHILD_KINDS[r.type] ?? []) {
      if (!(kind in children)) unknown.add(`children.${kind}`);
    }
  }
  r.unknown = [...unknown];
}

/** What `markUnseenChildren` lists for a resource that listed nothing unknown yet. */
function unseenChildren(type: string, children: unknown): string[] {
  if (!isObject(children)) return ['children'];
  const unseen: string[] = [];
  for (const kind of CHILD_KINDS[type] ?? []) {
    if (!(kind in children)) unseen.push(`children.${kind}`);
  }
  return unseen;
}
