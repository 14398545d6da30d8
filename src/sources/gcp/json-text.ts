/** JSON and NDJSON parsing that turns syntax errors into `SourceReadError`s with a line. */

import { SourceReadError } from '../../model/source-error.js';

/** Line (1-based) of a character offset in `text`. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i += 1) if (text.charCodeAt(i) === 10) line += 1;
  return line;
}

/** Offset named by a V8 `JSON.parse` message ("... at position 12"), if any. */
function errorOffset(message: string): number | undefined {
  const m = /position (\d+)/.exec(message);
  return m ? Number(m[1]) : undefined;
}

/**
 * Parses one JSON document; on failure throws a `SourceReadError` naming the line.
 *
 * ```ts
 * const doc = parseJson('a.json', '{"x": 1}');
 * ```
 */
export function parseJson(file: string, text: string, lineOffset = 0): unknown {
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = errorOffset(message);
    const line = (offset === undefined ? 1 : lineOf(text, offset)) + lineOffset;
    throw new SourceReadError({
      file,
      line,
      code: 'PARSE_ERROR',
      message: `invalid JSON: ${message}`,
    });
  }
}

/** True when the text looks like newline-delimited JSON objects (two or more lines). */
export function looksLikeNdjson(text: string): boolean {
  // Line by line, stopping at the first line that is not an object, before looking for its end:
  // a large JSON array is refused on its first character, not after a search for a line break.
  let lines = 0;
  let start = 0;
  while (start <= text.length) {
    let i = start;
    while (i < text.length && text[i] !== '\n' && /\s/.test(text[i])) i += 1;
    if (i < text.length && text[i] !== '\n') {
      if (text[i] !== '{') return false;
      lines += 1;
    }
    const end = text.indexOf('\n', i);
    if (end < 0) break;
    start = end + 1;
  }
  return lines > 1;
}

/** Parses NDJSON: one document a non-empty line, each error naming its line. */
export function parseNdjson(file: string, text: string): { value: unknown; line: number }[] {
  const out: { value: unknown; line: number }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    out.push({ value: parseJson(file, raw, i), line: i + 1 });
  });
  return out;
}

/** Narrowing helper: a plain JSON object. */
export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
