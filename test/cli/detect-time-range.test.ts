/** `palisade detect` refuses a time range or syslog year that could only read nothing or garbage. */

import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';

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
});
