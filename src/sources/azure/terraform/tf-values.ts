/**
 * Small helpers for reading evaluated Terraform attributes. Unknown markers pass through
 * untouched so that the translated ARM body records them as unknown rather than guessing.
 */

import { isUnknown } from '../../../model/resource.js';
import { isObject } from '../arm-resource.js';

export type Attrs = Record<string, unknown>;

/** Applies `fn` to a known, present value; keeps unknown markers; absent stays absent. */
// The callers know the shape they asked for; the value arrives untyped from HCL.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function mapv<T>(value: unknown, fn: (v: any) => T): T | unknown {
  if (value === undefined || value === null) return undefined;
  if (isUnknown(value)) return value;
  return fn(value);
}

/** `fn` of each item of a list attribute; a value that is no list counts as a one-item list. */
export function mapItems<T>(value: unknown, fn: (item: unknown) => T): T[] | unknown {
  return mapv(value, (v) => (Array.isArray(v) ? (v as unknown[]) : [v]).map(fn));
}

/** First value that is present (not undefined/null) among Terraform attribute spellings. */
export function first(...values: unknown[]): unknown {
  return values.find((v) => v !== undefined && v !== null);
}

/** The first nested block of a block list (`os_disk { ... }` arrives as `[{...}]`). */
export function block(value: unknown): Attrs | undefined {
  if (Array.isArray(value)) return isObject(value[0]) ? value[0] : undefined;
  if (isObject(value) && !isUnknown(value)) return value;
  return undefined;
}

/** All nested blocks of a block list; an unknown (dynamic) block list is returned as is. */
export function blocks(value: unknown): Attrs[] {
  if (Array.isArray(value)) return value.filter(isObject);
  if (isObject(value) && !isUnknown(value)) return [value];
  return [];
}

/**
 * `fn` of each nested block; a block list known only after apply (a `dynamic` block over an
 * unknown value) stays its marker and an unknown block stays a marker in place, so a rule reading
 * them cannot be judged instead of seeing no block. Absent stays absent.
 */
export function mapBlocks<T>(value: unknown, fn: (block: Attrs) => T): unknown {
  return mapv(value, (v) =>
    (Array.isArray(v) ? (v as unknown[]) : [v])
      .filter((b) => isUnknown(b) || isObject(b))
      .map((b) => (isUnknown(b) ? b : fn(b as Attrs))),
  );
}

/** `true`/`false` -> `'Enabled'`/`'Disabled'` (the ARM spelling of many switches). */
export function enabledFlag(value: unknown): unknown {
  return mapv(value, (v) => (v === true || v === 'true' ? 'Enabled' : 'Disabled'));
}

/** A Terraform list or a comma-separated string as a list; any other object as its one item. */
export function list(value: unknown): unknown {
  return mapv(value, (v) =>
    Array.isArray(v)
      ? v
      : typeof v === 'object'
        ? [v]
        : String(v)
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean),
  );
}

/** A non-empty list, else undefined. */
export function nonEmpty(value: unknown): unknown {
  if (isUnknown(value)) return value;
  return Array.isArray(value) && value.length > 0 ? value : undefined;
}

/** RFC 3339 time -> seconds since the epoch, as Key Vault `attributes.exp` is expressed. */
export function epochSeconds(value: unknown): unknown {
  return mapv(value, (v) => {
    const ms = typeof v === 'string' || typeof v === 'number' ? Date.parse(String(v)) : NaN;
    return Number.isNaN(ms) ? v : Math.floor(ms / 1000);
  });
}

/** Drops undefined members and empty objects, recursively (arrays keep their positions). */
export function prune(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (v === undefined ? null : prune(v)));
  if (!isObject(value) || isUnknown(value)) return value;
  const out: Attrs = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const pruned = prune(v);
    if (isObject(pruned) && !isUnknown(pruned) && Object.keys(pruned).length === 0) continue;
    out[k] = pruned;
  }
  return out;
}

/**
 * Removes unknown markers from a translated body and returns their dotted paths
 * (`properties.minimumTlsVersion`, `properties.securityRules.0.properties.priority`).
 */
export function extractUnknowns(body: Attrs): string[] {
  const paths: string[] = [];
  const walk = (node: unknown, path: string[]) => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        if (isUnknown(item)) {
          node[i] = null;
          paths.push([...path, String(i)].join('.'));
        } else walk(item, [...path, String(i)]);
      });
      return;
    }
    if (!isObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (isUnknown(v)) {
        delete node[k];
        paths.push([...path, k].join('.'));
      } else walk(v, [...path, k]);
    }
  };
  walk(body, []);
  return paths;
}

/** Literal string attribute, or undefined when absent or unknown. */
export function literal(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}
