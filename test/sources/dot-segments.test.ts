/**
 * A folder named with `..` or `.` segments (`infra/prod/../prod`, as scripts build paths) reads as
 * the folder it names: its Terraform was read as no files at all, and `check` stopped at "no
 * resources found" while the same folder named plainly was judged.
 */

import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';

const root = mkdtempSync(join(tmpdir(), 'palisade-dot-segments-'));
mkdirSync(join(root, 'infra', 'prod'), { recursive: true });
writeFileSync(
  join(root, 'infra', 'prod', 'main.tf'),
  'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n',
);

describe('paths with dot segments', () => {
  it.each(['infra/prod/../prod', './infra//prod/', 'infra/./prod', 'infra/prod/../prod/main.tf'])(
    'read %s as the folder or file it names',
    async (path) => {
      // Joined by hand: path.join would take the segments out before Palisade sees them.
      const read = await readPaths([`${root}/${path}`]);
      expect(read.files.map((f) => [f.kind, f.error?.code])).toEqual([['terraform', undefined]]);
      expect(read.resources.map((r) => r.name)).toEqual(['logs']);
    },
  );
});
