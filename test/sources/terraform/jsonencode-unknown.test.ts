/**
 * A policy written with jsonencode() whose Resource names an ARN known only after apply is judged
 * on its known parts: `Principal: "*"` is still anonymous access.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assess } from '../../../src/posture/assess.js';
import { loadRules } from '../../../src/posture/rule-loader.js';

const dir = mkdtempSync(join(tmpdir(), 'palisade-tf-jsonencode-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const policy = (principal: string) => `jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = ${principal}
      Action    = "s3:GetObject"
      Resource  = "\${aws_s3_bucket.%s.arn}/*"
    }]
  })`;

describe('jsonencode() with parts unknown before apply', () => {
  it('keeps the known parts of a bucket policy for the rules to judge', async () => {
    writeFileSync(
      join(dir, 'main.tf'),
      ['open', 'shut']
        .map(
          (name) => `
resource "aws_s3_bucket" "${name}" { bucket = "tf-${name}" }
resource "aws_s3_bucket_policy" "${name}" {
  bucket = aws_s3_bucket.${name}.id
  policy = ${policy(name === 'open' ? '"*"' : '{ AWS = "arn:aws:iam::111122223333:root" }').replace('%s', name)}
}`,
        )
        .join('\n'),
    );
    const result = await assess({ paths: [dir], rules: await loadRules() });
    const status = (name: string) =>
      result.findings.find(
        (f) => f.ruleId === 'aws-s3-bucket-policy-not-public' && f.resourceName === name,
      )?.status;
    // Before: both "not applicable", the whole policy unknown because of its Resource.
    expect(status('tf-open')).toBe('fail');
    expect(status('tf-shut')).toBe('pass');
  });
});
