/**
 * Builds a log reader for a JSON log family from two small pieces: a sniff of the file's head and
 * a mapping from one parsed value to its events. Streaming, errors and line numbers live here.
 */

import type { LogEvent } from '../model/event.js';
import { LogReadError } from './log-read-error.js';
import { flattenBatches } from './log-reader.js';
import type { LogInput, LogItem, LogReader, LogSample, ReadContext } from './log-reader.js';
import { jsonValueBatches } from './json-values.js';
import { MAX_NESTING, nestedDeeperThan } from '../model/json-depth.js';

/** Where a value was found, for the event's `source` and for error messages. */
export interface JsonPlace {
  file: string;
  line?: number;
  container?: string;
}

/**
 * What a JSON value becomes: events, and for each record that is not one of this family a
 * sentence saying why (it becomes a `LogReadError`).
 */
export type JsonMapping = Array<LogEvent | string>;

export interface JsonLogReaderSpec {
  kind: string;
  detect(sample: LogSample): boolean;
  toEvents(value: unknown, place: JsonPlace): JsonMapping;
}

/**
 * A streaming reader for JSON logs (NDJSON, arrays, container documents, single documents).
 *
 * ```ts
 * export const falcoReader = jsonLogReader({ kind: 'falco', detect, toEvents: falcoEvents });
 * ```
 */
export function jsonLogReader(spec: JsonLogReaderSpec): LogReader {
  return {
    kind: spec.kind,
    // A JSON log opens with an object or an array: a text that merely mentions a format's keys
    // (a README, a manifest) is no such log.
    detect: (sample) => opensAsJson(sample.head) && spec.detect(sample),
    read: (input: LogInput, context: ReadContext) => flattenBatches(readJson(spec, input, context)),
    readBatches: (input: LogInput, context: ReadContext) => readJson(spec, input, context),
  };
}

/** True when the text's first character past a byte-order mark and white space is `{` or `[`. */
function opensAsJson(head: string): boolean {
  const m = /^\uFEFF?\s*([{[])/.exec(head);
  return m !== null;
}

async function* readJson(
  spec: JsonLogReaderSpec,
  input: LogInput,
  context: ReadContext,
): AsyncGenerator<LogItem[]> {
  for await (const items of jsonValueBatches(input, context.file)) {
    const out: LogItem[] = [];
    for (const item of items) {
      if (item instanceof LogReadError) {
        out.push(item);
        continue;
      }
      const place = { file: context.file, line: item.line, container: item.container };
      let mapped: JsonMapping;
      try {
        mapped = spec.toEvents(item.value, place);
      } catch (err) {
        // A mapping bug must not stop the log: report the record and go on.
        mapped = [`could not map record: ${err instanceof Error ? err.message : String(err)}`];
      }
      for (const result of mapped) {
        if (typeof result !== 'string') {
          // Checked on the event, so JSON held in strings (CloudTrailEvent) counts too.
          out.push(
            nestedDeeperThan(result.fields, MAX_NESTING - 1)
              ? new LogReadError({
                  file: context.file,
                  line: item.line,
                  code: 'TOO_LARGE',
                  message: `record nested deeper than ${MAX_NESTING} levels; not read`,
                })
              : result,
          );
          continue;
        }
        const line = item.line;
        out.push(
          new LogReadError({ file: context.file, line, code: 'PARSE_ERROR', message: result }),
        );
      }
    }
    if (out.length > 0) yield out;
  }
}

/** Maps each element of an array with `map`, concatenating the results. */
export function mapEach(
  values: unknown[],
  place: JsonPlace,
  map: (value: unknown, place: JsonPlace) => JsonMapping,
): JsonMapping {
  const results: JsonMapping = [];
  for (const value of values) {
    for (const result of map(value, place)) results.push(result);
  }
  return results;
}
