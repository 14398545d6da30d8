/**
 * A rule that cannot run (its check reads a key no bucket has) and a policy enforcing it: for
 * tests of what the CI gate says and does when a rule errors.
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const BROKEN = 'aws-s3-bucket-reads-missing-key';

/** A rules folder with the broken rule alone. */
export async function brokenRules(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-broken-rule-'));
  const rule = [
    `id: ${BROKEN}`,
    'title: S3 buckets have a setting no bucket has',
    'description: Reads a property that does not exist, so it cannot run.',
    'severity: high',
    'cloud: aws',
    'control: NS-2',
    'mappings: {}',
    'resource_types: [AWS::S3::Bucket]',
    "check: 'r.DoesNotExist.Foo == 1'",
    'message:',
    "  pass: 'Bucket {{name}} is fine.'",
    "  fail: 'Bucket {{name}} is not.'",
    'remediation:',
    '  text: Nothing to do.',
    '',
  ].join('\n');
  await writeFile(join(dir, `${BROKEN}.yaml`), rule);
  return dir;
}

/** A policy enforcing only the broken rule, in `mode`. */
export async function policyFor(mode: 'deny' | 'audit'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-policy-'));
  const file = join(dir, 'policy.yaml');
  await writeFile(
    file,
    [
      `initiatives: [{ id: mine, rules: [${BROKEN}] }]`,
      `assignments: [{ id: m, initiative: mine, mode: ${mode} }]`,
      '',
    ].join('\n'),
  );
  return file;
}
