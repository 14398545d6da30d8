/**
 * Plain-text syslog and auth.log: every line becomes an event with its header fields and message;
 * sshd, sudo, PAM and account-change messages also get named fields and a filled envelope.
 */

import type { EventSource, LogEvent } from '../model/event.js';
import {
  authMeaning,
  programService,
  sshForm,
  type AuthMeaning,
  type SshForm,
} from './auth-message.js';
import { lineBatches, overlongMessage, OverlongLine } from './line-input.js';
import { LogReadError } from './log-read-error.js';
import { sshdFormFields, sshdPartialFields } from './partial-fields.js';
import { flattenBatches, QuietLine } from './log-reader.js';
import type {
  LogInput,
  LogItem,
  LogReader,
  LogSample,
  QuietTest,
  ReadContext,
} from './log-reader.js';
import { parseSyslogLine, skimmedSshdFields, skimSshdLine } from './syslog-line.js';
import type { TimeParts } from './syslog-line.js';
import { SyslogYear } from './syslog-year.js';
import { zonedTimeMs } from './time-zone.js';

const SNIFF_LINES = 20;
/**
 * Events handed out at a time. Small batches keep the young generation small: a batch's events
 * all stay alive until the consumer is through it, and every scavenge meanwhile copies them.
 */
const BATCH = 128;

const FACILITY_AUTH = new Set([4, 10]);
/** The source of a plain sshd line's event, less its file and line. */
const SSHD: EventSource = Object.freeze({ reader: 'syslog', product: 'linux', service: 'sshd' });

/** Reads RFC 3164 / RFC 5424 / RFC 3339-stamped syslog files. */
export const syslogReader: LogReader = {
  kind: 'syslog',
  detect: detectSyslog,
  read: (input, context) => flattenBatches(readSyslog(input, context)),
  readBatches: (input, context) => readSyslog(input, context),
  readQuiet: readSyslog,
};

/** Claims a file when most of its first non-empty lines parse as syslog. */
function detectSyslog(sample: LogSample): boolean {
  const lines = sample.head
    .split('\n', SNIFF_LINES + 1)
    .slice(0, SNIFF_LINES)
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.trim() !== '');
  // The last line of the head may be cut short.
  const complete = lines.length > 1 ? lines.slice(0, -1) : lines;
  if (complete.length === 0) return false;
  const parsed = complete.filter((l) => parseSyslogLine(l) !== undefined).length;
  return parsed / complete.length >= 0.6;
}

function readSyslog(input: LogInput, context: ReadContext): AsyncGenerator<LogItem[]>;
function readSyslog(
  input: LogInput,
  context: ReadContext,
  quiet: QuietTest,
): AsyncGenerator<(LogItem | QuietLine)[]>;
async function* readSyslog(
  input: LogInput,
  context: ReadContext,
  quiet?: QuietTest,
): AsyncGenerator<(LogItem | QuietLine)[]> {
  const year = new SyslogYear(context.year, context.modified, context.timeZone);
  const file = context.file;
  const parts: TimeParts = { month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  let lastQuiet = new QuietLine(Number.NaN, file);
  const clock = new QuietClock();
  const forms = new Map<SshForm, boolean>();
  let lineNo = 0;
  for await (const lines of lineBatches(input)) {
    let out: (LogItem | QuietLine)[] = [];
    for (const line of lines) {
      lineNo++;
      if (out.length >= BATCH) {
        yield out;
        out = [];
      }
      if (line instanceof OverlongLine) {
        const message = overlongMessage(line.length);
        out.push(new LogReadError({ file, line: lineNo, code: 'TOO_LARGE', message }));
        continue;
      }
      if (line.length === 0) continue;
      // sshd's lines, the bulk of an auth.log, are judged from their named fields first: a line
      // no rule can match is counted at its time and never built.
      let event: LogEvent | undefined;
      const at = quiet ? skimSshdLine(line, parts) : -1;
      if (at >= 0) {
        const known = quietSshd(line, at, quiet!, forms);
        if (known === QUIET) {
          const time = clock.ms(parts, year);
          if (Number.isNaN(time)) {
            out.push(impossibleDate(file, lineNo, year));
            continue;
          }
          if (time !== lastQuiet.time) lastQuiet = new QuietLine(time, file);
          out.push(lastQuiet);
          continue;
        }
        event = skimmedSshdEvent(line, at, parts, year, file, lineNo, known);
      } else {
        event = syslogEvent(line, year, { file, line: lineNo });
      }
      if (event) {
        out.push(event);
        continue;
      }
      if (line.trim().length === 0) continue;
      if (year.impossible !== undefined) {
        out.push(impossibleDate(file, lineNo, year));
        continue;
      }
      out.push(
        new LogReadError({
          file,
          line: lineNo,
          code: 'PARSE_ERROR',
          message: 'not a syslog line: no RFC 3164, RFC 5424 or RFC 3339 timestamp',
        }),
      );
    }
    if (out.length > 0) yield out;
  }
}

/** The error for a line dated February 29 of a year without one. */
function impossibleDate(file: string, line: number, year: SyslogYear): LogReadError {
  const { year: y, month, day } = year.impossible!;
  // The month's short English name, as RFC 3164 writes it.
  const name = new Date(Date.UTC(2000, month - 1, 1)).toLocaleString('en', {
    month: 'short',
    timeZone: 'UTC',
  });
  const error = new LogReadError({
    file,
    line,
    code: 'PARSE_ERROR',
    message: `dated ${name} ${day}, a day ${name} ${y} does not have (the year is the one given with --year, or placed from the file's date and the months before this line)`,
  });
  year.impossible = undefined;
  return error;
}

/** One syslog line as an event, or undefined when the line has no syslog header. */
export function syslogEvent(
  line: string,
  year: SyslogYear,
  where: { file?: string; line?: number } = {},
): LogEvent | undefined {
  const parsed = parseSyslogLine(line);
  if (!parsed) return undefined;
  const p = parsed.partial;
  const time = parsed.time ?? (p ? completeTime(p, p.fraction, year) : undefined);
  if (!time) return undefined;

  // `sshd(pam_unix)` → program `sshd`, module `pam_unix` (old Red Hat tags); only a tag ending
  // in `)` can name a module.
  let program = parsed.program;
  let pamModule: string | undefined;
  if (program && program.charCodeAt(program.length - 1) === 41) {
    const m = PAM_TAG.exec(program);
    if (m) {
      program = m[1];
      pamModule = m[2];
    }
  }
  const fields: Record<string, unknown> = {
    timestamp: parsed.timestamp,
    host: parsed.host,
    program,
    pid: parsed.pid,
    message: parsed.message,
  };
  if (pamModule) fields.pamModule = pamModule;
  if (parsed.priority !== undefined) {
    fields.facility = parsed.priority >> 3;
    fields.severity = parsed.priority & 7;
  }
  if (parsed.msgid) fields.msgid = parsed.msgid;
  if (parsed.structuredData) fields.structuredData = parsed.structuredData;

  const meaning = program ? authMeaning(program, parsed.message, pamModule) : undefined;
  const service = serviceOf(program, parsed.priority, meaning !== undefined);
  return eventOf(time, service, where.file, where.line, parsed.host, fields, program, meaning);
}

/**
 * The event of a line `skimSshdLine` read (message from `at`, time in `parts`), whose message
 * means `known` (null: nothing), as `syslogEvent` builds it, without parsing the line again.
 */
function skimmedSshdEvent(
  line: string,
  at: number,
  parts: TimeParts,
  year: SyslogYear,
  file: string,
  lineNo: number,
  known: AuthMeaning | null,
): LogEvent | undefined {
  const time = completeTime(parts, '', year);
  if (!time) return undefined;
  const fields = skimmedSshdFields(line, at);
  const host = fields.host as string;
  return eventOf(time, 'sshd', file, lineNo, host, fields, 'sshd', known ?? undefined);
}

/** A line's event from its header `fields` and the meaning of its message, if any. */
function eventOf(
  time: string,
  service: string,
  file: string | undefined,
  line: number | undefined,
  host: string | undefined,
  fields: Record<string, unknown>,
  program: string | undefined,
  meaning: AuthMeaning | undefined,
): LogEvent {
  const source: EventSource = { reader: 'syslog', product: 'linux', service, file, line };
  if (!meaning) {
    const event: LogEvent = { time, source, host, fields };
    if (program) event.action = program;
    return event;
  }
  const named = meaning.fields;
  for (const key in named) fields[key] = named[key];
  // Every envelope member in one literal: one object shape for all auth events.
  return {
    time,
    source,
    host,
    fields,
    actor: meaning.actor,
    sourceIp: meaning.sourceIp,
    action: meaning.action,
    target: meaning.target,
    outcome: meaning.outcome,
    occurrences: meaning.occurrences,
  };
}

/** `quietSshd`'s answer for a line no rule can match. */
const QUIET: AuthMeaning = Object.freeze({ fields: {}, action: '' });

/**
 * QUIET when `quiet` clears the sshd message at `at` (judged once per form when its opening
 * fixes its event, for either outcome: that event, or no meaning), else the message's meaning
 * (null: none), so the event built next need not read it again.
 */
function quietSshd(
  line: string,
  at: number,
  quiet: QuietTest,
  forms: Map<SshForm, boolean>,
): AuthMeaning | null {
  const form = sshForm(line, at);
  if (form) {
    let cleared = forms.get(form);
    if (cleared === undefined) {
      cleared = quiet(SSHD, sshdFormFields(form)) && quiet(SSHD, sshdPartialFields(undefined));
      forms.set(form, cleared);
    }
    if (cleared) return QUIET;
  }
  const meaning = authMeaning('sshd', line.slice(at)) ?? null;
  return quiet(SSHD, sshdPartialFields(meaning?.fields, line, at)) ? QUIET : meaning;
}

/**
 * Skimmed lines' times in epoch ms, as `Date.parse` of their events' times would give them: a
 * line of the same second as the line before reuses its time.
 */
class QuietClock {
  #month = 0;
  #day = 0;
  #hour = 0;
  #minute = 0;
  #second = 0;
  #year = Number.NaN;
  #ms = Number.NaN;

  ms(p: TimeParts, year: SyslogYear): number {
    // The year is asked for every line all the same: it follows the months as they pass.
    const y = year.yearFor(p.month, p.day);
    if (Number.isNaN(y)) return Number.NaN;
    if (
      p.second === this.#second &&
      p.minute === this.#minute &&
      p.hour === this.#hour &&
      p.day === this.#day &&
      p.month === this.#month &&
      y === this.#year
    ) {
      return this.#ms;
    }
    this.#month = p.month;
    this.#day = p.day;
    this.#hour = p.hour;
    this.#minute = p.minute;
    this.#second = p.second;
    this.#year = y;
    const zone = year.timeZone;
    this.#ms = zone
      ? zonedTimeMs(zone, y, p.month, p.day, p.hour, p.minute, p.second)
      : Date.UTC(y, p.month - 1, p.day, p.hour, p.minute, p.second);
    return this.#ms;
  }
}

/**
 * An RFC 3164 time (no zone, no year) as ISO 8601 UTC: read in the log's zone when one is given
 * (`--timezone`), else taken as UTC.
 */
function completeTime(p: TimeParts, fraction: string, year: SyslogYear): string | undefined {
  const y = year.yearFor(p.month, p.day);
  if (Number.isNaN(y)) return undefined;
  const zone = year.timeZone;
  // Neighbouring lines share their second: reuse the last formatted time.
  const memo = lastTime;
  if (
    memo.second === p.second &&
    memo.minute === p.minute &&
    memo.hour === p.hour &&
    memo.day === p.day &&
    memo.month === p.month &&
    memo.year === y &&
    memo.fraction === fraction &&
    memo.zone === zone
  ) {
    return memo.iso;
  }
  let iso = zone ? zonedIso(zone, y, p) : isoTime(y, p.month, p.day, p.hour, p.minute, p.second);
  if (iso === undefined) {
    const ms = Date.UTC(y, p.month - 1, p.day, p.hour, p.minute, p.second);
    if (Number.isNaN(ms)) return undefined;
    iso = new Date(ms).toISOString();
  }
  if (fraction) iso = `${iso.slice(0, 19)}${fraction.slice(0, 4).padEnd(4, '0')}Z`;
  const { month, day, hour, minute, second } = p;
  lastTime = { year: y, month, day, hour, minute, second, fraction, zone, iso };
  return iso;
}

/** The wall-clock time `p` of year `y` in `zone`, as ISO 8601 UTC (undefined when invalid). */
function zonedIso(zone: string, y: number, p: TimeParts): string | undefined {
  const ms = zonedTimeMs(zone, y, p.month, p.day, p.hour, p.minute, p.second);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

let lastTime: {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  fraction: string | undefined;
  zone: string | undefined;
  iso: string;
} = {
  zone: undefined,
  year: NaN,
  month: 0,
  day: 0,
  hour: 0,
  minute: 0,
  second: 0,
  fraction: '',
  iso: '',
};

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `toISOString()` of a UTC time whose parts are all in range (four-digit year, real day of the
 * month, second below 60), written out directly; undefined when `Date` must normalise them.
 */
function isoTime(
  y: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): string | undefined {
  if (!(y >= 1000 && y <= 9999) || month < 1 || month > 12 || day < 1) return undefined;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  const days = month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
  if (day > days || hour > 23 || minute > 59 || second > 59) return undefined;
  return `${y}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}.000Z`;
}

function two(n: number): string {
  return n < 10 ? `0${n}` : `${n}`;
}

const PAM_TAG = /^([^()]+)\((pam_\w+)\)$/;

function serviceOf(
  program: string | undefined,
  priority: number | undefined,
  isAuth: boolean,
): string {
  // sshd first by comparison: a program name is a fresh slice of its line, and looking it up as
  // a property key hashes it on every line.
  if (program === 'sshd') return 'sshd';
  const own = program ? programService(program) : undefined;
  if (own) return own;
  if (isAuth) return 'auth';
  if (priority !== undefined && FACILITY_AUTH.has(priority >> 3)) return 'auth';
  return 'syslog';
}
