/**
 * An expansion cut by a cap (`count = length(range(100000000))`, a local holding a huge range)
 * is an error at the file and line of the expression cut, naming the block or local and the
 * part of it (`aws_s3_bucket.x count`), not the folder. What was read before the cut is judged,
 * and the file reports say so: the file is errored (the gate cannot vouch for it) and counts the
 * resources read from it, so the table never says "no readable files" over judged resources.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderTable } from '../../../src/report/table-report.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/evaluate-directory.js';
import { assessPaths } from '../../support/assess-files.js';

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-cut-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

const COUNT_BOMB = `resource "aws_s3_bucket" "x" {
  count  = length(range(100000000))
  bucket = "b-\${count.index}"
}
`;

const LOCAL_BOMB = `locals {
  name = "fine"
  big  = range(100000000)
}

resource "aws_s3_bucket" "y" {
  bucket = "y-\${length(local.big)}"
}
`;

describe('a Terraform expansion cut by a cap', () => {
  it('names the file, line, block and meta-argument of a count cut', async () => {
    const dir = folder({ 'main.tf': COUNT_BOMB });
    const result = await evaluateTerraformDirectory(dir);
    const file = path.join(dir, 'main.tf');
    expect(result.errors).toEqual([expect.objectContaining({ file, line: 1, code: 'TOO_LARGE' })]);
    expect(result.errors[0].message).toBe(
      `${file}:1: aws_s3_bucket.x count: evaluation stopped (range too large)`,
    );
  });

  it('names the line of a local value cut, not the folder', async () => {
    const dir = folder({ 'locals.tf': LOCAL_BOMB });
    const result = await evaluateTerraformDirectory(dir);
    const file = path.join(dir, 'locals.tf');
    expect(result.errors).toEqual([expect.objectContaining({ file, line: 3, code: 'TOO_LARGE' })]);
    expect(result.errors[0].message).toBe(
      `${file}:3: local.big: evaluation stopped (range too large)`,
    );
  });

  it('counts the resources judged from an errored file, and the table says it was read in part', async () => {
    const dir = folder({ 'main.tf': COUNT_BOMB, 'other.tf': LOCAL_BOMB });
    const read = await readPaths([dir]);
    const reports = read.files.filter((f) => f.kind === 'terraform');
    expect(reports).toHaveLength(2);
    expect(reports.every((f) => f.error?.code === 'TOO_LARGE')).toBe(true);
    // The files add up to what is judged.
    expect(reports.reduce((n, f) => n + f.resources, 0)).toBe(read.resources.length);
    expect(read.resources.length).toBeGreaterThan(0);

    const table = renderTable(await assessPaths([dir]));
    expect(table).not.toContain('no readable files');
    expect(table).toContain(
      `no file read whole; 2 errored, 2 of them read in part (${read.resources.length} resources judged, the rest left out)`,
    );
  });
});
