/**
 * Splits one syslog line into its header (priority, timestamp, host, program, pid) and message:
 * RFC 3164 (`Mmm dd hh:mm:ss`, no year), RFC 5424, and RFC 3339-stamped lines (rsyslog's format).
 */

const MONTHS: Record<string, number> = {
  Jan: 1,
  Feb: 2,
  Mar: 3,
  Apr: 4,
  May: 5,
  Jun: 6,
  Jul: 7,
  Aug: 8,
  Sep: 9,
  Oct: 10,
  Nov: 11,
  Dec: 12,
};

const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})? +(.*)$/;
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\](?:\[.*?\])*)(?: (.*))?$/;
const RFC3339 =
  /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) +(.*)$/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;

/** The parsed header; `month`..`second` are set when the timestamp has no year (RFC 3164). */
export interface SyslogLine {
  /** ISO time when the line carries a full timestamp. */
  time?: string;
  /** Parts of a year-less timestamp, completed by the reader. */
  partial?: {
    month: number;
    day: number;
    hour: number;
    minute: number;
    second: number;
    fraction: string;
  };
  timestamp: string;
  priority?: number;
  host?: string;
  program?: string;
  pid?: number;
  msgid?: string;
  structuredData?: string;
  message: string;
}

/**
 * Parses a syslog line's header, or returns undefined when it does not start like syslog.
 *
 * ```ts
 * parseSyslogLine('Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 1.2.3.4');
 * // { partial: { month: 12, day: 10, ... }, host: 'LabSZ', program: 'sshd', pid: 24200, ... }
 * ```
 */
export function parseSyslogLine(line: string): SyslogLine | undefined {
  const c = line.charCodeAt(0);
  if (c === 60 /* < */ && line.startsWith('1 ', line.indexOf('>') + 1)) return parse5424(line);

  const plain = plain3164(line);
  if (plain !== null) return plain;
  const old = RFC3164.exec(line);
  if (old) {
    const month = MONTHS[old[2]];
    if (!month) return undefined;
    const day = Number(old[3]);
    const hour = Number(old[4]);
    const minute = Number(old[5]);
    const second = Number(old[6]);
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
    const timestamp = line
      .slice(old[1] ? old[1].length + 2 : 0, line.length - old[8].length)
      .trim();
    const partial = { month, day, hour, minute, second, fraction: old[7] ?? '' };
    return withHost({ partial, timestamp, priority: old[1] ? Number(old[1]) : undefined }, old[8]);
  }

  const iso = RFC3339.exec(line);
  if (!iso) return undefined;
  const ms = Date.parse(iso[2].replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  const priority = iso[1] ? Number(iso[1]) : undefined;
  return withHost({ time: new Date(ms).toISOString(), timestamp: iso[2], priority }, iso[3]);
}

/**
 * The common case without the regex: `Mmm dd hh:mm:ss host ...` (no priority, no fraction, one
 * space after the time). Returns null when the line is not of that exact shape (the regex path
 * then decides), undefined when it is but a value is out of range.
 */
function plain3164(line: string): SyslogLine | undefined | null {
  if (line.length < 17 || line[3] !== ' ' || line[6] !== ' ' || line[15] !== ' ') return null;
  if (line[9] !== ':' || line[12] !== ':' || line.charCodeAt(16) === 32) return null;
  const month = MONTHS[line.slice(0, 3)];
  if (!month) return null;
  const d1 = line.charCodeAt(4);
  const tens = d1 === 32 ? 0 : digit(d1);
  const ones = digit(line.charCodeAt(5));
  const hour = digits2(line, 7);
  const minute = digits2(line, 10);
  const second = digits2(line, 13);
  if (tens < 0 || ones < 0 || hour < 0 || minute < 0 || second < 0) return null;
  // `Jan 05` and `Jan  5` both occur; `Jan 5 ` (one space, one digit) is left to the regex.
  const day = tens * 10 + ones;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
  const rest = line.slice(16);
  // The regex's `.` stops at line terminators: such a line is the regex's to reject.
  if (LINE_BREAK.test(rest)) return null;
  const partial = { month, day, hour, minute, second, fraction: '' };
  return withHost({ partial, timestamp: line.slice(0, 15), priority: undefined }, rest);
}

function digit(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

function digits2(line: string, at: number): number {
  const a = digit(line.charCodeAt(at));
  const b = digit(line.charCodeAt(at + 1));
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

type Header = Pick<SyslogLine, 'time' | 'partial' | 'timestamp' | 'priority'>;

/** The header plus host, program, pid and message, in one object of one shape. */
function withHost(header: Header, rest: string): SyslogLine {
  const { host, program, pid, message } = splitHost(rest);
  return {
    time: header.time,
    partial: header.partial,
    timestamp: header.timestamp,
    priority: header.priority,
    host,
    program,
    pid,
    message,
  };
}

function parse5424(line: string): SyslogLine | undefined {
  const m = RFC5424.exec(line);
  if (!m) return undefined;
  const ms = m[2] === '-' ? NaN : Date.parse(m[2]);
  if (Number.isNaN(ms)) return undefined;
  const nil = (v: string) => (v === '-' ? undefined : v);
  const pid = nil(m[5]);
  return {
    time: new Date(ms).toISOString(),
    timestamp: m[2],
    priority: Number(m[1]),
    host: nil(m[3]),
    program: nil(m[4]),
    pid: pid && /^\d+$/.test(pid) ? Number(pid) : undefined,
    msgid: nil(m[6]),
    structuredData: m[7] === '-' ? undefined : m[7],
    message: (m[8] ?? '').replace(/^\uFEFF/, ''),
  };
}

/** `host program[pid]: message` → its parts; a missing tag leaves the whole text as message. */
function splitHost(rest: string): Pick<SyslogLine, 'host' | 'program' | 'pid' | 'message'> {
  const space = rest.indexOf(' ');
  if (space === -1) return { host: rest || undefined, message: '' };
  const host = rest.slice(0, space);
  const body = rest.slice(space + 1).trimStart();
  return splitTag(host, body);
}

/**
 * `program[pid]: message` as `/^([^:[\]]{1,64}?)(?:\[(\d{1,10})\])?: ?(.*)$/s` reads it, without
 * the regex: the program runs to the first `:`, `[` or `]` (1 to 64 characters), `[digits]` may
 * follow, then `:` and one optional space.
 */
function splitTag(
  host: string,
  body: string,
): Pick<SyslogLine, 'host' | 'program' | 'pid' | 'message'> {
  const limit = Math.min(body.length, 65);
  let end = 0;
  for (; end < limit; end++) {
    const c = body.charCodeAt(end);
    if (c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */) break;
  }
  if (end === 0 || end === limit) return { host, message: body };
  let at = end;
  let pid: number | undefined;
  if (body.charCodeAt(end) === 93) return { host, message: body };
  if (body.charCodeAt(end) === 91) {
    let d = end + 1;
    while (d < body.length && d - end <= 11 && digit(body.charCodeAt(d)) >= 0) d++;
    const count = d - end - 1;
    if (count < 1 || count > 10 || body.charCodeAt(d) !== 93) return { host, message: body };
    pid = Number(body.slice(end + 1, d));
    at = d + 1;
  }
  if (body.charCodeAt(at) !== 58) return { host, message: body };
  at += body.charCodeAt(at + 1) === 32 ? 2 : 1;
  return { host, program: body.slice(0, end).trim(), pid, message: body.slice(at) };
}
