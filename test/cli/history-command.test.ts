/** `palisade history` reads the store: it never creates one and never shows zero assessments. */

import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';
import { scanHere } from '../support/scan-here.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-history-'));

const palisade = runPalisade;

describe('palisade history', () => {
  it('refuses a --db that does not exist and creates no store there (exit 2)', () => {
    const db = join(work, 'missing', 'palisade.db');
    const run = palisade(['history', '--db', db]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`no store at ${db}`);
    expect(existsSync(db)).toBe(false);
    expect(existsSync(join(work, 'missing'))).toBe(false);
  }, 120_000);

  // The scans only fill the store (in this process); `history` runs as a user runs it.
  it('refuses -n 0 and lists stored assessments for -n 1', async () => {
    const db = join(work, 'scanned.db');
    const scan = await scanHere([shared('iac/terragoat/terraform/aws')], { db, quiet: true });
    expect(scan.code, scan.stderr).toBe(0);

    const zero = palisade(['history', '--db', db, '-n', '0']);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('expected a whole number from 1');
    expect(zero.stdout).not.toContain('No assessments stored');

    const one = palisade(['history', '--db', db, '-n', '1']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout).toContain('Secure score, last 1 assessments');
  }, 240_000);

  it('says when the trend mixes targets, and --target shows one', async () => {
    const db = join(work, 'two-targets.db');
    const aws = shared('iac/terragoat/terraform/aws');
    const azure = shared('iac/terragoat/terraform/azure');
    for (const target of [aws, azure, aws]) {
      const scan = await scanHere([target], { db, quiet: true });
      expect(scan.code, scan.stderr).toBe(0);
    }
    const mixed = palisade(['history', '--db', db]);
    expect(mixed.code, mixed.stderr).toBe(0);
    expect(mixed.stdout).toContain('2 different targets below');

    const one = palisade(['history', '--db', db, '--target', aws, '--json']);
    expect(one.code, one.stderr).toBe(0);
    const points = JSON.parse(one.stdout) as { targets: string[] }[];
    expect(points.map((p) => p.targets)).toEqual([[aws], [aws]]);
    const table = palisade(['history', '--db', db, '--target', aws]);
    expect(table.stdout).toContain('last 2 assessments');
    expect(table.stdout).not.toContain('different targets');

    const none = palisade(['history', '--db', db, '--target', join(work, 'never-scanned')]);
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('No assessments of');
  }, 240_000);
});
