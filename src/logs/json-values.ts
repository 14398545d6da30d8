/**
 * Streams the JSON values of a log file: one per line for NDJSON, the elements of a top-level array
 * or of a `{"Records": [...]}`-style container for documents, or a whole (size-capped) document.
 */

import { Readable } from 'node:stream';
import { JSONParser, TokenType } from '@streamparser/json';
import type { ParsedElementInfo, ParsedTokenInfo } from '@streamparser/json';
import { LogReadError } from './log-read-error.js';
import type { LogInput } from './log-reader.js';
import { lineBatches, overlongMessage, OverlongLine } from './line-input.js';

/** Top-level keys whose array is streamed element by element instead of parsed whole. */
export const CONTAINER_KEYS = ['Records', 'records', 'Events', 'value'] as const;

/** The largest document read whole (when it has no streamable container): 64 MiB. */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

/** One JSON value found in a log, with the line it starts on and the container it came from. */
export interface JsonValue {
  value: unknown;
  line?: number;
  /** `Records`, `records`, `Events`, `value`, `[]` (top-level array); absent for a whole value. */
  container?: string;
}

const SNIFF_BYTES = 64 * 1024;
/** Compact one-line documents up to this size are parsed whole (16 MiB). */
const FAST_PATH_BYTES = 16 * 1024 * 1024;

/**
 * Yields every JSON value of `input`, or a `LogReadError` where a value does not parse. NDJSON
 * goes on after a bad line; a broken document stops at the first error.
 *
 * ```ts
 * for await (const item of jsonValues(stream, 'trail.json')) ...
 * ```
 */
export async function* jsonValues(
  input: LogInput,
  file: string,
  maxDocumentBytes = MAX_DOCUMENT_BYTES,
): AsyncGenerator<JsonValue | LogReadError> {
  for await (const batch of jsonValueBatches(input, file, maxDocumentBytes)) yield* batch;
}

/** `jsonValues`, one array per chunk read (one await per chunk instead of one per value). */
export async function* jsonValueBatches(
  input: LogInput,
  file: string,
  maxDocumentBytes = MAX_DOCUMENT_BYTES,
): AsyncGenerator<Array<JsonValue | LogReadError>> {
  const chunks = byteChunks(input)[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headBytes = 0;
  let done = false;
  while (headBytes < SNIFF_BYTES) {
    const next = await chunks.next();
    if (next.done) {
      done = true;
      break;
    }
    head.push(next.value);
    headBytes += next.value.length;
  }

  if (head[0] && head[0][0] === 0xef && head[0][1] === 0xbb && head[0][2] === 0xbf) {
    head[0] = head[0].subarray(3);
  }
  const all = replay(head, done ? undefined : chunks);
  const headText = Buffer.concat(head).toString('utf8');
  if (looksLikeNdjson(headText)) {
    yield* ndjsonValues(Readable.from(all), file);
    return;
  }
  const rootIsArray = headText
    .replace(/^\uFEFF/, '')
    .trimStart()
    .startsWith('[');
  const iterator = all[Symbol.asyncIterator]();
  const buffered: Buffer[] = [];
  let size = 0;
  let ended = false;
  while (size <= FAST_PATH_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      break;
    }
    buffered.push(next.value);
    size += next.value.length;
  }
  if (ended) {
    const fast = compactDocument(Buffer.concat(buffered).toString('utf8'));
    if (fast) {
      yield fast;
      return;
    }
  }
  const rest = replay(buffered, ended ? undefined : iterator);
  yield* documentValues(rest, file, rootIsArray, maxDocumentBytes);
}

/**
 * A one-line document (CloudTrail's S3 delivery files are compact JSON) under the fast-path cap is
 * parsed whole with `JSON.parse`, several times faster than streaming; every element is on line 1.
 */
function compactDocument(text: string): JsonValue[] | undefined {
  const body = text.trim();
  if (body.includes('\n')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (Array.isArray(value)) return value.map((v) => ({ value: v, line: 1, container: '[]' }));
  if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const key = Object.keys(obj)[0];
    if (
      key !== undefined &&
      (CONTAINER_KEYS as readonly string[]).includes(key) &&
      Array.isArray(obj[key])
    ) {
      return (obj[key] as unknown[]).map((v) => ({ value: v, line: 1, container: key }));
    }
  }
  return [{ value, line: 1 }];
}

/** NDJSON when the first non-empty line is a complete JSON object or array. */
function looksLikeNdjson(head: string): boolean {
  const text = head.charCodeAt(0) === 0xfeff ? head.slice(1) : head;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.length === 0) continue;
    if (!(line.startsWith('{') || line.startsWith('['))) return false;
    if (line === text.trim() && !text.includes('\n')) return false;
    try {
      JSON.parse(line);
      return true;
    } catch {
      return false;
    }
  }
  return false;
}

async function* ndjsonValues(
  input: LogInput,
  file: string,
): AsyncGenerator<Array<JsonValue | LogReadError>> {
  let lineNo = 0;
  for await (const lines of lineBatches(input)) {
    const out: Array<JsonValue | LogReadError> = [];
    for (const line of lines) {
      lineNo++;
      if (line instanceof OverlongLine) {
        out.push(overlong(file, lineNo, line.length));
        continue;
      }
      if (line.length === 0 || line.trim().length === 0) continue;
      try {
        out.push({ value: JSON.parse(line), line: lineNo });
      } catch (err) {
        const message = jsonMessage(err);
        out.push(new LogReadError({ file, line: lineNo, code: 'PARSE_ERROR', message }));
      }
    }
    if (out.length > 0) yield out;
  }
}

/** Streams a document: container elements as they complete, else the whole value (capped). */
async function* documentValues(
  chunks: AsyncIterable<Buffer>,
  file: string,
  rootIsArray: boolean,
  maxBytes: number,
): AsyncGenerator<Array<JsonValue | LogReadError>> {
  const lines = new LineCounter();
  const out: Array<JsonValue | LogReadError> = [];
  let failed = false;
  let streamed = false;
  let depth = 0;
  let elementLine = 1;
  let rootLine = 1;

  // A top-level array streams its elements; an object streams its container's elements, and is
  // also parsed whole by a second parser until it turns out to have a container.
  const elementDepth = rootIsArray ? 1 : 2;
  const paths = rootIsArray ? ['$.*'] : CONTAINER_KEYS.map((k) => `$.${k}.*`);
  const elements = new JSONParser({ paths, keepStack: false, separator: '' });
  let whole: JSONParser | undefined = rootIsArray
    ? undefined
    : new JSONParser({ paths: ['$'], separator: '' });
  let wholeBytes = 0;

  elements.onToken = (info: ParsedTokenInfo) => {
    const opens = info.token === TokenType.LEFT_BRACE || info.token === TokenType.LEFT_BRACKET;
    const closes = info.token === TokenType.RIGHT_BRACE || info.token === TokenType.RIGHT_BRACKET;
    if (depth === 0 && !closes && info.token !== TokenType.SEPARATOR)
      rootLine = lines.at(info.offset);
    if (depth === elementDepth && isValueStart(info.token)) elementLine = lines.at(info.offset);
    if (opens) depth++;
    if (closes) depth--;
  };
  elements.onValue = ({ value, stack }) => {
    // The paths only match container elements; the stack tells which container.
    if (stack.length !== elementDepth) return;
    const container = rootIsArray ? '[]' : String(stack[1]?.key);
    streamed = true;
    whole = undefined;
    out.push({ value, line: elementLine, container });
  };
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    out.push(
      new LogReadError({
        file,
        line: lines.current,
        code: 'PARSE_ERROR',
        message: jsonMessage(err),
      }),
    );
  };
  // onError is a setter on JSONParser: keep our own handle to call it at the end.
  elements.onError = fail;
  const onWhole = ({ value }: ParsedElementInfo) => {
    if (!streamed) out.push({ value, line: rootLine });
  };

  for await (const chunk of chunks) {
    lines.feed(chunk);
    elements.write(chunk);
    if (whole && !failed) {
      wholeBytes += chunk.length;
      if (wholeBytes > maxBytes) {
        const message = `JSON document larger than ${maxBytes} bytes without a streamable array`;
        out.push(new LogReadError({ file, code: 'TOO_LARGE', message }));
        failed = true;
      } else {
        whole.onValue = onWhole;
        whole.onError = () => undefined;
        whole.write(chunk);
      }
    }
    lines.advance(chunk);
    if (out.length > 0) yield out.splice(0);
    if (failed) return;
  }

  if (!failed && depth !== 0) fail(new Error('unexpected end of JSON document'));
  if (out.length > 0) yield out.splice(0);
}

function isValueStart(token: TokenType): boolean {
  return (
    token !== TokenType.RIGHT_BRACE &&
    token !== TokenType.RIGHT_BRACKET &&
    token !== TokenType.COMMA &&
    token !== TokenType.COLON &&
    token !== TokenType.SEPARATOR
  );
}

/** Maps the parser's byte offsets to 1-based line numbers, moving forward only. */
class LineCounter {
  #chunk: Buffer = Buffer.alloc(0);
  #chunkStart = 0;
  #chunkLine = 1;
  #pos = 0;
  #posLine = 1;

  get current(): number {
    return this.#posLine;
  }

  feed(chunk: Buffer): void {
    this.#chunk = chunk;
    this.#pos = 0;
    this.#posLine = this.#chunkLine;
  }

  at(offset: number): number {
    const target = offset - this.#chunkStart;
    if (target < this.#pos) return this.#posLine;
    const end = Math.min(target, this.#chunk.length);
    for (let i = this.#pos; i < end; i++) if (this.#chunk[i] === 0x0a) this.#posLine++;
    this.#pos = end;
    return this.#posLine;
  }

  advance(chunk: Buffer): void {
    let count = 0;
    for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) count++;
    this.#chunkStart += chunk.length;
    this.#chunkLine += count;
    this.#posLine = this.#chunkLine;
  }
}

async function* byteChunks(input: LogInput): AsyncGenerator<Buffer> {
  if (input instanceof Readable) {
    for await (const chunk of input as AsyncIterable<Buffer | string>) {
      yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    }
    return;
  }
  for await (const line of input) yield Buffer.from(line + '\n');
}

async function* replay(head: Buffer[], rest?: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  yield* head;
  if (!rest) return;
  for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
}

function overlong(file: string, line: number, length: number): LogReadError {
  const message = overlongMessage(length);
  return new LogReadError({ file, line, code: 'TOO_LARGE', message });
}

function jsonMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return `invalid JSON: ${text.length > 200 ? text.slice(0, 200) + '…' : text}`;
}
