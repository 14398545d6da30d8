/**
 * RFC 3164 syslog times carry no zone: `timeZone` reads them as the host's wall clock, daylight
 * saving time included; without it they stay UTC.
 */

import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { zonedTimeMs } from '../../src/logs/time-zone.js';
import { shared } from '../support/paths.js';

const LINUX = shared('ssh-logs/loghub/Linux/Linux_2k.log');
const OPENSSH = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const HOUR = 3_600_000;

/** Each alert's first and last seen, by rule and first evidence line, in epoch ms. */
async function alertTimes(path: string, year: number, timeZone?: string) {
  const result = await detect({ paths: [path], year, timeZone });
  return new Map(
    result.alerts.map((a) => [
      `${a.rule.id}@${a.evidence[0]?.source.line}`,
      [Date.parse(a.firstSeen), Date.parse(a.lastSeen)],
    ]),
  );
}

describe('syslog time zone', () => {
  it("reads loghub's Linux log (June-July) two hours and OpenSSH's (December) one hour behind in Berlin", async () => {
    for (const [path, year, summer] of [
      [LINUX, 2005, true],
      [OPENSSH, 2023, false],
    ] as const) {
      const utc = await alertTimes(path, year);
      const berlin = await alertTimes(path, year, 'Europe/Berlin');
      expect(utc.size).toBeGreaterThan(0);
      expect([...berlin.keys()].sort()).toEqual([...utc.keys()].sort());
      const shift = summer ? 2 * HOUR : HOUR;
      for (const [key, [first, last]] of utc) {
        expect(berlin.get(key), key).toEqual([first - shift, last - shift]);
      }
    }
  });

  it('keeps UTC without a zone, and refuses a zone that is none', async () => {
    const utc = await alertTimes(OPENSSH, 2023);
    const named = await alertTimes(OPENSSH, 2023, 'UTC');
    expect(named).toEqual(utc);
    await expect(detect({ paths: [OPENSSH], timeZone: 'Mars/Olympus' })).rejects.toThrow(
      /unknown time zone Mars\/Olympus/,
    );
  });

  it("follows the zone's daylight saving changes: a time skipped in spring, one repeated in autumn", () => {
    const berlin = (...p: [number, number, number, number, number, number]) =>
      new Date(zonedTimeMs('Europe/Berlin', ...p)).toISOString();
    expect(berlin(2023, 3, 26, 1, 59, 59)).toBe('2023-03-26T00:59:59.000Z');
    // 02:30 does not exist that night: read with the winter offset, as clocks showed 03:30.
    expect(berlin(2023, 3, 26, 2, 30, 0)).toBe('2023-03-26T01:30:00.000Z');
    expect(berlin(2023, 3, 26, 3, 0, 0)).toBe('2023-03-26T01:00:00.000Z');
    // 02:30 comes twice in October: its first occurrence, still summer time.
    expect(berlin(2023, 10, 29, 2, 30, 0)).toBe('2023-10-29T00:30:00.000Z');
    expect(berlin(2023, 10, 29, 3, 0, 0)).toBe('2023-10-29T02:00:00.000Z');
    expect(new Date(zonedTimeMs('America/New_York', 2023, 11, 5, 1, 30, 0)).toISOString()).toBe(
      '2023-11-05T05:30:00.000Z',
    );
  });
});
