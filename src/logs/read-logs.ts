/**
 * Reads logs from files, folders (recursively) and stdin (`-`) into one stream of events, choosing
 * a reader per file by sniffing its head. Memory stays constant: every file is streamed.
 */

import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { isCloudTrailDigest } from './cloudtrail-reader.js';
import { cutShortJson, type JsonCut } from './cut-short-json.js';
import { LogReadError } from './log-read-error.js';
import { flattenBatches, readerBatches } from './log-reader.js';
import type { LogItem, LogReader, QuietLine, QuietTest, ReadContext } from './log-reader.js';
import { openLog, SNIFF_BYTES } from './open-log.js';
import { LOG_READERS } from './reader-registry.js';

export interface ReadLogsOptions {
  /** Readers to offer each file to, in order (default: all of Palisade's). */
  readers?: LogReader[];
  /** Force one reader by kind instead of sniffing. */
  reader?: string;
  /** Year of the first record for timestamps without one (default: from the file's mtime). */
  year?: number;
  /** IANA zone for timestamps that carry none (RFC 3164 syslog); UTC when absent. */
  timeZone?: string;
  /** Stream read instead of stdin when the path is `-` (tests). */
  stdin?: AsyncIterable<Buffer | string>;
  /**
   * Lines this test clears are left unbuilt, as `QuietLine`s, by readers that can judge a line
   * before building it (syslog's sshd lines); every other reader builds all its events.
   */
  quiet?: QuietTest;
}

/**
 * Streams the events of every log under `paths`; files no reader recognises and records that do
 * not parse come out as `LogReadError`s, and reading goes on.
 *
 * ```ts
 * for await (const item of readLogs(['logs/', 'auth.log.gz'])) {
 *   if (item instanceof LogReadError) continue;
 *   handle(item);
 * }
 * ```
 */
export function readLogs(
  paths: string[] | '-',
  options: ReadLogsOptions = {},
): AsyncGenerator<LogItem> {
  const { quiet: _quiet, ...rest } = options;
  return flattenBatches(readLogBatches(paths, rest));
}

/**
 * The items of `readLogs` in arrays, one per chunk read: the detection loop pays one await per
 * chunk instead of one per event.
 *
 * ```ts
 * for await (const items of readLogBatches(['logs/'])) for (const item of items) handle(item);
 * ```
 */
export function readLogBatches(
  paths: string[] | '-',
  options?: Omit<ReadLogsOptions, 'quiet'>,
): AsyncGenerator<LogItem[]>;
export function readLogBatches(
  paths: string[] | '-',
  options: ReadLogsOptions,
): AsyncGenerator<(LogItem | QuietLine)[]>;
export async function* readLogBatches(
  paths: string[] | '-',
  options: ReadLogsOptions = {},
): AsyncGenerator<(LogItem | QuietLine)[]> {
  const list = paths === '-' ? ['-'] : paths;
  for (const item of list) {
    if (item === '-') {
      const stdin = options.stdin ?? process.stdin;
      yield* readOne(
        '-',
        stdin,
        { file: '-', year: options.year, timeZone: options.timeZone },
        options,
      );
      continue;
    }
    yield* readPath(item, options);
  }
}

async function* readPath(
  target: string,
  options: ReadLogsOptions,
): AsyncGenerator<(LogItem | QuietLine)[]> {
  let info;
  try {
    info = await stat(target);
  } catch (err) {
    yield [ioError(target, err)];
    return;
  }
  if (info.isDirectory()) {
    yield* readFolder(target, options);
    return;
  }
  const context: ReadContext = {
    file: target,
    year: options.year,
    modified: info.mtime,
    timeZone: options.timeZone,
  };
  const open = () => createReadStream(target, { highWaterMark: 256 * 1024 });
  yield* readOne(target, open, context, options);
}

async function* readFolder(
  dir: string,
  options: ReadLogsOptions,
): AsyncGenerator<(LogItem | QuietLine)[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    yield [ioError(dir, err)];
    return;
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    // Symbolic links to folders are not followed, so a link loop cannot recurse forever.
    if (entry.isDirectory()) yield* readFolder(full, options);
    else if (entry.isFile()) yield* readPath(full, options);
  }
}

async function* readOne(
  file: string,
  source: AsyncIterable<Buffer | string> | (() => AsyncIterable<Buffer | string>),
  context: ReadContext,
  options: ReadLogsOptions,
): AsyncGenerator<(LogItem | QuietLine)[]> {
  try {
    const raw = typeof source === 'function' ? source() : source;
    const { head, stream, truncated } = await openLog(raw);
    // An empty log (just rotated, nothing written yet) holds no events; it is not bad input.
    // (A forced reader reads it as it is; without one, nothing recognises an empty head anyway.)
    if (head === '' && options.reader === undefined && (await isEmpty(stream))) {
      if (truncated()) yield [truncation(file)];
      return;
    }
    const readers = options.readers ?? LOG_READERS;
    const reader = options.reader
      ? readers.find((r) => r.kind === options.reader)
      : readers.find((r) => r.detect({ path: file, head }));
    if (!reader) {
      if (options.reader === undefined) {
        const cut = await cutShortLog(head, stream);
        if (cut) {
          yield [cutShortError(file, cut)];
          return;
        }
      }
      stream.destroy();
      if (options.reader === undefined && isCloudTrailDigest(head)) return;
      const message = options.reader
        ? `no log reader named ${options.reader}`
        : 'no log reader recognises this file; it was skipped';
      yield [new LogReadError({ file, code: 'UNSUPPORTED_FORMAT', message })];
      return;
    }
    if (options.quiet && reader.readQuiet) yield* reader.readQuiet(stream, context, options.quiet);
    else yield* readerBatches(reader, stream, context);
    // The lines before the cut were read; the cut is bad input all the same, said once.
    if (truncated()) yield [truncation(file)];
  } catch (err) {
    yield [ioError(file, err)];
  }
}

/**
 * Where an unrecognised input that is one small JSON document cut short ends. Only a text that
 * fits the sniffed head is looked at: a longer log holds its readers' marks there, and is then
 * read (and its cut reported) by its reader.
 */
async function cutShortLog(
  head: string,
  stream: AsyncIterable<Buffer | string>,
): Promise<JsonCut | undefined> {
  if (!/^\uFEFF?\s*[{[]/.test(head)) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    chunks.push(bytes);
    size += bytes.length;
    if (size > SNIFF_BYTES) return undefined;
  }
  return cutShortJson(Buffer.concat(chunks).toString('utf8'));
}

function cutShortError(file: string, cut: JsonCut): LogReadError {
  return new LogReadError({
    file,
    line: cut.line,
    code: 'PARSE_ERROR',
    message:
      `invalid JSON: cut short at line ${cut.line}, column ${cut.column}, inside an unfinished ` +
      'value, before any reader could tell which log it is (copied while it was written?): ' +
      'read it again once it is whole',
  });
}

/** True when the stream ends without a byte. */
async function isEmpty(stream: AsyncIterable<Buffer | string>): Promise<boolean> {
  for await (const chunk of stream) if (chunk.length > 0) return false;
  return true;
}

function truncation(file: string): LogReadError {
  return new LogReadError({
    file,
    code: 'TRUNCATED',
    message:
      'the gzip data is cut short (unexpected end of file): the lines before the cut were read, ' +
      'the rest of the file is missing',
  });
}

function ioError(file: string, err: unknown): LogReadError {
  // A link loop is said to be one: the system's wording names neither links nor a loop.
  const message =
    (err as NodeJS.ErrnoException)?.code === 'ELOOP'
      ? 'is a symbolic link loop (ELOOP): its links lead back to one another, so it names no ' +
        'file or folder'
      : `could not read: ${err instanceof Error ? err.message : String(err)}`;
  return new LogReadError({ file, code: 'IO_ERROR', message });
}
