/**
 * `palisade check --quiet`: nothing but errors on stderr and the one-line verdict on stdout, with
 * the exit codes the gate gives without it.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runCheck, type CheckCommandOptions } from '../../src/cli/check-command.js';
import { runPalisade } from '../support/cli.js';
import { shared } from '../support/paths.js';
import { brokenRules, policyFor } from './broken-rule.js';

const TERRAGOAT_AWS = shared('iac/terragoat/terraform/aws');
/** Five S3 buckets. */
const S3_TF = shared('iac/terragoat/terraform/aws/s3.tf');

/** The verdict line: the gate's word and its totals. */
const VERDICT = /^palisade check (passed|FAILED( \([^)]*\))?): \d+ resources? judged, \d+ denied/;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the gate in this process (table format unless given), keeping stdout and stderr. */
async function gate(paths: string[], options: Partial<CheckCommandOptions>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((stdout += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    const code = await runCheck(paths, {
      format: 'table',
      policy: [],
      rules: [],
      stdinName: 'stdin.yaml',
      ...options,
    });
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'palisade-quiet-')), name);
  await writeFile(file, text);
  return file;
}

/** An exemption naming a resource no file holds: a warning on stderr. */
const strayExemption = () =>
  tempFile(
    'exemptions.yaml',
    [
      'exemptions:',
      '  - rule: aws-ec2-sg-no-public-ssh',
      '    resource: aws_security_group.nowhere',
      '    category: waiver',
      '    justification: Bastion host, reviewed.',
      '',
    ].join('\n'),
  );

/** A rules folder with one rule that cannot run on a bucket, and a policy enforcing it. */
async function brokenRule(mode: 'deny' | 'audit'): Promise<Partial<CheckCommandOptions>> {
  return { rules: [await brokenRules()], policy: [await policyFor(mode)] };
}

describe('palisade check --quiet', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints only the verdict line the table ends with, no warning, and exits 1 on deny', async () => {
    const exemptions = await strayExemption();
    const loud = await gate([TERRAGOAT_AWS], { exemptions });
    expect(loud.code).toBe(1);
    expect(loud.stdout).toContain('DENIED (');
    expect(loud.stderr).toMatch(/warning: exemption at .*matches none of the/);

    const quiet = await gate([TERRAGOAT_AWS], { exemptions, quiet: true });
    expect(quiet.code).toBe(1);
    expect(quiet.stderr).toBe('');
    const lines = quiet.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    expect(lines[0]).toMatch(VERDICT);
    expect(lines[0]).toBe(loud.stdout.trimEnd().split('\n').at(-1));
    expect(lines[0]).toMatch(/^palisade check FAILED: /);
  });

  it('keeps deny-mode rule errors on stderr (exit 2) and drops audit-mode ones (exit 0)', async () => {
    const deny = await gate([S3_TF], { ...(await brokenRule('deny')), quiet: true });
    expect(deny.code).toBe(2);
    expect(deny.stderr.match(/^palisade: RULE_ERROR /gm)).toHaveLength(5);
    expect(deny.stdout).toMatch(/^palisade check FAILED \(deny-mode rules could not run\): .*\n$/);

    const audit = await gate([S3_TF], { ...(await brokenRule('audit')), quiet: true });
    expect(audit.code).toBe(0);
    expect(audit.stderr).toBe('');
    expect(audit.stdout).toMatch(/^palisade check passed: 5 resources judged, .*5 rule errors\n$/);
  });

  it('keeps files that could not be checked on stderr, exit 2', async () => {
    const broken = await tempFile('broken.tf', 'resource "aws_s3_bucket" "b" {\n  bucket = \n');
    const run = await gate([S3_TF, broken], { quiet: true });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^palisade: PARSE_ERROR .*broken\.tf/m);
    expect(run.stdout).toMatch(/^palisade check FAILED \(1 file could not be checked\): [^\n]*\n$/);
  });

  it('writes a report only to -o, saying nothing about it, and refuses one with nowhere to go', async () => {
    const output = join(await mkdtemp(join(tmpdir(), 'palisade-quiet-')), 'report.sarif');
    const run = await gate([S3_TF], { format: 'sarif', output, quiet: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(VERDICT);
    expect(JSON.parse(await readFile(output, 'utf8')).version).toBe('2.1.0');

    const lost = await gate([S3_TF], { format: 'sarif', quiet: true });
    expect(lost.code).toBe(2);
    expect(lost.stdout).toBe('');
    expect(lost.stderr).toMatch(/--quiet prints only the verdict.*give -o FILE/);
  });

  it('is -q on the command line and in its help (real process)', () => {
    const run = runPalisade(['check', '-q', S3_TF]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(VERDICT);
    expect(run.stdout.trimEnd().split('\n')).toHaveLength(1);

    const help = runPalisade(['check', '--help']).stdout.replace(/\s+/g, ' ');
    expect(help).toContain('-q, --quiet print only errors and the one-line verdict');
  });
});
