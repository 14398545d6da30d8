/**
 * JSON problems as the user should see them: a syntax error with V8's reason and the line and
 * column it points at, whichever reader met the file (some read JSON with a YAML parser, whose
 * wording misleads), and nesting deeper than readers follow.
 */

import { visit } from 'jsonc-parser';
import { SourceReadError } from '../model/source-error.js';

/**
 * The error `JSON.parse(text)` raised, as a `SourceReadError` with line and column.
 *
 * ```ts
 * try { JSON.parse(text) } catch (e) { throw jsonSyntaxError('a.json', text, e) }
 * ```
 */
export function jsonSyntaxError(file: string, text: string, error: unknown): SourceReadError {
  const message = error instanceof Error ? error.message : String(error);
  const at = /at position (\d+)/.exec(message);
  const reason = message
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line.*$/s, '')
    .replace(/, (?:\.\.\.)?".*" is not valid JSON$/s, '');
  const offset = at ? Number(at[1]) : firstErrorOffset(text);
  if (offset === undefined)
    return new SourceReadError({ file, code: 'PARSE_ERROR', message: `invalid JSON: ${reason}` });
  const { line, column } = positionOf(text, offset);
  return new SourceReadError({
    file,
    code: 'PARSE_ERROR',
    message: `invalid JSON: ${reason} at line ${line}, column ${column}`,
    line,
    column,
  });
}

/** Thrown to stop the scan at the first error. */
const STOP = Symbol('stop');

/**
 * Offset where strict JSON first fails in `text`, for V8 messages that name no position
 * (`Unexpected token 'x', "..." is not valid JSON`, `Unexpected end of JSON input`); undefined
 * when the scan cannot tell (it recurses, so a runaway nesting may exhaust the stack).
 */
function firstErrorOffset(text: string): number | undefined {
  let offset: number | undefined;
  const onError = (_: unknown, at: number) => {
    offset = at;
    throw STOP;
  };
  try {
    visit(text, { onError }, { disallowComments: true, allowTrailingComma: false });
  } catch (error) {
    if (error !== STOP) return undefined;
  }
  return offset;
}

/** The syntax error of `text` read as JSON, or undefined when it is valid JSON. */
export function jsonProblem(file: string, text: string): SourceReadError | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    return error instanceof SyntaxError ? jsonSyntaxError(file, text, error) : undefined;
  }
}

/** 1-based line and column of a character offset. */
function positionOf(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let at = text.indexOf('\n'); at >= 0 && at < offset; at = text.indexOf('\n', at + 1)) {
    line += 1;
    lineStart = at + 1;
  }
  return { line, column: offset - lineStart + 1 };
}

/** Deepest nesting of `[` and `{` the readers follow (CloudFormation templates stop there too). */
export const MAX_JSON_DEPTH = 500;

/**
 * Throws a `TOO_LARGE` error naming the limit and the line when `text`, read as JSON, nests
 * `[` and `{` deeper than `MAX_JSON_DEPTH`. Strings and comments (`//`, `/* *\/`, which ARM
 * templates may hold) are skipped; the text need not be valid.
 */
export function assertJsonNesting(file: string, text: string): void {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 0x0a) line += 1;
    else if (c === 0x22) i = stringEnd(text, i);
    else if (c === 0x2f) {
      const end = commentEnd(text, i);
      line += newlinesBetween(text, i, end);
      i = end - 1;
    } else if (c === 0x5b || c === 0x7b) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) {
        throw new SourceReadError({
          file,
          code: 'TOO_LARGE',
          message: `JSON nested more than ${MAX_JSON_DEPTH} levels deep, past the ${MAX_JSON_DEPTH} levels Palisade's readers follow; flatten the document`,
          line,
        });
      }
    } else if (c === 0x5d || c === 0x7d) depth -= 1;
  }
}

/**
 * Offset just past the comment that opens at `start` (a line comment stops before its newline),
 * or `start + 1` when the `/` there opens none.
 */
function commentEnd(text: string, start: number): number {
  const next = text.charCodeAt(start + 1);
  if (next === 0x2f) {
    const newline = text.indexOf('\n', start);
    return newline < 0 ? text.length : newline;
  }
  if (next !== 0x2a) return start + 1;
  const close = text.indexOf('*/', start + 2);
  return close < 0 ? text.length : close + 2;
}

function newlinesBetween(text: string, start: number, end: number): number {
  let count = 0;
  for (let at = start; at < end; at += 1) if (text.charCodeAt(at) === 0x0a) count += 1;
  return count;
}

/** Offset of the quote closing the JSON string that opens at `start` (or the text's end). */
export function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i;
    i += c === 0x5c ? 2 : 1;
  }
  return text.length;
}
