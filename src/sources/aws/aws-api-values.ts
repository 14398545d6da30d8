/**
 * Helpers shared by the AWS inventory readers: boto3 recording datetimes, policy documents
 * returned as (URL-encoded) JSON strings, tag lists, and what an ARN says about a resource.
 */

export type Props = Record<string, unknown>;

export function isRecord(v: unknown): v is Props {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * A JSON value as text, as `String(v)` writes a primitive. An object is written as JSON: its own
 * `toString` may be a plain value (JSON can name a key so), which `String` would try to call.
 */
export function textOf(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function pad(n: unknown, width = 2): string {
  return String(typeof n === 'number' ? n : 0).padStart(width, '0');
}

/** Placebo stores datetimes as `{"__class__": "datetime", year, month, ...}`: make them ISO. */
export function normaliseRecording(value: unknown, depth = 0): unknown {
  if (depth > 100) return value;
  if (Array.isArray(value)) return value.map((v) => normaliseRecording(v, depth + 1));
  if (!isRecord(value)) return value;
  if (value.__class__ === 'datetime') {
    // Only a number is read: a malformed recording's object (`{"toString": ""}`) cannot become one.
    const micro = typeof value.microsecond === 'number' ? value.microsecond : 0;
    const ms = pad(Math.floor(micro / 1000), 3);
    const date = `${pad(value.year, 4)}-${pad(value.month)}-${pad(value.day)}`;
    return `${date}T${pad(value.hour)}:${pad(value.minute)}:${pad(value.second)}.${ms}Z`;
  }
  const out: Props = {};
  for (const [k, v] of Object.entries(value)) {
    if (k !== 'ResponseMetadata') out[k] = normaliseRecording(v, depth + 1);
  }
  return out;
}

/** Policy documents arrive as JSON text, URL-encoded from IAM; rules want objects. */
export function parsePolicy(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  let text = v.trim();
  if (text.startsWith('%7B') || text.startsWith('%7b')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return v;
    }
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return typeof parsed === 'string' ? parsePolicy(parsed) : parsed;
  } catch {
    return v;
  }
}

/** `[{Key, Value}]` (or `{key, value}`) tag lists -> a flat map. */
export function tagMap(tags: unknown): Record<string, string> {
  if (isRecord(tags)) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') out[k] = v;
    return out;
  }
  const out: Record<string, string> = {};
  for (const tag of asList(tags)) {
    if (!isRecord(tag)) continue;
    const key = tag.Key ?? tag.key;
    const value = tag.Value ?? tag.value;
    if (typeof key === 'string') out[key] = typeof value === 'string' ? value : textOf(value);
  }
  return out;
}

/** Region and account named by an ARN (`arn:aws:svc:region:account:...`). */
export function arnParts(arn: unknown): { region?: string; account?: string } {
  if (typeof arn !== 'string' || !arn.startsWith('arn:')) return {};
  const parts = arn.split(':');
  return { region: str(parts[3]), account: str(parts[4]) };
}
