/**
 * What `palisade scan` says on stderr when it exits non-zero: which findings crossed `--fail-on`,
 * and why an input could not be read, whatever the format and with `-q`, naming the path as the
 * user typed it.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';

const terragoat = '../shared/data/iac/terragoat/terraform/aws';

describe('palisade scan on stderr', () => {
  it('says how many findings of each severity crossed --fail-on when it exits 1', () => {
    const run = runPalisade(['scan', terragoat, '--no-store', '-q', '--fail-on', 'high']);
    expect(run.code, run.stderr).toBe(1);
    const line =
      /^palisade: (\d+) findings at or above high \((\d+) critical, (\d+) high\); exit 1$/m;
    const [, total, critical, high] = line.exec(run.stderr)!.map(Number);
    expect(critical).toBeGreaterThan(0);
    expect(total).toBe(critical + high);
  });

  it('says nothing of --fail-on when no finding crosses it', () => {
    const clean = join(mkdtempSync(join(tmpdir(), 'palisade-scan-stderr-')), 'ns.yaml');
    writeFileSync(clean, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: quiet\n');
    const run = runPalisade(['scan', clean, '--no-store', '-q', '--fail-on', 'low']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/at or above/);
  });

  it('names a missing --var-file on stderr, as typed, in the table report with -q', () => {
    const run = runPalisade([
      'scan',
      terragoat,
      '--no-store',
      '-q',
      '--var-file',
      '/nonexistent.tfvars',
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^palisade: 1 file could not be read:$/m);
    expect(run.stderr).toMatch(/IO_ERROR .*'\/nonexistent\.tfvars'/);
    expect(run.stderr + run.stdout).not.toContain('../nonexistent.tfvars');
  });
});
