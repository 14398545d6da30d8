/**
 * A `.tf` file over the HCL parser's limit is reported with the limit, why, and what to do
 * instead, not read (a 7.6 MB generated file took the parser 34 s and 1.5 GB).
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';

describe('a Terraform file over the parser limit', () => {
  it('is named with the limit and the way out, and the files beside it are read', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'palisade-tf-large-'));
    const block = (i: number) =>
      `resource "aws_s3_bucket" "b${i}" {\n  bucket = "bucket-${i}"\n}\n`;
    let big = '';
    for (let i = 0; big.length <= 5 * 1024 * 1024; i++) big += block(i);
    await writeFile(join(dir, 'generated.tf'), big);
    await writeFile(join(dir, 'main.tf'), block(0).replace('b0', 'small'));
    const read = await readPaths([dir]);
    const error = read.files.find((f) => f.file.endsWith('generated.tf'))?.error;
    expect(error).toMatchObject({ code: 'TOO_LARGE' });
    expect(error!.message).toContain('larger than 5 MB');
    expect(error!.message).toContain('terraform show -json');
    expect(read.resources.map((r) => r.name)).toContain('bucket-0');
  });
});
