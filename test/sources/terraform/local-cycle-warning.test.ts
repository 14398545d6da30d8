/**
 * Local values that depend on each other (`a = local.b`, `b = local.a`), which Terraform refuses,
 * are warned of at the local's file and line with the cycle; the scan goes on with them unknown.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/evaluate-directory.js';
import { isUnknown } from '../../../src/sources/terraform/expression/value.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-cycle-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const CYCLE = `# two locals reading each other
locals {
  fine = "ok"
  a    = local.b
  b    = "\${local.a}-x"
}

resource "aws_s3_bucket" "x" {
  bucket = local.a
  acl    = local.fine
}
`;

describe('circular Terraform locals', () => {
  it('are a warning naming the file, line and cycle, and the value stays unknown', async () => {
    const dir = folder({ 'main.tf': CYCLE });
    const result = await evaluateTerraformDirectory(dir);
    const file = path.join(dir, 'main.tf');
    expect(result.warnings).toEqual([
      expect.stringContaining(
        `${file}:4: local "a" depends on itself (local.a -> local.b -> local.a)`,
      ),
    ]);
    expect(result.errors).toEqual([]);
    const bucket = result.blocks.find((b) => b.address === 'aws_s3_bucket.x')!;
    expect(isUnknown(bucket.attributes.bucket)).toBe(true);
    expect(bucket.attributes.acl).toBe('ok');
  });

  it('reaches the scan warnings', async () => {
    const dir = folder({ 'main.tf': CYCLE });
    const read = await readPaths([dir]);
    expect(read.warnings.join('\n')).toContain('local.a -> local.b -> local.a');
    expect(read.resources).toHaveLength(1);
  });
});
