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
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})? +(.*)$/s;
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\](?:\[.*?\])*)(?: (.*))?$/s;
const RFC3339 =
  /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) +(.*)$/s;

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
  const time = SCRATCH_TIME;
  const read = plainTime(line, time);
  if (read === NOT_PLAIN) return null;
  if (read === OUT_OF_RANGE) return undefined;
  // The regex's `.` stops at line terminators: such a line is the regex's to reject.
  if (hasLineBreak(line)) return null;
  const { month, day, hour, minute, second } = time;
  const partial = { month, day, hour, minute, second, fraction: '' };
  const out = header(undefined, partial, line.slice(0, 15), undefined);
  splitHostInto(out, line, 16);
  return out;
}

/** `[\n\r\u2028\u2029]` without the regex (two scans; a one-byte line has no U+2028/9). */
function hasLineBreak(line: string): boolean {
  return (
    line.indexOf('\n') !== -1 ||
    line.indexOf('\r') !== -1 ||
    line.indexOf('\u2028') !== -1 ||
    line.indexOf('\u2029') !== -1
  );
}

/** Read into by `plain3164`, which copies it out at once. */
const SCRATCH_TIME: TimeParts = { month: 0, day: 0, hour: 0, minute: 0, second: 0 };

const PLAIN = 0;
const NOT_PLAIN = 1;
const OUT_OF_RANGE = 2;

/**
 * Reads `Mmm dd hh:mm:ss h` (no priority, no fraction, one space after the time, a host next)
 * into `time`: PLAIN; NOT_PLAIN for a line of another shape; OUT_OF_RANGE for a day or time
 * that cannot be. `Jan 05` and `Jan  5` both occur; `Jan 5 ` (one space, one digit) is not plain.
 */
function plainTime(line: string, time: TimeParts): number {
  if (line.length < 17 || line.charCodeAt(3) !== 32 || line.charCodeAt(6) !== 32) return NOT_PLAIN;
  if (line.charCodeAt(15) !== 32 || line.charCodeAt(9) !== 58 || line.charCodeAt(12) !== 58) {
    return NOT_PLAIN;
  }
  if (line.charCodeAt(16) === 32) return NOT_PLAIN;
  const month = monthOf(line);
  if (!month) return NOT_PLAIN;
  const d1 = line.charCodeAt(4);
  const tens = d1 === 32 ? 0 : digit(d1);
  const ones = digit(line.charCodeAt(5));
  const hour = digits2(line, 7);
  const minute = digits2(line, 10);
  const second = digits2(line, 13);
  if (tens < 0 || ones < 0 || hour < 0 || minute < 0 || second < 0) return NOT_PLAIN;
  const day = tens * 10 + ones;
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return OUT_OF_RANGE;
  time.month = month;
  time.day = day;
  time.hour = hour;
  time.minute = minute;
  time.second = second;
  return PLAIN;
}

/** The month of a line starting `Mmm`, from its three character codes (no substring). */
function monthOf(line: string): number | undefined {
  return MONTH_CODES.get(
    (line.charCodeAt(0) << 16) | (line.charCodeAt(1) << 8) | line.charCodeAt(2),
  );
}

const MONTH_CODES = new Map(
  Object.entries(MONTHS).map(([name, n]) => [
    (name.charCodeAt(0) << 16) | (name.charCodeAt(1) << 8) | name.charCodeAt(2),
    n,
  ]),
);

function digit(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : -1;
}

function digits2(line: string, at: number): number {
  const a = digit(line.charCodeAt(at));
  const b = digit(line.charCodeAt(at + 1));
  return a < 0 || b < 0 ? -1 : a * 10 + b;
}

type Header = Pick<SyslogLine, 'time' | 'partial' | 'timestamp' | 'priority'>;

/** A parsed line of one shape, host to message still unset. */
function header(
  time: string | undefined,
  partial: SyslogLine['partial'],
  timestamp: string,
  priority: number | undefined,
): SyslogLine {
  return {
    time,
    partial,
    timestamp,
    priority,
    host: undefined,
    program: undefined,
    pid: undefined,
    message: '',
  };
}

/** The header plus host, program, pid and message, in one object of one shape. */
function withHost(h: Header, rest: string): SyslogLine {
  const out = header(h.time, h.partial, h.timestamp, h.priority);
  splitHostInto(out, rest, 0);
  return out;
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

/**
 * `host program[pid]: message` (the text of `line` from `from`) into `out`; a missing tag leaves
 * the whole text after the host as the message.
 */
function splitHostInto(out: SyslogLine, line: string, from: number): void {
  const space = line.indexOf(' ', from);
  if (space === -1) {
    out.host = from < line.length ? line.slice(from) : undefined;
    return;
  }
  out.host = hostAt(line, from, space);
  // The body starts after the spaces and other white space that follow the host.
  let at = space + 1;
  while (at < line.length && isSpace(line.charCodeAt(at))) at++;
  if (
    at < line.length &&
    line.charCodeAt(at) > 127 &&
    line.slice(at).trimStart() !== line.slice(at)
  ) {
    at = line.length - line.slice(at).trimStart().length;
  }
  splitTagInto(out, line, at);
}

/**
 * `line.slice(from, to)`, as the previous line's host string when equal: a file's lines mostly
 * name one host.
 */
function hostAt(line: string, from: number, to: number): string {
  if (to - from !== lastHost.length || !line.startsWith(lastHost, from)) {
    lastHost = line.slice(from, to);
  }
  return lastHost;
}

let lastHost = '';

/** ASCII white space as `trimStart` removes it. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13);
}

/**
 * `program[pid]: message` as `/^([^:[\]]{1,64}?)(?:\[(\d{1,10})\])?: ?(.*)$/s` reads it, without
 * the regex: the program runs to the first `:`, `[` or `]` (1 to 64 characters), `[digits]` may
 * follow, then `:` and one optional space. `body` is `line` from `from`.
 */
function splitTagInto(out: SyslogLine, line: string, from: number): void {
  const limit = Math.min(line.length, from + 65);
  let end = from;
  for (; end < limit; end++) {
    const c = line.charCodeAt(end);
    if (c === 58 /* : */ || c === 91 /* [ */ || c === 93 /* ] */) break;
  }
  if (end === from || end === limit || line.charCodeAt(end) === 93) {
    out.message = line.slice(from);
    return;
  }
  let at = end;
  let pid: number | undefined;
  if (line.charCodeAt(end) === 91) {
    let d = end + 1;
    while (d < line.length && d - end <= 11 && digit(line.charCodeAt(d)) >= 0) d++;
    const count = d - end - 1;
    if (count < 1 || count > 10 || line.charCodeAt(d) !== 93) {
      out.message = line.slice(from);
      return;
    }
    pid = 0;
    for (let i = end + 1; i < d; i++) pid = pid * 10 + (line.charCodeAt(i) - 48);
    at = d + 1;
  }
  if (line.charCodeAt(at) !== 58) {
    out.message = line.slice(from);
    return;
  }
  at += line.charCodeAt(at + 1) === 32 ? 2 : 1;
  // sshd's own tag as the constant: no string per line, and later comparisons are by reference.
  out.program =
    end - from === 4 && line.startsWith('sshd', from) ? 'sshd' : trimmed(line, from, end);
  out.pid = pid;
  out.message = line.slice(at);
}

/** `line.slice(from, to).trim()`, without the intermediate string when nothing is trimmed. */
function trimmed(line: string, from: number, to: number): string {
  const text = line.slice(from, to);
  const first = text.charCodeAt(0);
  const last = text.charCodeAt(text.length - 1);
  return first > 32 && first < 127 && last > 32 && last < 127 ? text : text.trim();
}

/** A year-less timestamp's parts, filled in place by `skimSshdLine`. */
export interface TimeParts {
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/**
 * For a line that `parseSyslogLine` reads as a plain RFC 3164 line from program `sshd` (no
 * priority, no fraction, an ASCII header): fills `time` and returns where the message starts.
 * Returns -1 for every other line, which then takes the full parse. Nothing is allocated.
 *
 * ```ts
 * skimSshdLine('Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user x from 1.2.3.4', parts); // 35
 * ```
 */
export function skimSshdLine(line: string, time: TimeParts): number {
  if (plainTime(line, time) !== PLAIN) return -1;
  // The host: printable ASCII up to one space; the tag right after it.
  const space = line.indexOf(' ', 16);
  if (space === -1) return -1;
  for (let i = 16; i < space; i++) {
    const c = line.charCodeAt(i);
    if (c < 33 || c > 126) return -1;
  }
  const tag = space + 1;
  if (!line.startsWith('sshd', tag)) return -1;
  let at = tag + 4;
  if (line.charCodeAt(at) === 91 /* [ */) {
    let d = at + 1;
    while (d < line.length && d - at <= 11 && digit(line.charCodeAt(d)) >= 0) d++;
    const count = d - at - 1;
    if (count < 1 || count > 10 || line.charCodeAt(d) !== 93) return -1;
    at = d + 1;
  }
  if (line.charCodeAt(at) !== 58 /* : */) return -1;
  at += line.charCodeAt(at + 1) === 32 ? 2 : 1;
  // (A line break inside the line sends the full parse to its regex, which reads the same header.)
  return at;
}

/**
 * The header fields of a line `skimSshdLine` read (its message starting at `at`), as
 * `parseSyslogLine` reads them, in the order `syslogEvent` lists them: the line is not parsed
 * again.
 */
export function skimmedSshdFields(line: string, at: number): Record<string, unknown> {
  const space = line.indexOf(' ', 16);
  let pid: number | undefined;
  if (line.charCodeAt(space + 5) === 91 /* [ */) {
    pid = 0;
    for (let i = space + 6; line.charCodeAt(i) !== 93 /* ] */; i++) {
      pid = pid * 10 + (line.charCodeAt(i) - 48);
    }
  }
  return {
    timestamp: line.slice(0, 15),
    host: hostAt(line, 16, space),
    program: 'sshd',
    pid,
    message: line.slice(at),
  };
}
