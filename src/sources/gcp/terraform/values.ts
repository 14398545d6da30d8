/** Small readers over evaluated Terraform attribute values (plain JSON plus UnknownValue). */

import { isUnknown, type UnknownValue } from '../../../model/resource.js';

export type Attrs = Record<string, unknown>;

/** Object with the `undefined` entries left out, so absent settings stay absent. */
export function compact(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
}

/** The first instance of a nested block (`boot_disk { ... }`), or undefined. */
export function block(attrs: Attrs, key: string): Attrs | undefined {
  const v = attrs[key];
  if (Array.isArray(v)) return isPlain(v[0]) ? v[0] : undefined;
  return isPlain(v) ? v : undefined;
}

/** All instances of a nested block. */
export function blocks(attrs: Attrs, key: string): Attrs[] {
  const v = attrs[key];
  if (Array.isArray(v)) return v.filter(isPlain);
  return isPlain(v) ? [v] : [];
}

/**
 * `fn` of each instance of a nested block; a block list known only after apply (a `dynamic`
 * block over an unknown value) stays its marker, and an unknown instance stays a marker in place,
 * so a rule reading them cannot be judged instead of seeing no block.
 */
export function mapBlocks(
  attrs: Attrs,
  key: string,
  fn: (block: Attrs) => unknown,
): unknown[] | UnknownValue {
  const v = attrs[key];
  if (isUnknown(v)) return v;
  const list: unknown[] = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  const out: unknown[] = [];
  for (const item of list) {
    if (isUnknown(item)) out.push(item);
    else if (isPlain(item)) out.push(fn(item));
  }
  return out;
}

function isPlain(v: unknown): v is Attrs {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);
}

/** A string attribute; unknown markers pass through so they stay visible to rules. */
export function str(v: unknown): unknown {
  if (isUnknown(v)) return v;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A known string value, or undefined for anything else (unknown included). */
export function knownStr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A boolean attribute (HCL `"true"` strings accepted), `def` when absent. */
export function bool(v: unknown, def?: boolean): unknown {
  if (isUnknown(v)) return v;
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return def;
}

/** A number attribute (numeric strings accepted), `def` when absent. */
export function num(v: unknown, def?: number): unknown {
  if (isUnknown(v)) return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return def;
}

/** A list of strings (each item through `str`); unknown lists pass through. */
export function strList(v: unknown): unknown {
  if (isUnknown(v)) return v;
  if (!Array.isArray(v)) return typeof v === 'string' ? [v] : undefined;
  return v.map((x) => str(x)).filter((x) => x !== undefined);
}

/** Dot paths (list indices as numbers) of every UnknownValue marker inside `value`. */
export function unknownPaths(value: unknown, prefix = ''): string[] {
  if (isUnknown(value)) return [prefix];
  if (Array.isArray(value))
    return value.flatMap((v, i) => unknownPaths(v, join(prefix, String(i))));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => unknownPaths(v, join(prefix, k)));
  }
  return [];
}

function join(prefix: string, key: string): string {
  return prefix === '' ? key : `${prefix}.${key}`;
}

/** Terraform metadata map as the Compute API's `{ items: [{ key, value }] }` (values strings). */
export function metadataItems(map: unknown, extra: Record<string, unknown> = {}): unknown {
  if (isUnknown(map)) return map;
  const entries = { ...(typeof map === 'object' && map !== null ? (map as Attrs) : {}), ...extra };
  const items = Object.entries(entries)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([key, v]) => ({ key, value: str(v) }));
  return { items };
}

/** Scope aliases the google provider expands, as the API stores them. */
export function expandScope(scope: unknown): unknown {
  if (typeof scope !== 'string') return scope;
  if (scope.startsWith('https://')) return scope;
  const alias: Record<string, string> = {
    'cloud-platform': 'cloud-platform',
    'compute-ro': 'compute.readonly',
    'compute-rw': 'compute',
    'storage-ro': 'devstorage.read_only',
    'storage-rw': 'devstorage.read_write',
    'storage-full': 'devstorage.full_control',
    'logging-write': 'logging.write',
    monitoring: 'monitoring',
    'monitoring-write': 'monitoring.write',
    'sql-admin': 'sqlservice.admin',
    'userinfo-email': 'userinfo.email',
    'service-control': 'servicecontrol',
    'service-management': 'service.management.readonly',
    trace: 'trace.append',
    pubsub: 'pubsub',
    datastore: 'datastore',
    bigquery: 'bigquery',
  };
  return `https://www.googleapis.com/auth/${alias[scope] ?? scope}`;
}
