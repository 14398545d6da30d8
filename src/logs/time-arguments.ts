/**
 * `--since` / `--until` times (and the API's `since`/`until`): ISO 8601, read in one zone whatever
 * their form. A time without an offset (`2023-07-10`, `2023-07-10T12:05`) is a wall-clock time in
 * `--timezone`, else UTC; a time with one (`Z`, `+02:00`) is that instant. The shell's own zone
 * never enters.
 */

import { zonedTimeMs } from './time-zone.js';

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/**
 * The instant `text` names; a date alone is the start of that day, or with `end`, its last
 * millisecond (so `--until 2024-07-31` keeps that day). Throws a RangeError on anything else.
 */
export function parseTimeArgument(text: string, timeZone?: string, end = false): Date {
  const m = ISO_TIME.exec(text.trim());
  if (!m) throw new RangeError('expected an ISO 8601 date or time, e.g. 2023-07-10T12:05:00');
  const [, y, mo, d, h, mi, s, fraction, offset] = m;
  const ms = fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0;
  const parts = [Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0)];
  const [year, month, day, hour, minute, second] = parts;
  // Date.UTC would roll 2023-02-30 into March: the parts must name a real time.
  const check = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (
    check.getUTCMonth() !== month - 1 ||
    check.getUTCDate() !== day ||
    check.getUTCHours() !== hour ||
    check.getUTCMinutes() !== minute ||
    check.getUTCSeconds() !== second
  ) {
    throw new RangeError(`${text} is no real date or time`);
  }
  let time: number;
  if (offset) {
    const east = offset.toUpperCase() === 'Z' ? 0 : offsetMinutes(offset);
    time = Date.UTC(year, month - 1, day, hour, minute, second, ms) - east * 60_000;
  } else if (timeZone) {
    time = zonedTimeMs(timeZone, year, month, day, hour, minute, second, ms);
  } else {
    time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  }
  if (end && h === undefined) {
    // The day's last millisecond: the next day's start less one (a day is not always 24 h).
    const next = new Date(Date.UTC(year, month - 1, day + 1));
    const start = parseTimeArgument(next.toISOString().slice(0, 10), timeZone).getTime();
    time = start - 1;
  }
  return new Date(time);
}

/** `+02:00`, `-0530`, `+01` as minutes east of UTC. */
function offsetMinutes(offset: string): number {
  const digits = offset.slice(1).replace(':', '');
  const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2) || 0);
  return offset[0] === '-' ? -minutes : minutes;
}
