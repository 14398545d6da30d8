/**
 * What `palisade scan` says on stderr when it exits non-zero: which findings crossed `--fail-on`,
 * and why an input could not be read, whatever the format and with `-q`, naming the path as the
 * user typed it.
 */

import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
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

  it('names files of no kind it reads, beside those it assessed, and in SARIF as notes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-scan-unrecognised-'));
    copyFileSync(
      '../shared/data/cloud-inventory/aws/cloud-custodian-config-items/s3.json',
      join(dir, 'config-item.json'),
    );
    // `aws s3api get-bucket-policy` output: it names no bucket, so Palisade cannot place it.
    writeFileSync(join(dir, 'get-bucket-policy.json'), '{"Policy": "{\\"Statement\\": []}"}\n');
    const run = runPalisade(['scan', dir, '--no-store']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(
      `palisade: 1 file not recognised as any input Palisade reads, not assessed: ${join(dir, 'get-bucket-policy.json')}`,
    );
    const sarif = runPalisade(['scan', dir, '--no-store', '-q', '--format', 'sarif']);
    const invocation = JSON.parse(sarif.stdout).runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications).toEqual([
      expect.objectContaining({
        level: 'note',
        descriptor: { id: 'UNRECOGNISED' },
        properties: expect.objectContaining({ code: 'UNRECOGNISED' }),
      }),
    ]);
    // Alone, the file is named too, with the exit code for bad input.
    const alone = runPalisade(['scan', join(dir, 'get-bucket-policy.json'), '--no-store']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/1 file not recognised as any input Palisade reads/);
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
