/**
 * Small conversions from CloudFormation property values to API values: numbers, booleans,
 * tag lists, policy documents. Unknown markers pass through untouched.
 */

import { isUnknown } from '../../model/resource.js';

export type Props = Record<string, unknown>;

export function isRecord(v: unknown): v is Props {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isUnknown(v);
}

export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** `"22"` -> 22; markers and non-numeric text stay as they are. */
export function num(v: unknown): unknown {
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}

/** `"true"` -> true (CloudFormation accepts booleans as strings). */
export function bool(v: unknown): unknown {
  if (v === 'true' || v === 'True') return true;
  if (v === 'false' || v === 'False') return false;
  return v;
}

/** Value or, when the template leaves it out, the API's default for a new resource. */
export function or(v: unknown, fallback: unknown): unknown {
  return v === undefined || v === null ? fallback : v;
}

/** Boolean property with the API's default when absent. */
export function boolOr(v: unknown, fallback: boolean): unknown {
  return or(bool(v), fallback);
}

/** CloudFormation tag list `[{Key, Value}]` -> flat map of known string tags. */
export function tagMap(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of asList(tags)) {
    if (!isRecord(tag) || typeof tag.Key !== 'string') continue;
    if (typeof tag.Value === 'string' || typeof tag.Value === 'number')
      out[tag.Key] = String(tag.Value);
  }
  return out;
}

/** Policy documents may be written as JSON strings; the API shape wants objects. */
export function policy(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    return v;
  }
}

/** Copies the listed keys that are present from `src`, optionally renamed (`Src:Dst`). */
export function pick(src: Props, keys: string[]): Props {
  const out: Props = {};
  for (const spec of keys) {
    const [from, to] = spec.split(':') as [string, string | undefined];
    if (src[from] !== undefined) out[to ?? from] = src[from];
  }
  return out;
}

/** Last segment of an ARN or path, when known. */
export function lastSegment(v: unknown): unknown {
  return typeof v === 'string' ? v.split(/[/:]/).pop() : v;
}

/** Dot-separated paths (list indices as numbers) of every unknown marker inside `value`. */
export function unknownPaths(value: unknown, prefix = '', out: string[] = [], depth = 0): string[] {
  if (depth > 100) return out;
  if (isUnknown(value)) {
    out.push(prefix);
    return out;
  }
  const join = (k: string | number) => (prefix === '' ? String(k) : `${prefix}.${k}`);
  if (Array.isArray(value)) value.forEach((v, i) => unknownPaths(v, join(i), out, depth + 1));
  else if (isRecord(value))
    for (const [k, v] of Object.entries(value)) unknownPaths(v, join(k), out, depth + 1);
  return out;
}

/** Drops `undefined` members so properties are plain JSON. */
export function compact(value: unknown, depth = 0): unknown {
  if (depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => compact(v, depth + 1));
  if (!isRecord(value)) return value;
  const out: Props = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = compact(v, depth + 1);
  return out;
}
