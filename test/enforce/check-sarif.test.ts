/**
 * The gate's SARIF as code scanning reads it: paths that agree with `%SRCROOT%` from whichever
 * folder of the repository the gate ran in, waived violations kept as suppressed results, and a
 * category per run so two uploads for one commit stay two analyses.
 */

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere, type CheckRun } from './check-runner.js';
import { sarifValidator } from './sarif-validator.js';

const TERRAGOAT_AWS = join(REPO_ROOT, '../shared/data/iac/terragoat/terraform/aws');

/**
 * A git work tree holding TerraGoat's ec2.tf and s3.tf under `infra/aws/`, the SSH-open
 * security group suppressed inline with a reason, and a policy that lets such a suppression
 * lift a deny.
 */
async function repository(): Promise<string> {
  const repo = await mkdtemp(join(tmpdir(), 'palisade-check-sarif-'));
  await mkdir(join(repo, 'infra/aws'), { recursive: true });
  const ec2 = (await readFile(join(TERRAGOAT_AWS, 'ec2.tf'), 'utf8')).replace(
    'resource "aws_security_group" "web-node" {\n',
    'resource "aws_security_group" "web-node" {\n' +
      '  # palisade:ignore aws-ec2-sg-no-public-ssh bastion, reviewed\n',
  );
  await writeFile(join(repo, 'infra/aws/ec2.tf'), ec2);
  await writeFile(
    join(repo, 'infra/aws/s3.tf'),
    await readFile(join(TERRAGOAT_AWS, 's3.tf'), 'utf8'),
  );
  await writeFile(
    join(repo, 'policy.yaml'),
    'inlineSuppressions: allow\nassignments:\n  - id: all\n    benchmark: palisade\n    mode: deny\n',
  );
  execFileSync('git', ['init', '-q', repo]);
  return repo;
}

/** The gate run with `folder` as the working folder. */
async function checkIn(
  folder: string,
  paths: string[],
  options: Parameters<typeof checkHere>[1],
): Promise<CheckRun> {
  const cwd = process.cwd();
  process.chdir(folder);
  try {
    return await checkHere(paths, options);
  } finally {
    process.chdir(cwd);
  }
}

interface SarifRun {
  automationDetails: { id: string; description?: { text: string } };
  originalUriBaseIds: Record<string, { uri: string }>;
  results: {
    ruleId: string;
    locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string } } }[];
    suppressions?: { kind: string; status: string; justification: string }[];
  }[];
}

async function sarifIn(folder: string, paths: string[], policy: string): Promise<SarifRun> {
  const run = await checkIn(folder, paths, { format: 'sarif', policy: [policy] });
  const log = JSON.parse(run.report);
  const validate = sarifValidator();
  expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  return log.runs[0] as SarifRun;
}

describe('palisade check SARIF run from a subfolder of a repository', () => {
  it('declares %SRCROOT% as the repository root its paths start from', async () => {
    const repo = await repository();
    const run = await sarifIn(join(repo, 'infra'), ['aws'], '../policy.yaml');
    const root = fileURLToPath(run.originalUriBaseIds['%SRCROOT%'].uri);
    expect(root.replace(/\/$/, '')).toBe(repo);
    expect(run.results.length).toBeGreaterThan(5);
    for (const r of run.results) {
      const { uri, uriBaseId } = r.locations[0].physicalLocation.artifactLocation;
      expect(uriBaseId).toBe('%SRCROOT%');
      expect(uri).toMatch(/^infra\/aws\/(ec2|s3)\.tf$/);
      expect(existsSync(join(root, uri))).toBe(true);
    }
  });

  it('keeps waived violations as suppressed results, as scan does', async () => {
    const repo = await repository();
    const run = await sarifIn(join(repo, 'infra'), ['aws'], '../policy.yaml');
    const suppressed = run.results.filter((r) => r.suppressions);
    expect(suppressed.map((r) => r.ruleId)).toEqual(['aws-ec2-sg-no-public-ssh']);
    expect(suppressed[0].suppressions).toEqual([
      { kind: 'inSource', status: 'accepted', justification: 'waiver: bastion, reviewed' },
    ]);
  });

  it('names files in GitHub annotations from the repository root too', async () => {
    const repo = await repository();
    const run = await checkIn(join(repo, 'infra'), ['aws'], {
      format: 'github',
      policy: ['../policy.yaml'],
    });
    const files = new Set([...run.report.matchAll(/ file=([^,]+),/g)].map((m) => m[1]));
    expect([...files].sort()).toEqual(['infra/aws/ec2.tf', 'infra/aws/s3.tf']);
  });

  it('gives each set of paths and policy its own category, whatever the working folder', async () => {
    const repo = await repository();
    const both = await sarifIn(join(repo, 'infra'), ['aws'], '../policy.yaml');
    const fromRoot = await sarifIn(repo, ['infra/aws'], 'policy.yaml');
    const one = await sarifIn(repo, ['infra/aws/ec2.tf'], 'policy.yaml');
    expect(both.automationDetails.id).toMatch(/^palisade-check\/[0-9a-f]{12}\/$/);
    expect(fromRoot.automationDetails.id).toBe(both.automationDetails.id);
    expect(one.automationDetails.id).not.toBe(both.automationDetails.id);
    expect(one.automationDetails.description?.text).toBe(
      'palisade check infra/aws/ec2.tf --policy policy.yaml',
    );
  });
});
