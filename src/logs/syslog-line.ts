/**
 * Splits one syslog line into its header (priority, timestamp, host, program, pid) and message:
 * RFC 3164 (`Mmm dd hh:mm:ss`, no year), RFC 5424, and RFC 3339-stamped lines (rsyslog's format).
 */

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

const RFC3164 = /^(?:<(\d{1,3})>)?([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,9})? +(.*)$/;
const RFC5424 = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) (-|\[.*?\](?:\[.*?\])*)(?: (.*))?$/;
const RFC3339 = /^(?:<(\d{1,3})>)?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})) +(.*)$/;
const TAG = /^([^:[\]]{1,64}?)(?:\[(\d{1,10})\])?: ?(.*)$/s;

/** The parsed header; `month`..`second` are set when the timestamp has no year (RFC 3164). */
export interface SyslogLine {
  /** ISO time when the line carries a full timestamp. */
  time?: string;
  /** Parts of a year-less timestamp, completed by the reader. */
  partial?: { month: number; day: number; hour: number; minute: number; second: number; fraction: string };
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

  const old = RFC3164.exec(line);
  if (old) {
    const month = MONTHS[old[2]];
    if (!month) return undefined;
    const [day, hour, minute, second] = [old[3], old[4], old[5], old[6]].map(Number);
    if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return undefined;
    const timestamp = line.slice(old[1] ? old[1].length + 2 : 0, line.length - old[8].length).trim();
    const rest = splitHost(old[8]);
    return {
      partial: { month, day, hour, minute, second, fraction: old[7] ?? '' },
      timestamp,
      priority: old[1] ? Number(old[1]) : undefined,
      ...rest,
    };
  }

  const iso = RFC3339.exec(line);
  if (!iso) return undefined;
  const ms = Date.parse(iso[2].replace(' ', 'T'));
  if (Number.isNaN(ms)) return undefined;
  return {
    time: new Date(ms).toISOString(),
    timestamp: iso[2],
    priority: iso[1] ? Number(iso[1]) : undefined,
    ...splitHost(iso[3]),
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
  const tag = TAG.exec(body);
  if (!tag) return { host, message: body };
  return {
    host,
    program: tag[1].trim(),
    pid: tag[2] ? Number(tag[2]) : undefined,
    message: tag[3],
  };
}
