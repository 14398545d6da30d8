/**
 * Opens one log (a file or stdin) for reading: gunzips it when its first bytes are gzip's magic,
 * and peeks at the first 64 KB of text so readers can sniff the format before streaming it all.
 */

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** How much of a log readers see in `detect`. */
export const SNIFF_BYTES = 64 * 1024;

export interface OpenedLog {
  /** The first up-to-64 KB, decoded as UTF-8 (a split character at the end is dropped). */
  head: string;
  /** The whole (gunzipped) content, head included. */
  stream: Readable;
}

/**
 * Wraps a raw byte stream: gunzip by magic bytes, then peek the head.
 *
 * ```ts
 * const { head, stream } = await openLog(fs.createReadStream('trail.json.gz'));
 * ```
 */
export async function openLog(raw: AsyncIterable<Buffer | string>): Promise<OpenedLog> {
  const rawIter = bytes(raw)[Symbol.asyncIterator]();
  const first = await rawIter.next();
  if (first.done) return { head: '', stream: Readable.from([]) };

  let content: AsyncIterator<Buffer> = prepend([first.value], rawIter);
  if (isGzip(first.value)) {
    const gunzip = Readable.from(iterate(content)).pipe(createGunzip());
    content = (gunzip as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
  }

  const head: Buffer[] = [];
  let size = 0;
  while (size < SNIFF_BYTES) {
    const next = await content.next();
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
  }
  const text = Buffer.concat(head).subarray(0, SNIFF_BYTES).toString('utf8');
  return {
    head: text.replace(/\uFFFD$/, ''),
    stream: Readable.from(iterate(prepend(head, content))),
  };
}

function isGzip(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

async function* bytes(raw: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of raw) {
    if (chunk.length > 0) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

async function* prepend(first: Buffer[], rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* first;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function iterate<T>(iterator: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => iterator };
}
