/** Named files are read one ahead: each file's verdict and error still come in its turn. */

import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OUTSIDE, readPaths, readPathsByUnit } from '../../src/sources/read-paths.js';
import type { Reader } from '../../src/sources/reader.js';

const work = realpathSync(mkdtempSync(join(tmpdir(), 'palisade-read-ahead-')));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const config = join(work, 'a-config.json');
writeFileSync(
  config,
  JSON.stringify({
    configurationItems: [
      { resourceType: 'AWS::S3::Bucket', resourceId: 'logs', configuration: { name: 'logs' } },
    ],
  }),
);
const refused = join(work, 'b-refused.json');
writeFileSync(refused, '{}');
const assets = join(work, 'c-assets.json');
writeFileSync(
  assets,
  JSON.stringify([
    {
      name: '//storage.googleapis.com/projects/p/buckets/b',
      asset_type: 'storage.googleapis.com/Bucket',
      resource: { data: { name: 'b' } },
    },
  ]),
);

/** Accepts every path when the files are listed, then refuses `refused` when it is opened. */
function refusingOnRead(): (real: string) => boolean {
  let seen = 0;
  return (real) => real !== refused || (seen += 1) === 1;
}

describe('reading named files ahead', () => {
  it("reports each file in its turn, a refused one's error included", async () => {
    const read = await readPaths([config, refused, assets], { allow: refusingOnRead() });
    expect(read.files.map((f) => f.kind)).toEqual(['aws-config', 'error', 'gcp-asset-inventory']);
    expect(read.files[1].error?.message).toBe(`${relative(process.cwd(), refused)}: ${OUTSIDE}`);
    expect(read.resources.map((r) => r.name)).toEqual(['logs', 'b']);
  });

  it('leaves no failed read unheard when the caller stops before its turn', async () => {
    const unheard: unknown[] = [];
    const listen = (reason: unknown) => unheard.push(reason);
    process.on('unhandledRejection', listen);
    try {
      for await (const unit of readPathsByUnit([config, refused], { allow: refusingOnRead() })) {
        expect(unit.files[0].kind).toBe('aws-config');
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', listen);
    }
    expect(unheard).toEqual([]);
  });

  it('reads a file to its end when it holds more than its measured size', async () => {
    // Linux measures /proc files as empty; their text is there all the same.
    const echo: Reader = {
      kind: 'aws-config',
      detect: () => true,
      read: (file) => ({ resources: [], warnings: [file.text] }),
    };
    const read = await readPaths(['/proc/self/mountinfo'], { fileReaders: [echo] });
    expect(read.warnings[0]).toBe(readFileSync('/proc/self/mountinfo', 'utf8'));
    expect(read.warnings[0].length).toBeGreaterThan(0);
  });
});
