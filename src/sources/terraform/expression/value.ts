/**
 * Values the Terraform evaluator computes with: plain JSON, the unknown marker of
 * model/resource.ts, and lazy namespaces (`var`, `local`, `aws_s3_bucket`) resolved on access.
 */

import { isUnknown, unknownValue, type UnknownValue } from '../../../model/resource.js';

export type Value =
  null | boolean | number | string | Value[] | { [key: string]: Value } | UnknownValue | Namespace;

/** A name space whose members are computed on first access (`var.x`, `aws_vpc.main`). */
export class Namespace {
  constructor(
    readonly label: string,
    readonly member: (name: string) => Value,
  ) {}
}

/** A type or usage error in an expression; evaluation turns it into an unknown value. */
export class EvalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalError';
  }
}

/** Thrown when an evaluation exceeds its work budget; never caught by `try()`/`can()`. */
export class EvalLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EvalLimitError';
  }
}

/**
 * Objects holding a resource's evaluated attributes, with the instance address they belong to
 * (`module.net.aws_subnet.a["x"]`). Reading an attribute they lack gives an unknown value (the
 * provider computes it at apply), not an error.
 */
export const resourceObjects = new WeakMap<object, string>();

export function unknown(reason: string): UnknownValue {
  return unknownValue(reason);
}

/**
 * What `jsonencode()` was given when parts of it are unknown before apply, by the unknown marker
 * it returned: a policy reader can still judge the known parts (`Principal: "*"`) of a policy
 * whose `Resource` names a bucket ARN that only exists after apply.
 */
export const jsonEncoded = new WeakMap<UnknownValue, Value>();

export { isUnknown };

export function isObject(v: Value): v is { [key: string]: Value } {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !isUnknown(v) &&
    !(v instanceof Namespace)
  );
}

/** True when the value or anything inside it is unknown. */
export function containsUnknown(v: Value, depth = 0): boolean {
  if (isUnknown(v) || v instanceof Namespace) return true;
  if (depth > 64) return false;
  if (Array.isArray(v)) return v.some((x) => containsUnknown(x, depth + 1));
  if (isObject(v)) return Object.values(v).some((x) => containsUnknown(x, depth + 1));
  return false;
}

/** First unknown marker found in the value, to carry its reason along. */
export function firstUnknown(values: Value[]): UnknownValue | undefined {
  for (const v of values) {
    if (isUnknown(v)) return v;
    if (v instanceof Namespace) return unknown(`${v.label} used as a value`);
  }
  return undefined;
}

export function typeName(v: Value): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isUnknown(v)) return 'unknown';
  if (v instanceof Namespace) return 'namespace';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** Converts a primitive to its string form as HCL does in templates and `tostring`. */
export function toStringValue(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  throw new EvalError(`cannot convert ${typeName(v)} to string`);
}

function formatNumber(n: number): string {
  if (Number.isInteger(n)) return n.toString();
  return String(n);
}

export function toNumberValue(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v))) return Number(v);
  throw new EvalError(`cannot convert ${typeName(v)} to number`);
}

export function toBoolValue(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new EvalError(`cannot convert ${typeName(v)} to bool`);
}

/** Structural equality with HCL's loose number/string conversion left out. */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && valuesEqual(a[k], b[k]));
  }
  return false;
}

/** Elements of a list, set or object (values in key order), for `for` and functions. */
export function elements(v: Value): Value[] {
  if (Array.isArray(v)) return v;
  if (isObject(v))
    return Object.keys(v)
      .sort()
      .map((k) => v[k]);
  throw new EvalError(`expected a collection, got ${typeName(v)}`);
}

/** Converts namespaces left inside a value into unknown markers, for storing in a block. */
export function toStored(v: Value, depth = 0): unknown {
  if (v instanceof Namespace) return unknown(`${v.label} used as a value`);
  if (depth > 100) return unknown('value nested too deeply');
  if (Array.isArray(v)) return v.map((x) => toStored(x, depth + 1));
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toStored(x, depth + 1);
    return out;
  }
  return v;
}

/**
 * Number of nodes in a value, counting shared sub-values each time they appear, stopping just
 * past `limit`. Guards against values that are small in memory but huge once written out.
 */
export function measureValue(v: Value, limit: number): number {
  let count = 0;
  const stack: Value[] = [v];
  while (stack.length > 0 && count <= limit) {
    const x = stack.pop()!;
    count++;
    if (Array.isArray(x)) stack.push(...x.slice(0, limit));
    else if (isObject(x)) stack.push(...Object.values(x).slice(0, limit));
  }
  return count;
}
