/**
 * Turns a reader's input (a byte stream or ready-made lines) into lines, in constant memory: a
 * line longer than the cap is skipped and reported instead of being buffered without end.
 */

import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type { LogInput } from './log-reader.js';

/** The longest line kept; longer ones become an `OverlongLine` (8 MiB, above any real record). */
export const MAX_LINE_LENGTH = 8 * 1024 * 1024;

/** Stands in for a line that exceeded the cap; its text was dropped. */
export class OverlongLine {
  constructor(readonly length: number) {}
}

export type Line = string | OverlongLine;

/**
 * Yields the input's lines without their `\n` / `\r\n`, the BOM of the first line removed.
 *
 * ```ts
 * for await (const line of linesOf(fs.createReadStream('auth.log'))) ...
 * ```
 */
export async function* linesOf(input: LogInput, maxLength = MAX_LINE_LENGTH): AsyncGenerator<Line> {
  for await (const batch of lineBatches(input, maxLength)) yield* batch;
}

/**
 * The input's lines as `linesOf` gives them, one array per chunk read: a consumer pays one await
 * per chunk instead of one per line.
 *
 * ```ts
 * for await (const lines of lineBatches(fs.createReadStream('auth.log'))) for (const l of lines) ...
 * ```
 */
export async function* lineBatches(
  input: LogInput,
  maxLength = MAX_LINE_LENGTH,
): AsyncGenerator<Line[]> {
  if (!(input instanceof Readable)) {
    let first = true;
    for await (const line of input) {
      yield [first ? stripBom(line) : line];
      first = false;
    }
    return;
  }

  const decoder = new StringDecoder('utf8');
  let carry = '';
  let dropped = 0;
  let first = true;
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    const text = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    const batch: Line[] = [];
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const piece = text.slice(start, nl);
      start = nl + 1;
      if (dropped > 0) {
        batch.push(new OverlongLine(dropped + piece.length));
        dropped = 0;
        carry = '';
        first = false;
        continue;
      }
      const line = trimCr(carry.length > 0 ? carry + piece : piece);
      carry = '';
      batch.push(first ? stripBom(line) : line);
      first = false;
    }
    const rest = text.slice(start);
    if (dropped > 0) {
      dropped += rest.length;
    } else if (carry.length + rest.length > maxLength) {
      dropped = carry.length + rest.length;
      carry = '';
    } else {
      carry += rest;
    }
    if (batch.length > 0) yield batch;
  }

  const tail = carry + decoder.end();
  if (dropped > 0) {
    yield [new OverlongLine(dropped + tail.length)];
    return;
  }
  if (tail.length > 0) yield [first ? stripBom(trimCr(tail)) : trimCr(tail)];
}

function trimCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}
