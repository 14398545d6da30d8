/**
 * Resource blocks whose expressions refer to each other (`a` reads `b`, `b` reads `a`), which
 * Terraform refuses ("Error: Cycle"), are warned of once, at the first block's file and line
 * with the cycle; the scan goes on with the value read inside the cycle unknown.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/evaluate-directory.js';
import { isUnknown } from '../../../src/sources/terraform/expression/value.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-block-cycle-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const CYCLE = `# two security groups naming each other in their descriptions
resource "aws_security_group" "a" {
  name        = "a"
  description = "peer of \${aws_security_group.b.description}"
}

resource "aws_security_group" "b" {
  name        = "b"
  description = aws_security_group.a.name
}

resource "aws_security_group" "c" {
  name        = "c"
  description = aws_security_group.b.name
}
`;

describe('Terraform blocks that depend on each other', () => {
  it('are one warning naming the file, line and cycle, and the value read in it is unknown', async () => {
    const dir = folder({ 'main.tf': CYCLE });
    const result = await evaluateTerraformDirectory(dir);
    const file = path.join(dir, 'main.tf');
    expect(result.warnings).toEqual([
      expect.stringContaining(
        `${file}:2: aws_security_group.a depends on itself ` +
          '(aws_security_group.a -> aws_security_group.b -> aws_security_group.a); ' +
          'Terraform refuses such a configuration (Cycle)',
      ),
    ]);
    expect(result.errors).toEqual([]);
    const block = (name: string) =>
      result.blocks.find((b) => b.address === `aws_security_group.${name}`)!;
    // b read a while a was being evaluated: that read is what the cycle left unknown.
    expect(isUnknown(block('b').attributes.description)).toBe(true);
    expect(block('a').attributes.name).toBe('a');
    expect(block('c').attributes.description).toBe('b');
  });

  it('reaches the scan warnings', async () => {
    const dir = folder({ 'main.tf': CYCLE });
    const read = await readPaths([dir]);
    expect(read.warnings.filter((w) => w.includes('depends on itself'))).toHaveLength(1);
    expect(read.resources).toHaveLength(3);
  });
});
