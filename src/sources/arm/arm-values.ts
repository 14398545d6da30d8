/**
 * Value helpers with ARM's semantics: case-insensitive property lookup, deep equality, and the
 * way template functions turn values into strings.
 */

/** Raised when a template expression cannot be evaluated (wrong type, missing property...). */
export class ArmEvalError extends Error {
  override readonly name = 'ArmEvalError';
}

export type JsonObject = Record<string, unknown>;

/** Sets a key without ever touching the prototype (`__proto__` is an ordinary key in JSON). */
export function setKey(object: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(object, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own property by exact key first, then case-insensitively, as ARM resolves member access. */
export function lookupKey(object: JsonObject, key: string): { found: boolean; value?: unknown } {
  if (Object.hasOwn(object, key)) return { found: true, value: object[key] };
  const lower = key.toLowerCase();
  for (const candidate of Object.keys(object)) {
    if (candidate.toLowerCase() === lower) return { found: true, value: object[candidate] };
  }
  return { found: false };
}

/** Structural equality of JSON values; object keys compare case-insensitively. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((key) => {
      const other = lookupKey(b, key);
      return other.found && deepEqual(a[key], other.value);
    });
  }
  return false;
}

/** What `string()` and `concat()` make of a value: .NET booleans, compact JSON for objects. */
export function toArmString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return String(value);
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value === 'object' ? 'object' : typeof value;
}

export function expectString(value: unknown, fn: string): string {
  if (typeof value !== 'string') {
    throw new ArmEvalError(`${fn}() expects a string, got ${describeType(value)}`);
  }
  return value;
}

export function expectInteger(value: unknown, fn: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ArmEvalError(`${fn}() expects an integer, got ${describeType(value)}`);
  }
  return Math.trunc(value);
}

export function expectArray(value: unknown, fn: string): unknown[] {
  if (!Array.isArray(value)) {
    throw new ArmEvalError(`${fn}() expects an array, got ${describeType(value)}`);
  }
  return value;
}
