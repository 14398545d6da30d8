/**
 * How deeply a parsed JSON value nests. Inputs nested thousands of levels deep parse fine, but
 * every later recursive step (JSON.stringify into the store, a structured clone, a rule walking
 * all fields) then overflows the stack: readers refuse such records when they are read.
 */

/** Levels of objects and arrays any real log record or resource stays well within. */
export const MAX_NESTING = 100;

/**
 * True when `value` holds objects or arrays more than `limit` levels deep (a scalar is level 0,
 * `{}` level 1). Stops at the first branch past the limit, so its own stack stays short.
 *
 * ```ts
 * nestedDeeperThan({ a: [1] }, 2); // false
 * nestedDeeperThan(JSON.parse('[[[[]]]]'), 3); // true
 * ```
 */
export function nestedDeeperThan(value: unknown, limit = MAX_NESTING): boolean {
  if (value === null || typeof value !== 'object') return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (nestedDeeperThan(item, limit - 1)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (Object.hasOwn(record, key) && nestedDeeperThan(record[key], limit - 1)) return true;
  }
  return false;
}
