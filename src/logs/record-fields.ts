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

/**
 * An ISO 8601 UTC timestamp from a date string or epoch number (`unit` says seconds, ms or µs),
 * or undefined when the value is not a valid time.
 */
export function isoTime(value: unknown, unit: 's' | 'ms' | 'us' = 'ms'): string | undefined {
  if (typeof value === 'number') return fromEpoch(value, unit);
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return undefined;
  const canonical = canonicalIso(value);
  if (canonical !== undefined) return canonical;
  if (/^\d+(\.\d+)?$/.test(value)) return fromEpoch(Number(value), unit);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  return new Date(ms).toISOString();
}

/**
 * `YYYY-MM-DDThh:mm:ssZ` or `...ss.mmmZ` whose fields are in range (day <= 28, so no month
 * overflow) is already what `toISOString` would give: skip the parse and the formatting.
 */
function canonicalIso(value: string): string | undefined {
  const n = value.length;
  if (n !== 20 && n !== 24) return undefined;
  if (value.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T') return undefined;
  if (value[13] !== ':' || value[16] !== ':') return undefined;
  for (const i of n === 20 ? DIGITS_20 : DIGITS_24) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (n === 24 && value[19] !== '.') return undefined;
  const two = (i: number) => (value.charCodeAt(i) - 48) * 10 + value.charCodeAt(i + 1) - 48;
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || day > 28) return undefined;
  if (two(11) > 23 || two(14) > 59 || two(17) > 59) return undefined;
  return n === 24 ? value : `${value.slice(0, 19)}.000Z`;
}

const DIGITS_20 = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DIGITS_24 = [...DIGITS_20, 20, 21, 22];

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
