/**
 * A JSON syntax error as the user should see it: V8's reason with the line and column it points
 * at, whichever reader met the file (some read JSON with a YAML parser, whose wording misleads).
 */

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
  const reason = message.replace(/ in JSON at position \d+.*$/s, '').replace(/ \(line.*$/s, '');
  if (!at)
    return new SourceReadError({ file, code: 'PARSE_ERROR', message: `invalid JSON: ${reason}` });
  const { line, column } = positionOf(text, Number(at[1]));
  return new SourceReadError({
    file,
    code: 'PARSE_ERROR',
    message: `invalid JSON: ${reason} at line ${line}, column ${column}`,
    line,
    column,
  });
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
