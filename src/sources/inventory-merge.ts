/**
 * One resource read from several inventory records: fragments joined, or the latest record kept.
 */

import { INVENTORY_SOURCE_KINDS, type Resource } from '../model/resource.js';
import { carryLeftOut } from './left-out.js';

/**
 * Inventory readers may see one resource in several files (one API call a file). Fragments
 * with the same type and id merge into one resource; a sub-resource one fragment lacked but
 * another supplied is no longer unknown.
 *
 * Records that are the whole resource as of a time (`source.capturedAt`: AWS Config items) are
 * not merged: of two such records the later stands, whatever order the files came in, and a
 * deletion standing last removes the resource (`keepDeletions` keeps it, as the record a later
 * merge with other files' records needs).
 */
export function mergeInventoryFragments(
  resources: Resource[],
  options: { keepDeletions?: boolean } = {},
): Resource[] {
  const merged: Resource[] = [];
  // By lower-cased type, then id, to the resource's place in `merged`: no key string is built
  // per resource.
  const byType = new Map<string, Map<string, number>>();
  const lowerTypes = new Map<string, string>();
  let deletions = 0;
  for (const resource of resources) {
    if (!INVENTORY_SOURCE_KINDS.has(resource.source.kind)) {
      merged.push(resource);
      continue;
    }
    let type = lowerTypes.get(resource.type);
    if (type === undefined) {
      type = resource.type.toLowerCase();
      lowerTypes.set(resource.type, type);
    }
    let byId = byType.get(type);
    if (!byId) byType.set(type, (byId = new Map()));
    // ARM ids are case-insensitive and different API calls spell them differently.
    const id = resource.cloud === 'azure' ? resource.id.toLowerCase() : resource.id;
    if (resource.source.deleted) deletions += 1;
    const at = byId.get(id);
    if (at === undefined) {
      byId.set(id, merged.length);
      merged.push(resource);
      continue;
    }
    const existing = merged[at];
    const earlier = existing.source.capturedAt;
    const later = resource.source.capturedAt;
    if (earlier !== undefined && later !== undefined) {
      // The same time twice (a snapshot and a history file of one moment): the first stands.
      if (later > earlier) merged[at] = resource;
      continue;
    }
    // A deletion is no fragment of the resource it deletes.
    if (existing.source.deleted || resource.source.deleted) {
      if (resource.source.deleted) merged[at] = resource;
      continue;
    }
    mergeInto(existing, resource);
  }
  if (deletions === 0 || options.keepDeletions) return merged;
  return merged.filter((r) => !r.source.deleted);
}

/** Adds fragment `resource` to `existing`, the same resource read from another file. */
function mergeInto(existing: Resource, resource: Resource): void {
  existing.properties = deepMerge(existing.properties, resource.properties) as Record<
    string,
    unknown
  >;
  // A fragment that knows the resource only by its id (a sub-resource call) takes the name
  // another fragment gives, whichever file came first.
  if (existing.name === existing.id && resource.name !== resource.id) existing.name = resource.name;
  existing.tags = { ...existing.tags, ...resource.tags };
  existing.relationships = [...existing.relationships, ...resource.relationships];
  existing.account ??= resource.account;
  existing.region ??= resource.region;
  // A fragment that does not list a path as unknown saw it (absent there means not set): what
  // stays unknown is what every fragment missed, unless the merge now holds it.
  const theirs = new Set(resource.unknown ?? []);
  const stillUnknown = (existing.unknown ?? []).filter(
    (path) => theirs.has(path) && valueAt(existing.properties, path) === undefined,
  );
  existing.unknown = stillUnknown.length > 0 ? stillUnknown : undefined;
  // The listings that left the fragment's settings out: warned of only if that stays unknown.
  carryLeftOut(existing, resource);
}

function valueAt(root: unknown, path: string): unknown {
  let current = root;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function deepMerge(a: unknown, b: unknown): unknown {
  if (!isPlainObject(a) || !isPlainObject(b)) return b === undefined ? a : b;
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b))
    out[key] = key in out ? deepMerge(out[key], value) : value;
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
