/**
 * Hands records from an intake (an HTTP body, lines of a tailed file) to a log reader, chosen by
 * name or by sniffing, and the reader's events to the detection service.
 */

import { Readable } from 'node:stream';
import { LogReadError } from '../../logs/log-read-error.js';
import type { LogEvent } from '../../model/event.js';
import { DeliveryKeys } from '../../detect/event-identity.js';
import { readerBatches, type LogItem, type LogReader } from '../../logs/log-reader.js';
import { SNIFF_BYTES } from '../../logs/open-log.js';
import { LOG_READERS } from '../../logs/reader-registry.js';
import { syslogReader } from '../../logs/syslog-reader.js';
import type { DetectionService } from './detection-service.js';
import { oneLine } from './syslog-framing.js';

/** Reader kinds an intake may name (`?type=`). */
export const READER_KINDS = LOG_READERS.map((r) => r.kind);

/** Error messages an intake reports back (the rest are only counted). */
const MAX_ERROR_SAMPLES = 20;

/** What one intake batch became. */
export interface IntakeReport {
  reader: string | null;
  events: number;
  errors: number;
  /** The first few errors, as `place: message`. */
  errorSamples: string[];
  /** Events read but dropped because `IntakeOptions.accepts` refused them. */
  outOfScope: number;
  /** Records received before (a sender's retry), not handed to detection again. */
  repeats: number;
}

/** A report of nothing read yet. */
function emptyReport(reader: string | null): IntakeReport {
  return { reader, events: 0, errors: 0, errorSamples: [], outOfScope: 0, repeats: 0 };
}

export interface IntakeOptions {
  /** Reader kind; sniffed from the first records when absent. */
  type?: string;
  /** Names the origin in events and errors (`http:<request id>`, a tailed path). */
  file: string;
  /** Counter name in the service's stats. */
  intake: string;
  /** Added to line numbers, so lines of later batches of one origin stay distinct. */
  lineBase?: number;
  /** For year-less syslog times: the year that puts records at or before this time. */
  now?: Date;
  /** IANA zone of syslog times that carry none (UTC when absent). */
  timeZone?: string;
  /** Which events the sender may feed (e.g. of its accounts); the rest are dropped and counted. */
  accepts?: (event: LogEvent) => boolean;
  /**
   * The body is one delivery a sender may repeat whole (an HTTP request retried after a
   * timeout): its records without an id of their own are recognised when they come again by
   * their content and occurrence in the body (`DeliveryKeys`). Records with an id are
   * recognised by it from any intake.
   */
  delivery?: boolean;
}

/**
 * How a batch is read: a reader, or `syslog-json` (NDJSON whose lines are syslog lines as JSON
 * strings or `{ "message": ... }` objects), or undefined when nothing recognises it.
 */
export type IntakeFormat = { reader: LogReader; syslogJson: boolean };

/** Picks the reader for records whose first 64 KB are `head`. */
export function pickFormat(head: string, type?: string): IntakeFormat | undefined {
  if (type) {
    const reader = LOG_READERS.find((r) => r.kind === type);
    if (!reader) return undefined;
    return { reader, syslogJson: reader === syslogReader && looksLikeSyslogJson(head) };
  }
  const reader = LOG_READERS.find((r) => r.detect({ path: 'intake', head }));
  if (reader) return { reader, syslogJson: false };
  return looksLikeSyslogJson(head) ? { reader: syslogReader, syslogJson: true } : undefined;
}

/** True when the first non-empty line is a JSON string or an object with a string `message`. */
function looksLikeSyslogJson(head: string): boolean {
  const first = head.split('\n', 50).find((l) => l.trim() !== '');
  return first !== undefined && syslogJsonLine(first) !== undefined;
}

/** The syslog line a JSON string or `{ "message": ... }` object carries; raw text passes. */
export function syslogJsonLine(line: string): string | undefined {
  const text = line.trim();
  if (!text.startsWith('"') && !text.startsWith('{')) return text.length > 0 ? text : undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value === 'string') return oneLine(value);
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const message = (value as Record<string, unknown>).message;
    if (typeof message === 'string') return oneLine(message);
  }
  return undefined;
}

/**
 * Reads `body` (decoded text, NDJSON or lines) with the picked reader into the service.
 *
 * ```ts
 * const report = await ingestRecords(service, body, { file: 'http:req-1', intake: 'http' });
 * ```
 */
export async function ingestRecords(
  service: DetectionService,
  body: Buffer | string[],
  options: IntakeOptions,
): Promise<IntakeReport> {
  const head = Array.isArray(body)
    ? body.slice(0, 200).join('\n').slice(0, SNIFF_BYTES)
    : body.subarray(0, SNIFF_BYTES).toString('utf8');
  const format = pickFormat(head, options.type);
  const report = emptyReport(null);
  // Nothing to read (an empty body, blank lines) is no bad record, as `palisade detect` reads an
  // empty log: a shipper's empty flush must not count as a rejection.
  if (!format && options.type === undefined && isBlank(body)) return report;
  if (!format) {
    const message = options.type
      ? `no log reader named ${options.type}`
      : 'no log reader recognises these records';
    note(report, new LogReadError({ file: options.file, code: 'UNSUPPORTED_FORMAT', message }));
    service.count(options.intake, 0, 1);
    return report;
  }
  report.reader = format.reader.kind;
  return readInto(service, format, body, options, report);
}

/** Reads with a format already picked (a tailer keeps the one it picked first). */
export async function readInto(
  service: DetectionService,
  format: IntakeFormat,
  body: Buffer | string[],
  options: IntakeOptions,
  report: IntakeReport = emptyReport(format.reader.kind),
): Promise<IntakeReport> {
  const base = options.lineBase ?? 0;
  const errors: LogItem[] = [];
  const input = format.syslogJson ? syslogLines(toLines(body), options.file, base, errors) : body;
  const stream = Array.isArray(input) ? asyncLines(input) : Readable.from([input]);
  const context = {
    file: options.file,
    modified: options.now ?? new Date(),
    timeZone: options.timeZone,
  };
  const keys = options.delivery ? new DeliveryKeys() : undefined;
  if (errors.length > 0) absorb(service, errors, options, report, keys);
  for await (const batch of readerBatches(format.reader, stream, context)) {
    if (base > 0) {
      for (const item of batch) {
        if (!(item instanceof LogReadError) && item.source.line !== undefined) {
          item.source.line += base;
        }
      }
    }
    absorb(service, batch, options, report, keys);
  }
  return report;
}

function absorb(
  service: DetectionService,
  batch: LogItem[],
  options: IntakeOptions,
  report: IntakeReport,
  keys: DeliveryKeys | undefined,
): void {
  const { accepts } = options;
  if (accepts) {
    const kept = batch.filter((item) => item instanceof LogReadError || accepts(item));
    report.outOfScope += batch.length - kept.length;
    batch = kept;
  }
  const result = service.ingest(batch, options.intake, keys);
  report.events += result.events;
  report.repeats += result.repeats;
  for (const error of result.errors) note(report, error);
}

function note(report: IntakeReport, error: LogReadError): void {
  report.errors += 1;
  if (report.errorSamples.length < MAX_ERROR_SAMPLES) report.errorSamples.push(error.toString());
}

function toLines(body: Buffer | string[]): string[] {
  return Array.isArray(body) ? body : body.toString('utf8').split('\n');
}

/** Syslog-JSON lines as plain syslog lines; lines that carry none become errors (same numbers). */
function syslogLines(lines: string[], file: string, base: number, errors: LogItem[]): string[] {
  return lines.map((line, i) => {
    if (line.trim() === '') return '';
    const text = syslogJsonLine(line);
    if (text !== undefined) return text;
    errors.push(
      new LogReadError({
        file,
        line: base + i + 1,
        code: 'PARSE_ERROR',
        message: 'expected a syslog line, as a JSON string or an object with a "message" string',
      }),
    );
    return '';
  });
}

async function* asyncLines(lines: string[]): AsyncGenerator<string> {
  yield* lines;
}

/** True when `body` holds nothing but white space. */
function isBlank(body: Buffer | string[]): boolean {
  if (Array.isArray(body)) return body.every((line) => line.trim() === '');
  for (const byte of body)
    if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
