/**
 * Event times of JSON log records, read strictly. `Date.parse` rolls `2023-02-30` into March and
 * `T24:00` into the next day, reads a time without an offset in the host's zone, takes
 * `July 10, 2023` and year 0, and `new Date(number)` reads epoch seconds as milliseconds: each
 * stored a wrong time without a word. Here a time is an RFC 3339 / ISO 8601 text naming a real
 * date and time (or, where the vendor writes one, an epoch number in the vendor's unit); anything
 * else is refused with the reason, and the reader reports the record instead of guessing.
 */

import { daysInMonth } from './syslog-year.js';

/** Where a vendor writes epoch numbers: the unit it counts in. */
export type EpochUnit = 's' | 'ms' | 'us';

/** How one field's value is read. */
export interface TimeForm {
  /** The vendor writes epoch numbers (JSON numbers or digit strings) in this unit; else refused. */
  epoch?: EpochUnit;
  /** Another text form the vendor writes (osquery's `calendarTime`): epoch ms, or a reason. */
  text?: (text: string) => number | string;
}

/** A time field of a record: its name (for messages), its value, how it is read. */
export type TimeField = readonly [name: string, value: unknown, form?: TimeForm];

/** The time read from a record's fields, or why the first present one was refused. */
export type FieldTime =
  { time: string; refused?: undefined } | { time?: undefined; refused: string };

/** The earliest time taken: nothing a log source records predates the Unix epoch. */
const EARLIEST_MS = 0;

/**
 * `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`; `t` and `z` as RFC 3339 allows, a space for `T` as
 * its note allows (Log Analytics, Sysmon), `±hhmm` as ISO 8601's basic offset. The offset may be
 * missing: every source read through here documents its times as UTC, so such a time is UTC,
 * never a time in the host's zone.
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?$/;

const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/**
 * Epoch ms of an RFC 3339 time, or the reason it is none.
 *
 * ```ts
 * rfc3339Ms('2023-07-10T11:45:00.123456Z'); // 1688989500123
 * rfc3339Ms('2023-02-30T10:00:00Z'); // 'February 2023 has no day 30'
 * ```
 */
export function rfc3339Ms(text: string): number | string {
  const m = RFC3339.exec(text);
  if (!m) return 'expected YYYY-MM-DDThh:mm:ss[.fraction] and Z or ±hh:mm';
  const [, y, mo, d, h, mi, s, fraction, , sign, oh, om] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return `there is no month ${mo}`;
  if (day < 1 || day > daysInMonth(year, month)) {
    return `${MONTH_NAMES[month - 1]} ${year} has no day ${day}`;
  }
  if (hour > 23) return `hour ${h} is past 23`;
  if (minute > 59) return `minute ${mi} is past 59`;
  // A leap second (:60) is refused, as Date.parse refuses it: it would need rounding one way.
  if (second > 59) return `second ${s} is past 59`;
  let offsetMinutes = 0;
  if (sign !== undefined) {
    const hours = Number(oh);
    const minutes = Number(om);
    if (minutes > 59 || hours * 60 + minutes > 14 * 60) {
      return `offset ${sign}${oh}:${om} lies beyond ±14:00`;
    }
    offsetMinutes = (sign === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  // Any number of fraction digits; milliseconds truncated, as Date.parse truncates them.
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  // Date.UTC reads years 0-99 as 1900-1999: set the year after.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second, ms));
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() - offsetMinutes * 60_000;
}

const UNIT_NAMES: Record<EpochUnit, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
};

/** Epoch ms of an epoch number (a JSON number or a digit string) in `unit`, or the reason. */
function epochMs(value: number | string, unit: EpochUnit): number | string {
  const expected = `expected ${UNIT_NAMES[unit]} since 1970`;
  if (typeof value === 'string' && !/^\d{1,20}(\.\d+)?$/.test(value)) return expected;
  const n = Number(value);
  if (!Number.isFinite(n)) return expected;
  return unit === 's' ? n * 1000 : unit === 'us' ? Math.floor(n / 1000) : n;
}

/**
 * One value read as a time in `form`: epoch ms, undefined when the value is absent (missing,
 * null, empty), or the reason it is no time.
 */
export function timeValueMs(value: unknown, form: TimeForm = {}): number | string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  let ms: number | string;
  if (typeof value === 'number') {
    ms = form.epoch ? epochMs(value, form.epoch) : 'a number, where the source writes a text time';
  } else if (typeof value !== 'string') {
    const kind = Array.isArray(value)
      ? 'a list'
      : typeof value === 'object'
        ? 'an object'
        : 'a boolean';
    return `${kind}, where a time is expected`;
  } else if (form.epoch) {
    ms = epochMs(value, form.epoch);
  } else {
    ms = rfc3339Ms(value);
    if (typeof ms === 'string' && form.text) {
      const other = form.text(value);
      // The vendor's own form, when the text looked like it; else RFC 3339's reason stands.
      if (typeof other === 'number' || !other.startsWith('expected')) ms = other;
    }
  }
  if (typeof ms === 'string') return ms;
  if (ms < EARLIEST_MS) return 'before 1970';
  if (ms > 253_402_300_799_999) return 'after year 9999';
  return ms;
}

/**
 * The time of a record from its time fields, first present field first: a field that holds a
 * value which is no time refuses the record (no later field is taken in its stead, so a bad time
 * is reported, never replaced). Undefined when no field holds a value.
 *
 * ```ts
 * fieldTime([['eventTime', record.eventTime]]);
 * // { time: '2023-07-10T11:45:00.000Z' }
 * // { refused: 'eventTime "2023-02-30T10:00:00Z" is not a valid RFC 3339 time (...)' }
 * ```
 */
export function fieldTime(fields: readonly TimeField[]): FieldTime | undefined {
  for (const [name, value, form] of fields) {
    if (typeof value === 'string' && !form?.epoch) {
      const canonical = canonicalIso(value);
      if (canonical !== undefined) return { time: canonical };
    }
    const ms = timeValueMs(value, form);
    if (ms === undefined) continue;
    if (typeof ms === 'number') return { time: new Date(ms).toISOString() };
    const kind = form?.epoch ? `time in ${UNIT_NAMES[form.epoch]} since 1970` : 'RFC 3339 time';
    return { refused: `${name} ${shown(value)} is not a valid ${kind} (${ms})` };
  }
  return undefined;
}

/** The value as JSON, cut to a readable length. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * `YYYY-MM-DDThh:mm:ssZ` or `...ss.mmmZ` from 1970 on whose fields are in range (day <= 28, so
 * a real date in every month) is already what `toISOString` would give: skip the parse and the
 * formatting. Undefined for every other text, which `rfc3339Ms` then reads.
 */
export function canonicalIso(value: string): string | undefined {
  const n = value.length;
  if (n !== 20 && n !== 24) return undefined;
  if (value.charCodeAt(n - 1) !== 90 /* Z */) return undefined;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T') return undefined;
  if (value[13] !== ':' || value[16] !== ':') return undefined;
  for (const i of n === 20 ? DIGITS_20 : DIGITS_24) {
    const c = value.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  if (n === 24 && value[19] !== '.') return undefined;
  const two = (i: number) => (value.charCodeAt(i) - 48) * 10 + value.charCodeAt(i + 1) - 48;
  if (two(0) * 100 + two(2) < 1970) return undefined;
  const month = two(5);
  const day = two(8);
  if (month < 1 || month > 12 || day < 1 || day > 28) return undefined;
  if (two(11) > 23 || two(14) > 59 || two(17) > 59) return undefined;
  return n === 24 ? value : `${value.slice(0, 19)}.000Z`;
}

const DIGITS_20 = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];
const DIGITS_24 = [...DIGITS_20, 20, 21, 22];
