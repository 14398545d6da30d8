/**
 * `file()` of a path outside the scan root reads nothing (nothing leaks), and the user is told:
 * a warning at the expression's file and line, and the value unknown, not left out, so a rule
 * reading it says it cannot be judged rather than passing.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/evaluate-directory.js';
import { isUnknown } from '../../../src/sources/terraform/expression/value.js';
import { assessPaths } from '../../support/assess-files.js';

/** A root module in `<scan root>/infra`: `/etc/passwd` is outside the scan root. */
function rootModule(text: string): { root: string; dir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'palisade-file-outside-'));
  const dir = path.join(root, 'infra');
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'main.tf'), text);
  return { root, dir };
}

const POLICY = `resource "aws_s3_bucket" "x" {
  bucket = "palisade-file-outside"
}

resource "aws_s3_bucket_policy" "p" {
  bucket = aws_s3_bucket.x.id
  policy = file("/etc/passwd")
}

locals {
  doc = file("../../outside.json")
}
`;

describe('file() outside the scan root', () => {
  it('warns at the file and line, and leaves the value unknown', async () => {
    const { root, dir } = rootModule(POLICY);
    const result = await evaluateTerraformDirectory(dir, { scanRoot: root, treeRoot: root });
    const file = path.join(dir, 'main.tf');
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        `${file}:5: aws_s3_bucket_policy.p: file("/etc/passwd") reads a path outside the scan root`,
      ),
    );
    const policy = result.blocks.find((b) => b.address === 'aws_s3_bucket_policy.p')!;
    expect(Object.hasOwn(policy.attributes, 'policy')).toBe(true);
    expect(isUnknown(policy.attributes.policy)).toBe(true);
    expect(result.inputs.files).not.toContain('/etc/passwd');
  });

  it('warns of a local value at its own line', async () => {
    // The local is read when something reads it: the bucket's name does here.
    const { root, dir } = rootModule(
      POLICY.replace('bucket = "palisade-file-outside"', 'bucket = local.doc'),
    );
    const result = await evaluateTerraformDirectory(dir, { treeRoot: root });
    expect(result.warnings).toContainEqual(
      expect.stringContaining(
        `${path.join(dir, 'main.tf')}:11: local.doc: file("../../outside.json") reads a path ` +
          'outside the scan root',
      ),
    );
    expect(result.errors).toEqual([]);
  });

  it('makes a rule reading the value say it cannot be judged, and the scan warn', async () => {
    const { root } = rootModule(POLICY);
    const a = await assessPaths([root]);
    expect(a.warnings.join('\n')).toMatch(
      /main\.tf:5: .*file\("\/etc\/passwd"\).*outside the scan root/,
    );
    const finding = a.findings.find((f) => f.ruleId === 'aws-s3-bucket-deny-insecure-transport')!;
    expect(finding.status).toBe('not_applicable');
    expect(finding.message).toContain('cannot be judged');
  });
});
