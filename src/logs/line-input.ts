/**
 * Turns a reader's input (a byte stream or ready-made lines) into lines, in constant memory: a
 * line longer than the cap is skipped and reported instead of being buffered without end.
 */

import { Readable } from 'node:stream';
import type { LogInput } from './log-reader.js';

/** The longest line kept, in bytes; longer ones become an `OverlongLine` (8 MiB, above any real record). */
export const MAX_LINE_LENGTH = 8 * 1024 * 1024;

/** Stands in for a line that exceeded the cap (length in bytes); its text was dropped. */
export class OverlongLine {
  constructor(readonly length: number) {}
}

/** The error text for a line over the cap. */
export function overlongMessage(length: number, max = MAX_LINE_LENGTH): string {
  return `line of ${length} bytes is longer than the ${max / 1024 / 1024} MiB a reader accepts`;
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

  let carry: Buffer[] = [];
  let carried = 0;
  let dropped = 0;
  let first = true;
  const take = (line: string): string => {
    if (!first) return line;
    first = false;
    return stripBom(line);
  };
  for await (const raw of input as AsyncIterable<Buffer | string>) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const batch: Line[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      if (dropped > 0) {
        batch.push(new OverlongLine(dropped + nl - start));
        first = false;
        dropped = 0;
      } else if (carried > 0) {
        const length = carried + nl - start;
        if (length > maxLength) {
          batch.push(new OverlongLine(length));
          first = false;
        } else {
          carry.push(chunk.subarray(start, nl));
          batch.push(take(decodeLine(Buffer.concat(carry), 0, length)));
        }
        carry = [];
        carried = 0;
      } else if (nl - start > maxLength) {
        batch.push(new OverlongLine(nl - start));
        first = false;
      } else {
        batch.push(take(decodeLine(chunk, start, nl)));
      }
      start = nl + 1;
    }
    const rest = chunk.length - start;
    if (dropped > 0) {
      dropped += rest;
    } else if (carried + rest > maxLength) {
      dropped = carried + rest;
      carry = [];
      carried = 0;
    } else if (rest > 0) {
      // A copy: keeping a view would hold the whole chunk until the line ends.
      carry.push(Buffer.from(chunk.subarray(start)));
      carried += rest;
    }
    if (batch.length > 0) yield batch;
  }

  if (dropped > 0) {
    yield [new OverlongLine(dropped)];
    return;
  }
  if (carried > 0) yield [take(decodeLine(Buffer.concat(carry), 0, carried))];
}

/**
 * One line's bytes as its own string, without a trailing `\r`. Decoding line by line (rather
 * than a chunk, then slicing it) matters for memory: a slice keeps its whole chunk alive, and
 * events that stay in a correlation window would hold megabytes of text they do not use.
 */
function decodeLine(bytes: Buffer, start: number, end: number): string {
  const stop = end > start && bytes[end - 1] === 13 ? end - 1 : end;
  return bytes.toString('utf8', start, stop);
}

function stripBom(line: string): string {
  return line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
}
