/** `palisade detect` refuses a time range or syslog year that could only read nothing or garbage. */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const LINUX = shared('ssh-logs/loghub/Linux/Linux_2k.log');

/** Events `palisade detect` reads from loghub's Linux log (2005) with `args`, in shell zone `tz`. */
function eventsRead(args: string[], tz: string): number {
  const run = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/main.ts',
      'detect',
      LINUX,
      '--no-store',
      '-q',
      '-f',
      'json',
    ].concat(['--year', '2005', ...args]),
    { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, TZ: tz }, timeout: 120_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout).events as number;
}

const palisade = (args: string[]) =>
  runPalisade(
    args,
    'Jan  5 03:00:01 host sshd[91]: Failed password for admin from 203.0.113.9 port 50001 ssh2\n',
  );

describe('detect time options', () => {
  it('refuses --since after --until (exit 2, naming both)', () => {
    const run = palisade([
      'detect',
      '-',
      '--no-store',
      '--since',
      '2025-02-01',
      '--until',
      '2025-01-01',
    ]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      '--since 2025-02-01T00:00:00.000Z is after --until 2025-01-01T23:59:59.999Z',
    );
  }, 120_000);

  it.each(['99999', '1969', '0'])(
    'refuses --year %s (exit 2)',
    (value) => {
      const run = palisade(['detect', '-', '--no-store', '--year', value]);
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain('expected a year from 1970 to 9999');
    },
    120_000,
  );

  it('accepts a year in range', () => {
    const run = palisade(['detect', '-', '--no-store', '-q', '--year', '2024', '-f', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).events).toBe(1);
  }, 120_000);

  it('reads --since/--until without an offset in UTC whatever the shell zone, or in --timezone', () => {
    // The shell in New York: a date and a time without an offset are both UTC.
    const byDate = eventsRead(['--since', '2005-07-10'], 'America/New_York');
    expect(byDate).toBeGreaterThan(0);
    expect(eventsRead(['--since', '2005-07-10T00:00:00'], 'America/New_York')).toBe(byDate);
    expect(eventsRead(['--since', '2005-07-10T00:00:00Z'], 'UTC')).toBe(byDate);
    // With --timezone both are that zone's wall clock: Berlin's midnight is 22:00 UTC in July,
    // and its log lines are read two hours earlier too, so the same lines fall in range.
    const berlin = ['--timezone', 'Europe/Berlin'];
    expect(eventsRead([...berlin, '--since', '2005-07-10'], 'America/New_York')).toBe(byDate);
    expect(eventsRead([...berlin, '--since', '2005-07-10T00:00'], 'UTC')).toBe(byDate);
    expect(eventsRead(['--since', '2005-07-09T22:00:00Z', ...berlin], 'UTC')).toBe(byDate);
    const day = eventsRead(['--since', '2005-07-10', '--until', '2005-07-10'], 'Asia/Tokyo');
    expect(day).toBeGreaterThan(0);
    expect(day).toBeLessThan(byDate);
    expect(
      eventsRead(
        ['--since', '2005-07-10T00:00', '--until', '2005-07-10T23:59:59.999'],
        'Asia/Tokyo',
      ),
    ).toBe(day);
  }, 120_000);

  it('refuses a zone that is no IANA zone, and a time that is no ISO 8601 time', () => {
    const zone = palisade(['detect', '-', '--no-store', '--timezone', 'Mars/Olympus']);
    expect(zone.code, zone.stderr).toBe(2);
    expect(zone.stderr).toContain('unknown time zone Mars/Olympus');
    const time = palisade(['detect', '-', '--no-store', '--since', 'July 10 2005']);
    expect(time.code, time.stderr).toBe(2);
    expect(time.stderr).toContain('expected an ISO 8601 date or time');
  }, 120_000);
});
