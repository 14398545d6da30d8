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

const SPLIT_PATHS = new Map<string, string[]>();

function segmentsOf(path: string): string[] {
  let segments = SPLIT_PATHS.get(path);
  if (!segments) {
    segments = path.split('.');
    // Paths come from source code, so the cache stays small; the cap guards odd callers.
    if (SPLIT_PATHS.size < 1024) SPLIT_PATHS.set(path, segments);
  }
  return segments;
}

/** The value at a dotted path (`userIdentity.arn`), or undefined. */
export function at(record: unknown, path: string): unknown {
  let current: unknown = record;
  for (const key of segmentsOf(path)) {
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
