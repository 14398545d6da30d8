/**
 * Sigma field names are dotted paths into an event's `fields` (`userIdentity.arn`). A path is
 * split once; lists met on the way fan out, so a rule matches any element.
 */

/** Reads one field of an event's `fields`: undefined when absent, an array when it fans out. */
export type FieldGetter = (fields: Record<string, unknown>) => unknown;

/**
 * Compiles a dotted path. A key holding the whole dotted name wins over nesting, so flattened
 * logs (`{"user.name": ...}`) and nested ones both work.
 *
 * ```ts
 * compileFieldPath('userIdentity.arn')({ userIdentity: { arn: 'arn:aws:iam::1:user/a' } })
 * ```
 */
export function compileFieldPath(path: string): FieldGetter {
  // A field mapping may ask for a value without surrounding white space (`OperationName|trim`):
  // Entra ID writes some operation names with a trailing space. Rule field names cannot hold a
  // `|` (it starts their modifiers), so the suffix is never part of a real name.
  if (path.endsWith(TRIM)) return trimmed(compileFieldPath(path.slice(0, -TRIM.length)));
  const segments = path.split('.');
  // A name every object inherits (`constructor`, `__proto__`, `toString`) is read as the event's
  // own member only: no rule may see an event's prototype.
  if (segments.some((s) => s in Object.prototype)) return (fields) => walkOwn(fields, segments);
  if (segments.length === 1) return (fields) => fields[path];

  if (segments.length === 2) {
    // The common `a.b` (ssh.event, userIdentity.type) without the general walk.
    const [outer, inner] = segments;
    return (fields) => {
      const flat = fields[path];
      if (flat !== undefined) return flat;
      const parent = fields[outer];
      if (parent === null || typeof parent !== 'object') return undefined;
      if (Array.isArray(parent)) return fanOut(parent, segments, 1, false);
      return (parent as Record<string, unknown>)[inner];
    };
  }
  return (fields) => {
    const flat = fields[path];
    if (flat !== undefined) return flat;
    return walk(fields, segments, 0);
  };
}

const TRIM = '|trim';

/** The getter's strings (one, or each of a list) without surrounding white space. */
function trimmed(get: FieldGetter): FieldGetter {
  const trim = (v: unknown) => (typeof v === 'string' ? v.trim() : v);
  return (fields) => {
    const value = get(fields);
    return Array.isArray(value) ? value.map(trim) : trim(value);
  };
}

/** `fields[path] ?? walk(...)` reading own members only, lists fanned out as `walk` does. */
function walkOwn(fields: Record<string, unknown>, segments: string[]): unknown {
  const flat = segments.join('.');
  if (Object.hasOwn(fields, flat) && fields[flat] !== undefined) return fields[flat];
  return walk(fields, segments, 0, true);
}

/** The value at `segments` from `index` on; `own`: members an object inherits do not count. */
function walk(value: unknown, segments: string[], index: number, own = false): unknown {
  let current = value;
  for (let i = index; i < segments.length; i++) {
    if (current === null || typeof current !== 'object') return undefined;
    if (Array.isArray(current)) return fanOut(current, segments, i, own);
    if (own && !Object.hasOwn(current, segments[i])) return undefined;
    current = (current as Record<string, unknown>)[segments[i]];
  }
  return current;
}

function fanOut(
  list: unknown[],
  segments: string[],
  index: number,
  own: boolean,
): unknown[] | undefined {
  const out: unknown[] = [];
  for (const item of list) {
    const found = walk(item, segments, index, own);
    if (found === undefined) continue;
    // A loop, not `push(...found)`: spread passes each element as an argument on the stack, so
    // one wide list (a padded CloudTrail request) would overflow it.
    if (Array.isArray(found)) for (const each of found) out.push(each);
    else out.push(found);
  }
  return out.length > 0 ? out : undefined;
}

/** Every scalar of an event's fields as a string (for keyword search), depth-bounded. */
export function collectStrings(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 32) return out;
  if (typeof value === 'string') {
    out.push(value);
    return out;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    out.push(String(value));
    return out;
  }
  if (value === null || typeof value !== 'object') return out;
  const items = Array.isArray(value) ? value : Object.values(value as Record<string, unknown>);
  for (const item of items) collectStrings(item, out, depth + 1);
  return out;
}

/** A scalar as Sigma compares it: strings as is, numbers and booleans in their text form. */
export function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return undefined;
}
