/**
 * A root module in `envs/prod` calling `../../modules/sg` (Terraform's common layout) reads that
 * module when it lies inside the path scanned or the git repository holding the root; past both
 * it stays a warning, and a server source's containment still refuses it outside its roots.
 */

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { runPalisade } from '../../support/cli.js';
import { SSH_FROM_VAR } from './terraform-fixtures.js';

const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'palisade-tf-layout-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** SSH open to the sources the caller passes: read as a root of its own, nothing is known. */
const SSH_FROM = `variable "cidr" {}\n\n${SSH_FROM_VAR}`;

const CALLS_MODULE = `module "sg" {
  source = "../../modules/sg"
  cidr   = "0.0.0.0/0"
}
`;

/** `envs/prod` calling `../../modules/sg` under a new folder `name`; a git repository if asked. */
function layout(name: string, git: boolean): string {
  const repo = path.join(scratch, name);
  mkdirSync(path.join(repo, 'envs/prod'), { recursive: true });
  mkdirSync(path.join(repo, 'modules/sg'), { recursive: true });
  writeFileSync(path.join(repo, 'envs/prod/main.tf'), CALLS_MODULE);
  writeFileSync(path.join(repo, 'modules/sg/main.tf'), SSH_FROM);
  if (git) execFileSync('git', ['init', '-q'], { cwd: repo });
  return repo;
}

interface ScanReport {
  findings: { ruleId: string; status: string; resource: { id?: string; file?: string } }[];
  warnings?: string[];
}

function scan(target: string): { code: number | null; report: ScanReport; stderr: string } {
  const run = runPalisade(['scan', target, '--no-store', '-f', 'json']);
  return { code: run.code, report: JSON.parse(run.stdout) as ScanReport, stderr: run.stderr };
}

function sshFailures(report: ScanReport): unknown[] {
  return report.findings.filter(
    (f) => f.ruleId === 'aws-ec2-sg-no-public-ssh' && f.status === 'fail',
  );
}

describe("local modules outside the root module's parent folder", () => {
  it('judges the module when the repository root is scanned (no git)', () => {
    const repo = layout('scan-root', false);
    const { report } = scan(repo);
    expect(sshFailures(report)).toHaveLength(1);
  });

  it('judges the module when a root inside a git repository is scanned', () => {
    const repo = layout('in-git', true);
    const { report } = scan(path.join(repo, 'envs/prod'));
    expect(sshFailures(report)).toHaveLength(1);
  });

  it('reads the module from the root alone, with the root scanned inside a git repository', async () => {
    const repo = layout('in-git-read', true);
    const read = await readPaths([path.join(repo, 'envs/prod')]);
    expect(read.resources.map((r) => r.source.address)).toEqual([
      'module.sg.aws_security_group.ssh',
    ]);
    expect(read.warnings).toEqual([]);
    expect(read.configurations[0].inputs.folders).toContain(path.join(repo, 'modules/sg'));
  });

  it('leaves a module outside the path scanned and any git repository as a warning', async () => {
    const repo = layout('no-git', false);
    const read = await readPaths([path.join(repo, 'envs/prod')]);
    expect(read.resources).toEqual([]);
    expect(read.warnings).toEqual([
      expect.stringContaining(
        `source ../../modules/sg is outside ${path.join(repo, 'envs')} (the root module's parent folder)`,
      ),
    ]);
    expect(read.warnings[0]).toContain('the path scanned or the git repository');
  });

  it('still refuses a module outside the folders a server source may read', async () => {
    const repo = layout('server', true);
    const allowed = path.join(repo, 'envs');
    const read = await readPaths([path.join(repo, 'envs/prod')], {
      allow: (real) => real === allowed || real.startsWith(`${allowed}/`),
    });
    expect(read.resources).toEqual([]);
    const errored = read.files.filter((f) => f.error);
    expect(errored.map((f) => f.error!.message)).toEqual([
      expect.stringContaining('resolves outside the folders this source may read'),
    ]);
  });

  it('keeps file() inside the same limit', async () => {
    const repo = layout('file-read', true);
    writeFileSync(path.join(repo, 'modules/sg/name.txt'), 'from-the-module-folder');
    writeFileSync(path.join(scratch, 'outside.txt'), 'read-from-outside');
    writeFileSync(
      path.join(repo, 'envs/prod/bucket.tf'),
      `resource "aws_s3_bucket" "inside" {
  bucket = file("../../modules/sg/name.txt")
}
resource "aws_s3_bucket" "outside" {
  bucket = file("../../../outside.txt")
}
`,
    );
    const read = await readPaths([path.join(repo, 'envs/prod')]);
    const byAddress = new Map(read.resources.map((r) => [r.source.address, r]));
    expect(byAddress.get('aws_s3_bucket.inside')?.name).toBe('from-the-module-folder');
    expect(byAddress.get('aws_s3_bucket.outside')?.name).not.toBe('read-from-outside');
  });
});
