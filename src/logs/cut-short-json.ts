/**
 * A JSON text that stops before its value is complete: a log copied or uploaded while it was
 * written. Cut early enough, it holds no member a reader recognises, yet it is a broken log, not
 * a file of some other kind.
 */

import { JSONParser } from '@streamparser/json';

/** Where a JSON text cut short ends: 1-based line and column, as an editor counts them. */
export interface JsonCut {
  line: number;
  column: number;
}

/**
 * Where `text` ends when it is the start of a JSON object or array that never completes (every
 * character is valid so far); undefined for a complete value, a text that is invalid before its
 * end, or one that does not open with `{` or `[`.
 *
 * ```ts
 * cutShortJson('{"Records": [{"eventVersion"'); // { line: 1, column: 29 }
 * cutShortJson('{"Records": []}'); // undefined
 * ```
 */
export function cutShortJson(text: string): JsonCut | undefined {
  const body = text.replace(/^\uFEFF/, '');
  if (!/^\s*[{[]/.test(body)) return undefined;

  let complete = false;
  let invalid = false;
  const parser = new JSONParser({ paths: ['$'], keepStack: false });
  parser.onValue = () => {
    complete = true;
  };
  parser.onError = () => {
    invalid = true;
  };
  parser.write(body);
  if (complete || invalid) return undefined;

  const end = body.trimEnd();
  const lines = end.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}
