/** Parses an inventory export's JSON text; syntax errors become `SourceReadError`s with a line. */

import { SourceReadError } from '../../model/source-error.js';

/** Files larger than this are refused rather than parsed (a scan must not stall on one file). */
export const MAX_INVENTORY_BYTES = 512 * 1024 * 1024;

/**
 * The last text `detect` parsed, with its value: several readers' `detect` and then `read`
 * look at the same file, which is parsed once. `read` takes it out, so a scan does not keep
 * the last file's text and tree alive.
 */
let lastText: string | undefined;
let lastValue: unknown;

/** Parses JSON text, tolerating a UTF-8 BOM; throws `SourceReadError` naming file and line. */
export function parseJsonText(file: string, text: string): unknown {
  if (text === lastText) {
    const value = lastValue;
    lastText = undefined;
    lastValue = undefined;
    return value;
  }
  // Not parsed by `detect` (a large file is claimed from its head): parsed for this read alone.
  return parse(file, text);
}

function parseAndRemember(file: string, text: string): unknown {
  if (text === lastText) return lastValue;
  const value = parse(file, text);
  lastValue = value;
  lastText = text;
  return value;
}

function parse(file: string, text: string): unknown {
  if (text.length > MAX_INVENTORY_BYTES) {
    throw new SourceReadError({
      file,
      code: 'TOO_LARGE',
      message: 'file is larger than 512 MiB; split the export',
    });
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const position = /position (\d+)/.exec(message);
    const line = position ? body.slice(0, Number(position[1])).split('\n').length : undefined;
    throw new SourceReadError({
      file,
      line,
      code: 'PARSE_ERROR',
      message: `not valid JSON (${message}); export the inventory as JSON`,
    });
  }
}

/** Like `parseJsonText`, but returns `undefined` instead of throwing (for `detect`). */
export function tryParseJson(text: string): unknown {
  try {
    return parseAndRemember('', text);
  } catch {
    return undefined;
  }
}
