/**
 * What the gate says about its inputs that would otherwise change verdicts without a word: an
 * exemption whose resource pattern names nothing checked, and a rule replaced by another of the
 * same id (bundled, or from an earlier `--rules` folder).
 */

import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';
import { checkHere } from './check-runner.js';

const TERRAGOAT_AWS = join(REPO_ROOT, '../shared/data/iac/terragoat/terraform/aws');
const VERSIONING = join(
  REPO_ROOT,
  'src/benchmark/rules/aws/s3/aws-s3-bucket-versioning-enabled.yaml',
);

async function exemptionsFile(resource: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-exemptions-'));
  const file = join(dir, 'exemptions.yaml');
  await writeFile(
    file,
    [
      'exemptions:',
      '  - rule: aws-ec2-sg-no-public-ssh',
      `    resource: ${resource}`,
      '    category: waiver',
      '    justification: Bastion host, reviewed.',
      '',
    ].join('\n'),
  );
  return file;
}

describe('palisade check exemption warnings', () => {
  it('names an exemption whose resource pattern matches no resource checked', async () => {
    const misspelt = await checkHere([TERRAGOAT_AWS], {
      exemptions: await exemptionsFile('aws_security_group.web-nod'),
    });
    expect(misspelt.stderr).toMatch(
      /warning: exemption at .*exemptions\.yaml:2 \(rule aws-ec2-sg-no-public-ssh\): resource pattern "aws_security_group\.web-nod" matches none of the \d+ resources checked/,
    );

    const right = await checkHere([TERRAGOAT_AWS], {
      exemptions: await exemptionsFile('aws_security_group.web-node'),
    });
    expect(right.stderr).not.toMatch(/resource pattern/);
    expect(right.report).toMatch(/EXEMPTED \(1\)/);
  });
});

describe('palisade check rule folders', () => {
  it('gives notice of every rule replaced, bundled or from an earlier folder', async () => {
    const root = await mkdtemp(join(tmpdir(), 'palisade-rule-folders-'));
    const [first, second] = [join(root, 'team'), join(root, 'override')];
    await mkdir(first);
    await mkdir(second);
    await copyFile(VERSIONING, join(first, 'versioning.yaml'));
    await copyFile(VERSIONING, join(second, 'versioning.yaml'));

    const run = await checkHere([join(TERRAGOAT_AWS, 's3.tf')], { rules: [first, second] });
    expect(run.stderr).toMatch(
      /notice: .*team\/versioning\.yaml replaces rule aws-s3-bucket-versioning-enabled \(from .*src\/benchmark\/rules/,
    );
    expect(run.stderr).toMatch(
      /notice: .*override\/versioning\.yaml replaces rule aws-s3-bucket-versioning-enabled \(from .*team\/versioning\.yaml\)/,
    );
  });
});
