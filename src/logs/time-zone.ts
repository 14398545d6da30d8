/**
 * Wall-clock times of an IANA time zone (`Europe/Berlin`) as instants, for timestamps that carry
 * no zone (RFC 3164 syslog, `--since 2023-07-10T12:05`). Offsets come from the runtime's own
 * zone data (Intl), so daylight saving time follows the zone's rules for that date.
 */

/** The zone's canonical name, or a RangeError naming `name` when it is no IANA zone. */
export function checkTimeZone(name: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    throw new RangeError(`unknown time zone ${name} (expected an IANA name such as Europe/Berlin)`);
  }
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();

function formatOf(zone: string): Intl.DateTimeFormat {
  let format = FORMATS.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    FORMATS.set(zone, format);
  }
  return format;
}

/** The zone's offset from UTC (ms, east positive) at the instant `ms`, to the second. */
function offsetAt(zone: string, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  const parts: Record<string, number> = {};
  for (const p of formatOf(zone).formatToParts(whole)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(
    parts.year,
    parts.month - 1,
    parts.day,
    parts.hour,
    parts.minute,
    parts.second,
  );
  return wall - whole;
}

const DAY_MS = 86_400_000;

/**
 * The instant (epoch ms) at which clocks in `zone` read the given wall-clock time (month 1-12).
 * A time the zone repeats when clocks go back takes its first occurrence (still summer time); a
 * time skipped when clocks go forward is read with the offset before the change (02:30 on the
 * spring day in Berlin is 01:30 UTC, which clocks there show as 03:30), as Temporal's
 * `compatible` disambiguation does.
 */
export function zonedTimeMs(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (Number.isNaN(wall)) return Number.NaN;
  // Offsets a day either side bracket any change near this time (zones change at most once a day).
  const before = offsetAt(zone, wall - DAY_MS);
  const after = offsetAt(zone, wall + DAY_MS);
  if (before === after) {
    const guess = wall - before;
    const actual = offsetAt(zone, guess);
    return actual === before ? guess : wall - actual;
  }
  const candidates = [wall - before, wall - after].filter((t) => offsetAt(zone, t) === wall - t);
  if (candidates.length > 0) return Math.min(...candidates);
  return wall - before;
}
