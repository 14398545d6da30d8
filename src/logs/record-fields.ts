/**
 * Small, total accessors for untrusted parsed records: they never throw on odd shapes, so a
 * malformed record yields a missing envelope value rather than a crash.
 */

/** A plain JSON object, or undefined. */
export function asObject(value: unknown): Record<string, unknown> | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Record<string, unknown>;
}

/** A non-empty string (numbers are stringified), or undefined. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** The value at a dotted path (`userIdentity.arn`), or undefined. */
export function at(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const key of path.split('.')) {
    const obj = asObject(current);
    if (!obj) return undefined;
    current = obj[key];
  }
  return current;
}

/** The first non-empty string among dotted paths. */
export function firstStr(record: unknown, ...paths: string[]): string | undefined {
  for (const path of paths) {
    const value = str(at(record, path));
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * An ISO 8601 UTC timestamp from a date string or epoch number (`unit` says seconds, ms or µs),
 * or undefined when the value is not a valid time.
 */
export function isoTime(value: unknown, unit: 's' | 'ms' | 'us' = 'ms'): string | undefined {
  if (typeof value === 'number') return fromEpoch(value, unit);
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return fromEpoch(Number(value), unit);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString();
}

function fromEpoch(value: number, unit: 's' | 'ms' | 'us'): string | undefined {
  const ms = unit === 's' ? value * 1000 : unit === 'us' ? value / 1000 : value;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) return undefined;
  return new Date(ms).toISOString();
}

/** Parses a string that holds JSON (Log Analytics stringifies nested columns); else undefined. */
export function parseJsonString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!(text.startsWith('{') || text.startsWith('['))) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
