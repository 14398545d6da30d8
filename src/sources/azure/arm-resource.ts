/**
 * Turns one ARM GET body into a canonical resource: documented type casing, subscription as
 * account, location as region, tags, and the few relationships an ARM body states outright.
 */

import type { Relationship, Resource, ResourceSource, SourceKind } from '../../model/resource.js';
import { leftOutWay, markLeftOut } from '../left-out.js';
import { normaliseArmType, parseArmId, type ArmIdParts } from './arm-types.js';

export type ArmBody = Record<string, unknown>;

/** The path of an ARM body's own settings, unknown when a listing left them out. */
const PROPERTIES = 'properties';

/** The warning for `count` resources of `file` whose listing left their settings out `how`. */
function leftOutWarning(file: string, count: number, how: string): string {
  return (
    `${file}: ${count} resource(s) carry no properties (${how}): rules that read a resource's ` +
    `settings cannot judge them; export whole bodies instead (the service's \`show\` or ` +
    `\`list\` command, \`az resource show --ids ...\`, or a Resource Graph query that keeps ` +
    `properties)`
  );
}

/**
 * How a listing left a resource's settings out: `"properties": null` (`az resource list`), or
 * no settings at all beside the envelope (`az keyvault list`, ARM's generic `/resources`). The
 * scan warns of those no other file read filled in (`leftOutWarnings` in `../left-out.ts`), a
 * file's `null` ones first.
 */
const LEFT_OUT_AS_NULL = leftOutWay(PROPERTIES, (file, count) =>
  leftOutWarning(file, count, '`"properties": null`, as `az resource list` prints them'),
);
const LEFT_OUT_ABSENT = leftOutWay(PROPERTIES, (file, count) =>
  leftOutWarning(
    file,
    count,
    'only id, name, type, location and tags, as `az keyvault list` prints them and a ' +
      'Resource Graph query that does not project properties returns them',
  ),
);

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when `value` looks like an ARM resource body: an object with an ARM id. */
export function isArmBody(value: unknown): value is ArmBody {
  if (!isObject(value) || typeof value.id !== 'string') return false;
  return /\/providers\/[^/]+\/[^/]+/i.test(value.id);
}

/** Locations as written, normalised: an export names a few regions thousands of times. */
const locations = new Map<string, string>();
const LOCATIONS_MAX = 10_000;

/** ARM locations are written `East US` or `eastus`; the API answers `eastus`. */
export function normaliseLocation(location: unknown): string | undefined {
  if (typeof location !== 'string' || location === '') return undefined;
  const known = locations.get(location);
  if (known !== undefined) return known;
  const out = location.replace(/\s+/g, '').toLowerCase();
  if (locations.size < LOCATIONS_MAX) locations.set(location, out);
  return out;
}

/** Tag values as strings; ARM allows only strings, but exports sometimes carry others. */
export function tagsOf(value: unknown): Record<string, string> {
  if (!isObject(value)) return {};
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    tags[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return tags;
}

/**
 * Canonical resource for an ARM body read from an inventory export (`parsed`: its id's parts, when
 * the caller has split it already).
 *
 * ```ts
 * const r = armBodyToResource(body, { kind: 'azure-arm', file: 'vaults.json' });
 * r?.type; // 'Microsoft.KeyVault/vaults'
 * ```
 */
export function armBodyToResource(
  body: ArmBody,
  source: ResourceSource,
  parsed: ArmIdParts = parseArmId(body.id as string),
): Resource | undefined {
  const id = body.id as string;
  const rawType =
    typeof body.type === 'string' && body.type.includes('/') ? body.type : parsed.type;
  if (!rawType) return undefined;
  const type = normaliseArmType(rawType);
  const name = typeof body.name === 'string' && body.name !== '' ? body.name : (parsed.name ?? id);

  // A body that already spells its type as documented is used as it is: the copy would hold
  // the same keys in the same order (readers own the bodies they parsed).
  let properties: ArmBody = body.type === type ? body : { ...body, type };
  // Generic listings (`az resource list`, ARM's `/resources`) write `"properties": null`: the
  // resource's own settings are left out, so they are unknown, not the defaults their absence
  // would mean in the resource's GET body.
  const leftOut = body.properties === null || body.properties === undefined;
  if (leftOut && 'properties' in properties) {
    const { properties: _none, ...rest } = properties;
    properties = rest;
  }
  const resource: Resource = {
    cloud: 'azure',
    type,
    id,
    name,
    tags: tagsOf(body.tags),
    properties,
    relationships: relationshipsOf(type, body),
    source,
  };
  if (parsed.subscription) resource.account = parsed.subscription;
  const region = normaliseLocation(body.location);
  if (region) resource.region = region;
  if (leftOut) {
    resource.unknown = [PROPERTIES];
    // Marked here only: a parent known only through its children read (`partialParent`) is
    // unknown too, but no listing left it out.
    const way = body.properties === null ? LEFT_OUT_AS_NULL : LEFT_OUT_ABSENT;
    markLeftOut(resource, source.file ?? id, way);
  }
  return resource;
}

/** Edges an ARM body states: VM -> NIC, disk -> VM, NSG -> subnet, flow log -> NSG. */
/** Adds an edge to `target` when it is an id (no closure per resource: bodies are many). */
function addEdge(edges: Relationship[], kind: string, target: unknown): void {
  if (typeof target === 'string' && target !== '') edges.push({ kind, target });
}

/** The `id` of each object in `list`. */
function ids(list: unknown): unknown[] {
  return (Array.isArray(list) ? list : []).map((x) => (isObject(x) ? x.id : undefined));
}

function relationshipsOf(type: string, body: ArmBody): Relationship[] {
  const props = isObject(body.properties) ? body.properties : {};
  const edges: Relationship[] = [];

  switch (type) {
    case 'Microsoft.Compute/virtualMachines': {
      const net = isObject(props.networkProfile) ? props.networkProfile : {};
      for (const nic of ids(net.networkInterfaces)) addEdge(edges, 'attachedTo', nic);
      break;
    }
    case 'Microsoft.Compute/disks':
      addEdge(edges, 'attachedTo', body.managedBy);
      break;
    case 'Microsoft.Network/networkSecurityGroups':
      for (const subnet of ids(props.subnets)) addEdge(edges, 'attachedTo', subnet);
      for (const nic of ids(props.networkInterfaces)) addEdge(edges, 'attachedTo', nic);
      break;
    case 'Microsoft.Network/networkWatchers/flowLogs':
      addEdge(edges, 'references', props.targetResourceId);
      addEdge(edges, 'references', props.storageId);
      break;
    default:
      break;
  }
  return edges;
}

/** Source record for an inventory resource. */
export function inventorySource(kind: SourceKind, file: string): ResourceSource {
  return { kind, file };
}
