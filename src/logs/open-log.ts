/**
 * Opens one log (a file or stdin) for reading: gunzips it when its first bytes are gzip's magic,
 * and peeks at the first 64 KB of text (less when a pipe pauses) so readers can sniff the format
 * before streaming it all.
 */

import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** How much of a log readers see in `detect`. */
export const SNIFF_BYTES = 64 * 1024;

export interface OpenedLog {
  /**
   * The first up-to-64 KB (what had arrived when the input paused, for a slow pipe), decoded as
   * UTF-8 (a split character at the end is dropped).
   */
  head: string;
  /** The whole (gunzipped) content, head included. */
  stream: Readable;
  /**
   * True once `stream` has ended early because its gzip data was cut short (a file copied while
   * written, `head -c`): the lines before the cut were in it, the incomplete last one was not.
   */
  truncated(): boolean;
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
  if (first.done) return { head: '', stream: Readable.from([]), truncated: () => false };

  let content: AsyncIterator<Buffer> = prepend([first.value], rawIter);
  const cut = { truncated: false };
  if (isGzip(first.value)) {
    const gunzip = Readable.from(iterate(content)).pipe(createGunzip());
    content = untilCut(gunzip, cut)[Symbol.asyncIterator]();
  }

  // The head is what arrived before 64 KB, or before the input paused once some came: a
  // `tail -f` pipe may not write 64 KB for hours, and its lines must not wait for the sniff.
  const head: Buffer[] = [];
  let size = 0;
  let pending: Promise<IteratorResult<Buffer>> | undefined;
  while (size < SNIFF_BYTES) {
    pending ??= content.next();
    const next = head.length > 0 ? await beforePause(pending) : await pending;
    if (next === PAUSED) break;
    pending = undefined;
    if (next.done) break;
    head.push(next.value);
    size += next.value.length;
  }
  const text = Buffer.concat(head).subarray(0, SNIFF_BYTES).toString('utf8');
  return {
    head: text.replace(/\uFFFD$/, ''),
    stream: Readable.from(iterate(prepend(head, content, pending))),
    truncated: () => cut.truncated,
  };
}

/**
 * The gunzipped chunks, ending quietly where gzip data that was cut short ends (zlib's
 * "unexpected end of file"), with `cut.truncated` set. The text after the last line break then
 * is the start of a line whose rest was lost: it is dropped. Each chunk's text after its last
 * line break waits for the next chunk, so that only one chunk is ever held back.
 */
async function* untilCut(
  gunzip: AsyncIterable<Buffer>,
  cut: { truncated: boolean },
): AsyncGenerator<Buffer> {
  let held: Buffer | undefined;
  try {
    for await (const chunk of gunzip) {
      if (held) yield held;
      const end = chunk.lastIndexOf(0x0a) + 1;
      if (end > 0 && end < chunk.length) {
        yield chunk.subarray(0, end);
        held = chunk.subarray(end);
      } else {
        if (end > 0) yield chunk;
        held = end > 0 ? undefined : chunk;
      }
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'Z_BUF_ERROR') throw error;
    cut.truncated = true;
    return;
  }
  if (held) yield held;
}

/** How long the head waits for more input once it holds some. */
const SNIFF_PAUSE_MS = 200;

const PAUSED = Symbol('paused');

/** The next chunk, or PAUSED when none comes within SNIFF_PAUSE_MS. */
async function beforePause<T>(next: Promise<T>): Promise<T | typeof PAUSED> {
  let timer: NodeJS.Timeout | undefined;
  const paused = new Promise<typeof PAUSED>((done) => {
    timer = setTimeout(() => done(PAUSED), SNIFF_PAUSE_MS);
  });
  try {
    return await Promise.race([next, paused]);
  } finally {
    clearTimeout(timer);
  }
}

function isGzip(chunk: Buffer): boolean {
  return chunk.length >= 2 && chunk[0] === 0x1f && chunk[1] === 0x8b;
}

async function* bytes(raw: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer> {
  for await (const chunk of raw) {
    if (chunk.length > 0) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  }
}

/** `first`, then the chunk already asked for (if any), then the rest. */
async function* prepend(
  first: Buffer[],
  rest: AsyncIterator<Buffer>,
  asked?: Promise<IteratorResult<Buffer>>,
): AsyncGenerator<Buffer> {
  yield* first;
  if (asked) {
    const next = await asked;
    if (next.done) return;
    yield next.value;
  }
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function iterate<T>(iterator: AsyncIterator<T>): AsyncIterable<T> {
  return { [Symbol.asyncIterator]: () => iterator };
}
