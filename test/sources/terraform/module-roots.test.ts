/**
 * A folder another root of the same scan calls as a local module is read as part of that root
 * only, never also as a root of its own (every input unknown): whether it sorts before its caller
 * or holds files the Terraform reader does not read. Scanned on its own, it is still a root.
 */

import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';

const scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'palisade-tf-module-roots-')));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A bucket named by the caller: read as a root of its own, its name is unknown. */
const BUCKET_MODULE = `variable "name" {
  type = string
}

resource "aws_s3_bucket" "logs" {
  bucket = var.name
}
`;

/** A root calling the module at `source` with the bucket name `name`. */
const caller = (source: string, name: string) => `module "logs" {
  source = "${source}"
  name   = "${name}"
}
`;

/** Writes `files` (path → text) under a new folder `name` of the scratch folder. */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(scratch, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** Each resource read: where it comes from and the bucket name it was given. */
async function buckets(paths: string[]): Promise<string[]> {
  const read = await readPaths(paths);
  return read.resources.map((r) => {
    const { Name } = r.properties as { Name?: unknown };
    const name = typeof Name === 'string' ? Name : 'unknown';
    return `${path.relative(scratch, path.resolve(r.source.file!))} ${r.source.address} ${name}`;
  });
}

describe('a local module in the folder scanned', () => {
  it('is read once, through its caller, when it sorts before the root calling it', async () => {
    const root = tree('sorts-before', {
      'a-logs/main.tf': BUCKET_MODULE,
      'b-app/main.tf': caller('../a-logs', 'app-logs'),
    });
    expect(await buckets([root])).toEqual([
      'sorts-before/a-logs/main.tf module.logs.aws_s3_bucket.logs app-logs',
    ]);

    const read = await readPaths([root]);
    const moduleFile = read.files.filter((f) => f.file.endsWith('a-logs/main.tf'));
    expect(moduleFile).toHaveLength(1);
    expect(read.files.reduce((n, f) => n + f.resources, 0)).toBe(1);
  });

  it('is read once when it sits beside files the Terraform reader does not read', async () => {
    const root = tree('with-readme', {
      'app/main.tf': caller('../modules/logs', 'app-logs'),
      'modules/logs/main.tf': BUCKET_MODULE,
      'modules/logs/README.md': '# Log bucket\n',
    });
    expect(await buckets([root])).toEqual([
      'with-readme/modules/logs/main.tf module.logs.aws_s3_bucket.logs app-logs',
    ]);
  });

  it('is read through each root calling it, and by nothing else', async () => {
    const root = tree('two-callers', {
      'a-logs/main.tf': BUCKET_MODULE,
      'b-app/main.tf': caller('../a-logs', 'app-logs'),
      'c-web/main.tf': caller('../a-logs', 'web-logs'),
    });
    expect(await buckets([root])).toEqual([
      'two-callers/a-logs/main.tf module.logs.aws_s3_bucket.logs app-logs',
      'two-callers/a-logs/main.tf module.logs.aws_s3_bucket.logs web-logs',
    ]);
  });

  it('is still a root when scanned without its caller', async () => {
    const root = tree('alone', {
      'a-logs/main.tf': BUCKET_MODULE,
      'b-app/main.tf': caller('../a-logs', 'app-logs'),
    });
    expect(await buckets([path.join(root, 'a-logs')])).toEqual([
      'alone/a-logs/main.tf aws_s3_bucket.logs unknown',
    ]);
  });

  it('loses nothing to folders that call each other', async () => {
    // Terraform refuses such a configuration; the scan still reads every resource once.
    const root = tree('cycle', {
      'a/main.tf': `module "b" {\n  source = "../b"\n}\n\nresource "aws_s3_bucket" "a" {\n  bucket = "a"\n}\n`,
      'b/main.tf': `module "a" {\n  source = "../a"\n}\n\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n`,
    });
    const names = (await buckets([root])).map((line) => line.split(' ').at(-1));
    expect(names.sort()).toEqual(['a', 'b']);
  });
});
