/** Files named one by one (a CI job's list of changed files) are read as a folder would be. */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-named-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const module = join(work, 'module');
mkdirSync(module);
writeFileSync(
  join(module, 'main.tf'),
  'resource "aws_s3_bucket" "logs" {\n  bucket = var.name\n  acl    = "public-read"\n}\n',
);
writeFileSync(join(module, 'variables.tf'), 'variable "name" {\n  default = "team-logs"\n}\n');
writeFileSync(join(module, 'broken.tf'), 'resource "aws_s3_bucket" "x" {\n  bucket = \n');

describe('readPaths on files named one by one', () => {
  it('reads a lone .tf file as a module of that file (values it cannot see stay unknown)', async () => {
    const read = await readPaths([join(module, 'main.tf')]);
    expect(read.resources.map((r) => [r.type, r.name])).toEqual([['AWS::S3::Bucket', 'logs']]);
    // var.name is declared in another file of the folder, which was not named.
    expect(read.resources[0].properties.Name).not.toBe('team-logs');
    expect(read.files.map((f) => f.kind)).toEqual(['terraform']);
  });

  it('reads .tf files named together from one folder as one module', async () => {
    const read = await readPaths([join(module, 'main.tf'), join(module, 'variables.tf')]);
    expect(read.resources).toHaveLength(1);
    expect(read.resources[0].properties.Name).toBe('team-logs');
  });

  it("names the line of a lone broken file's syntax error", async () => {
    const read = await readPaths([join(module, 'broken.tf')]);
    expect(read.resources).toHaveLength(0);
    expect(read.files[0].error?.message).toMatch(/broken\.tf:2: HCL syntax error/);
  });

  it('leaves a named file to the walk of its folder when the folder is named too', async () => {
    const alone = await readPaths([module]);
    const both = await readPaths([join(module, 'main.tf'), module]);
    expect(both.resources.map((r) => r.id)).toEqual(alone.resources.map((r) => r.id));
  });

  it('reads TerraGoat s3.tf named alone as it reads it inside its folder', async () => {
    const file = shared('iac/terragoat/terraform/aws/s3.tf');
    const alone = await readPaths([file]);
    const folder = await readPaths([shared('iac/terragoat/terraform/aws')]);
    const fromFile = folder.resources.filter((r) => r.source.file?.endsWith('aws/s3.tf'));
    expect(alone.resources.length).toBeGreaterThan(0);
    expect(alone.resources.map((r) => r.id).sort()).toEqual(fromFile.map((r) => r.id).sort());
  });
});
