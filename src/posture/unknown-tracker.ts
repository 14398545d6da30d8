/**
 * Watches which properties an expression reads, so a verdict that rests on a value an IaC
 * reader could not know (an unknown marker, or a sub-resource an inventory did not include)
 * becomes "cannot be judged" instead of a guess.
 *
 * An unknown read throws `UnknownValueError` inside the expression. CEL's logical operators and
 * its `exists` and `all` macros absorb an error whenever their other operands decide the result
 * (`true || error` is true; `[error, true].exists(...)` is true; `[error, false].all(...)` is
 * false): exactly when the verdict holds whatever the unknown turns out to be. So a security
 * group with one ingress rule from an unknown CIDR and another open to 0.0.0.0/0 fails, in either
 * order, while one whose only doubtful rule is the unknown one cannot be judged.
 */

import {
  INVENTORY_SOURCE_KINDS,
  isUnknown,
  UNKNOWN_KEY,
  type Resource,
} from '../model/resource.js';

/** What the first unknown read was: the property path and the reader's reason. */
export interface UnknownRead {
  path: string;
  reason: string;
}

/** Thrown inside an expression at an unknown read: an error CEL absorbs where it does not matter. */
export class UnknownValueError extends Error {
  constructor(readonly read: UnknownRead) {
    super(`${read.path} is unknown (${read.reason})`);
    this.name = 'UnknownValueError';
  }
}

/**
 * The error for an unknown read, made without a stack trace: it is thrown for every unknown an
 * expression meets and caught inside it where CEL absorbs it, and a trace would cost more than
 * the evaluation.
 */
function unknownValueError(read: UnknownRead): UnknownValueError {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new UnknownValueError(read);
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Why a sub-resource an inventory did not include is unknown. */
export const NOT_IN_INVENTORY = 'not in the inventory that was read';

/** Why a value an IaC file leaves to deployment (a manifest's namespace) is unknown. */
export const SET_WHEN_APPLIED = 'not written in the file; set when it is applied';

/**
 * In `resource.unknown`: every top-level property the resource does not hold is unknown (and
 * `Attributes.*`: every one `Attributes` does not hold). An IaC
 * reader writes it for a resource declared elsewhere (a shared security group, a bucket of another
 * stack) that it builds from the blocks here that configure it: what they set is known, the rest
 * of the resource is not.
 */
export const ANY_OTHER_PROPERTY = '*';

/** Why a property of a resource built only from the blocks that configure it is unknown. */
export const DECLARED_ELSEWHERE =
  'the resource is declared outside the files read; only what they set on it is known';

/** Why the paths `resource.unknown` lists are unknown, by where the resource was read. */
export function unknownPathReason(resource: Resource): string {
  return INVENTORY_SOURCE_KINDS.has(resource.source.kind) ? NOT_IN_INVENTORY : SET_WHEN_APPLIED;
}

/** True when `value` holds an unknown marker anywhere inside it. */
export function containsUnknown(value: unknown, depth = 0): boolean {
  if (depth > 64 || typeof value !== 'object' || value === null) return false;
  if (isUnknown(value)) return true;
  if (Array.isArray(value)) {
    for (const v of value) if (containsUnknown(v, depth + 1)) return true;
    return false;
  }
  for (const key in value) {
    if (containsUnknown((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

/** True when the resource needs the tracking (slower) evaluation path. */
export function needsTracking(resource: Resource): boolean {
  return (resource.unknown?.length ?? 0) > 0 || containsUnknown(resource.properties);
}

/** Read-recording view of one resource's properties, reused by every rule of the resource. */
export interface UnknownTracker {
  properties: unknown;
  /**
   * The first unknown read since the last `reset`, if any (the expression may still have given a
   * verdict: an unknown it read need not have mattered).
   */
  hit: () => UnknownRead | undefined;
  /** Forgets the last hit (call before each rule). */
  reset: () => void;
  /**
   * Runs `read` with unknown values handed out as they are (a marker, or nothing) instead of
   * thrown: a rule's evidence then lists the offending values that are known and passes over the
   * unknown ones, rather than failing whole.
   */
  leniently: <T>(read: () => T) => T;
}

/** Every proper prefix of the unknown paths: the objects a read must pass to reach one. */
function prefixesOf(paths: Set<string>): Set<string> {
  const prefixes = new Set<string>(['']);
  for (const path of paths) {
    let at = path.indexOf('.');
    while (at >= 0) {
      prefixes.add(path.slice(0, at));
      at = path.indexOf('.', at + 1);
    }
  }
  return prefixes;
}

/**
 * Wraps `properties` in read-recording proxies. `hit()` gives the first unknown read, if any.
 * When `markers` is false (the resource holds no unknown marker, only unknown paths), only the
 * objects on the way to an unknown path are wrapped; every other value is handed out as is.
 */
export function trackUnknownReads(
  resource: Resource,
  markers = containsUnknown(resource.properties),
): UnknownTracker {
  const unknownPaths = new Set(resource.unknown ?? []);
  const pathReason = unknownPathReason(resource);
  const prefixes = markers ? undefined : prefixesOf(unknownPaths);
  let first: UnknownRead | undefined;
  const cache = new WeakMap<object, unknown>();
  /** The property path of every wrapped object: one handler serves them all. */
  const paths = new WeakMap<object, string>();
  const childPath = (t: object, key: string) => {
    const path = paths.get(t);
    return path ? `${path}.${key}` : key;
  };
  // An inventory record that lacked the resource's data, or an IaC resource declared elsewhere.
  const anyOtherReason = pathReason === NOT_IN_INVENTORY ? NOT_IN_INVENTORY : DECLARED_ELSEWHERE;
  const anyOther = [...unknownPaths].some(
    (p) => p === ANY_OTHER_PROPERTY || p.endsWith(`.${ANY_OTHER_PROPERTY}`),
  );
  /** Why `p`, absent from the object `t` it would be read from, is unknown; else undefined. */
  const missingReason = (t: object, p: string): string | undefined => {
    if (unknownPaths.has(p)) return pathReason;
    if (!anyOther) return undefined;
    const parent = paths.get(t);
    const rest = parent ? `${parent}.${ANY_OTHER_PROPERTY}` : ANY_OTHER_PROPERTY;
    return unknownPaths.has(rest) ? anyOtherReason : undefined;
  };
  let lenient = false;
  /** An unknown read: thrown, or (leniently) `value` handed out as it is. */
  const unknownRead = <T>(path: string, reason: string, value: T): T => {
    const read = { path, reason };
    first ??= read;
    if (lenient) return value;
    throw unknownValueError(read);
  };
  const noteMissing = (t: object, key: string | symbol, present: boolean) => {
    if (present || typeof key !== 'string') return;
    const p = childPath(t, key);
    const reason = missingReason(t, p);
    if (reason !== undefined) unknownRead(p, reason, undefined);
  };

  const handler: ProxyHandler<object> = {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver);
      if (typeof key !== 'string') return value;
      if (key === 'constructor' || key === 'length') return value;
      if (!markers && value !== undefined && (typeof value !== 'object' || value === null)) {
        return value;
      }
      const p = childPath(t, key);
      if (markers && isUnknown(value)) return unknownRead(p, String(value[UNKNOWN_KEY]), value);
      if (value === undefined) {
        const reason = missingReason(t, p);
        if (reason !== undefined) return unknownRead(p, reason, value);
      }
      if (typeof value !== 'object' || value === null) return value;
      return !prefixes || prefixes.has(p) ? wrap(value, p) : value;
    },
    has(t, key) {
      const present = Reflect.has(t, key);
      noteMissing(t, key, present);
      return present;
    },
    getOwnPropertyDescriptor(t, key) {
      const descriptor = Reflect.getOwnPropertyDescriptor(t, key);
      noteMissing(t, key, descriptor !== undefined);
      return descriptor;
    },
  };

  const wrap = (target: object, path: string): unknown => {
    const cached = cache.get(target);
    if (cached) return cached;
    paths.set(target, path);
    const proxy = new Proxy(target, handler);
    cache.set(target, proxy);
    return proxy;
  };

  return {
    properties: wrap(resource.properties, ''),
    hit: () => first,
    reset: () => {
      first = undefined;
    },
    leniently: (read) => {
      lenient = true;
      try {
        return read();
      } finally {
        lenient = false;
      }
    },
  };
}
