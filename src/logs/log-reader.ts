/**
 * The contract every log reader meets: sniff a file's first bytes, then stream its records out as
 * events, each keeping every original field under a small common envelope.
 */

import type { Readable } from 'node:stream';
import type { EventSource, LogEvent } from '../model/event.js';
import type { LogReadError } from './log-read-error.js';

/** What `detect` sees: the path and up to the first 64 KB of (gunzipped) text. */
export interface LogSample {
  path: string;
  head: string;
}

/**
 * Where the records come from. Timestamps without a year (RFC 3164) take `year` for the first
 * record, else the year that puts the first record at or before `modified` (the file's mtime).
 */
export interface ReadContext {
  file: string;
  year?: number;
  modified?: Date;
  /** IANA zone for timestamps that carry none (RFC 3164 syslog); UTC when absent. */
  timeZone?: string;
}

/** Lines (without their line break) or a byte/text stream. */
export type LogInput = AsyncIterable<string> | Readable;

/** One item of a reader's output: an event, or a record it had to skip. */
export type LogItem = LogEvent | LogReadError;

/**
 * Says that no rule can match an event of `source` whose fields are `fields`, a partial event's
 * (see `partial-fields.ts`), whatever its unread fields hold: the reader then builds no event.
 */
export type QuietTest = (source: EventSource, fields: Record<string, unknown>) => boolean;

/**
 * A line a reader did not build into an event because its `QuietTest` said nothing could match
 * it. It is still an event of the stream at `time` (epoch ms): counted, and it moves clocks.
 * Lines of one second of one file share one object.
 */
export class QuietLine {
  constructor(
    readonly time: number,
    readonly file?: string,
  ) {}
}

/**
 * A reader for one log family.
 *
 * ```ts
 * const reader: LogReader = { kind: 'falco', detect: (s) => s.head.includes('"rule"'), read };
 * for await (const item of reader.read(lines, { file: 'falco.json' })) ...
 * ```
 */
export interface LogReader {
  /** Stable name, also the `source.reader` of its events unless a record says otherwise. */
  kind: string;
  /** Cheap sniff of a file's head; the first reader that claims a file reads it. */
  detect(sample: LogSample): boolean;
  /** Streams the records out; never throws for bad input, yields `LogReadError` instead. */
  read(input: LogInput, context: ReadContext): AsyncIterable<LogItem>;
  /** The same items as `read`, in arrays (one per chunk read), when the reader can batch. */
  readBatches?(input: LogInput, context: ReadContext): AsyncIterable<LogItem[]>;
  /**
   * `readBatches`, leaving lines that `quiet` clears unbuilt (as `QuietLine`s): for a consumer
   * that only wants events some rule can match, and counts the rest.
   */
  readQuiet?(
    input: LogInput,
    context: ReadContext,
    quiet: QuietTest,
  ): AsyncIterable<(LogItem | QuietLine)[]>;
}

/**
 * A reader's items in arrays: its own batches when it has them, else one array per item.
 *
 * ```ts
 * for await (const items of readerBatches(syslogReader, stream, { file: 'auth.log' })) ...
 * ```
 */
export async function* readerBatches(
  reader: LogReader,
  input: LogInput,
  context: ReadContext,
): AsyncGenerator<LogItem[]> {
  if (reader.readBatches) {
    yield* reader.readBatches(input, context);
    return;
  }
  for await (const item of reader.read(input, context)) yield [item];
}

/** Flattens batches back into single items (the `read` of a batching reader). */
export async function* flattenBatches<T>(batches: AsyncIterable<T[]>): AsyncGenerator<T> {
  for await (const batch of batches) yield* batch;
}
