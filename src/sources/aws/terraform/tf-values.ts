/**
 * Small readers for evaluated Terraform attribute values: nested blocks, booleans, numbers and
 * strings, each passing an unknown-before-apply marker through untouched.
 */

import { isUnknown, type UnknownValue } from '../../../model/resource.js';

export type Attrs = Record<string, unknown>;

/** A value as the API would hold it, or the marker saying it is known only after apply. */
export type Maybe<T> = T | UnknownValue;

/** Nested block(s) as a list of objects: plan JSON gives lists, a single object is wrapped. */
export function blocks(value: unknown): Attrs[] {
  if (value === undefined || value === null || isUnknown(value)) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is Attrs => typeof v === 'object' && v !== null && !isUnknown(v));
}

/** The first nested block, if any. */
export function block(value: unknown): Attrs | undefined {
  return blocks(value)[0];
}

/**
 * The marker of a nested block known only after apply (a `dynamic` block over an unknown value),
 * whole or as the first of its list: where `block` would read it as absent and a default apply.
 */
export function unknownBlock(value: unknown): UnknownValue | undefined {
  if (isUnknown(value)) return value;
  if (Array.isArray(value) && isUnknown(value[0])) return value[0];
  return undefined;
}

/** True when the attribute was written (a marker counts: it was written, just not known). */
export function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}

/** A boolean, `"true"`/`"false"` strings accepted; `fallback` when the attribute is absent. */
export function bool(value: unknown, fallback: boolean): Maybe<boolean>;
export function bool(value: unknown): Maybe<boolean> | undefined;
export function bool(value: unknown, fallback?: boolean): Maybe<boolean> | undefined {
  if (isUnknown(value)) return value;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return fallback;
}

/** A number, numeric strings accepted (`"3306"`); `fallback` when absent or not a number. */
export function num(value: unknown, fallback: number): Maybe<number>;
export function num(value: unknown): Maybe<number> | undefined;
export function num(value: unknown, fallback?: number): Maybe<number> | undefined {
  if (isUnknown(value)) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return fallback;
}

/** A string (numbers and booleans are written as text); `fallback` when absent. */
export function str(value: unknown, fallback: string): Maybe<string>;
export function str(value: unknown): Maybe<string> | undefined;
export function str(value: unknown, fallback?: string): Maybe<string> | undefined {
  if (isUnknown(value)) return value;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fallback;
}

/** A list attribute; a scalar becomes a one-item list, a marker stays a marker. */
export function list(value: unknown): Maybe<unknown[]> {
  if (isUnknown(value)) return value;
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * A list attribute as plain items, with an unknown list read as empty: only for lists that link
 * blocks together or name what to look up, never for a value a rule reads (use `mapList` there).
 */
export function items(value: unknown): unknown[] {
  const l = list(value);
  return isUnknown(l) ? [] : l;
}

/**
 * `fn` of each item of a list attribute; a list known only after apply stays its marker, so a
 * rule reading it cannot be judged instead of seeing an empty list.
 */
export function mapList<T>(value: unknown, fn: (item: unknown) => T): Maybe<T[]> {
  const l = list(value);
  return isUnknown(l) ? l : l.map(fn);
}

/**
 * `fn` of each nested block; a block list known only after apply (a `dynamic` block over an
 * unknown collection) stays its marker, and an unknown block in a list stays a marker in place.
 */
export function mapBlocks<T>(value: unknown, fn: (block: Attrs) => T): Maybe<Maybe<T>[]> {
  if (isUnknown(value)) return value;
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  const out: Maybe<T>[] = [];
  for (const v of list) {
    if (isUnknown(v)) out.push(v);
    else if (typeof v === 'object' && v !== null) out.push(fn(v as Attrs));
  }
  return out;
}

/**
 * Lists joined in order, an unknown one standing as one marker among the known items (a rule's
 * `exists` still finds an open rule beside it). When nothing known is in them, the result is the
 * first marker itself: an unknown list is not known to hold anything.
 */
export function joinLists(...parts: Maybe<unknown[]>[]): Maybe<unknown[]> {
  const marker = parts.find(isUnknown);
  if (marker === undefined) return (parts as unknown[][]).flat();
  if (parts.every((p) => isUnknown(p) || p.length === 0)) return marker;
  return parts.flatMap((p) => (isUnknown(p) ? [p] : p));
}

/** A known string or undefined: for names and keys used to match blocks together. */
export function knownString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** A boolean rendered as the API's attribute-map text (`"true"`), marker kept. */
export function boolText(value: Maybe<boolean>): Maybe<string> {
  return isUnknown(value) ? value : String(value);
}

/** Tags as a flat map of known strings; unknown keys or values are left out. */
export function tags(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || isUnknown(value) || Array.isArray(value)) {
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    const s = str(v);
    if (typeof s === 'string') out[k] = s;
  }
  return out;
}

/** Copies the entries whose value is defined, so absent API fields stay absent. */
export function compact<T extends Attrs>(obj: T): T {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out as T;
}

/** The last `/`- or `:`-separated segment of an ARN (`…:policy/Admin` → `Admin`). */
export function arnTail(value: unknown): Maybe<string> | undefined {
  const s = str(value);
  if (s === undefined || isUnknown(s)) return s;
  const parts = s.split(/[/:]/);
  return parts[parts.length - 1];
}
