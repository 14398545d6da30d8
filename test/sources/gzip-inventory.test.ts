import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { MAX_FILE_BYTES, readPaths } from '../../src/sources/read-paths.js';

/**
 * AWS Config delivers snapshots and history to S3 as `.json.gz`: a folder synced from the
 * delivery bucket is read as the JSON it holds, within the same size limit as plain files.
 */

const ITEM = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/aws/cloud-custodian-config-items/s3.json',
);

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'palisade-gzip-'));
}

describe('gzipped inventory files', () => {
  it('reads a gzipped Config snapshot found in a folder, naming the .gz file', async () => {
    const dir = tempDir();
    const snapshot = {
      fileVersion: '1.0',
      configSnapshotId: 'gz',
      configurationItems: [JSON.parse(readFileSync(ITEM, 'utf8'))],
    };
    const name = '123456789012_Config_us-east-1_ConfigSnapshot_20170204T111033Z_gz.json.gz';
    writeFileSync(path.join(dir, name), gzipSync(JSON.stringify(snapshot)));

    const read = await readPaths([dir]);
    expect(read.files).toHaveLength(1);
    expect(read.files[0]).toMatchObject({ kind: 'aws-config', resources: 1 });
    expect(read.files[0]!.file.endsWith(name)).toBe(true);
    expect(read.resources).toHaveLength(1);
    expect(read.resources[0]).toMatchObject({
      type: 'AWS::S3::Bucket',
      name: 'config-rule-sanity',
    });
    expect(read.resources[0]!.source.file!.endsWith(name)).toBe(true);
  });

  it('reports gzip data that is broken as the file it is in, and goes on', async () => {
    const dir = tempDir();
    const whole = gzipSync(readFileSync(ITEM));
    writeFileSync(path.join(dir, 'a-broken.json.gz'), whole.subarray(0, whole.length / 2));
    writeFileSync(path.join(dir, 'b-plain.json'), readFileSync(ITEM));

    const read = await readPaths([dir]);
    const broken = read.files.find((f) => f.file.endsWith('a-broken.json.gz'))!;
    expect(broken.kind).toBe('error');
    expect(broken.error!.message).toMatch(/gzip/);
    expect(read.resources.map((r) => r.name)).toEqual(['config-rule-sanity']);
  });

  it('refuses gzip data that inflates past the size limit without holding it all', async () => {
    const dir = tempDir();
    // Gzip members joined are one gzip file: 16 MiB of zeros a member, past the limit in all.
    const member = gzipSync(Buffer.alloc(16 * 1024 * 1024));
    const members = Math.ceil(MAX_FILE_BYTES / (16 * 1024 * 1024)) + 1;
    writeFileSync(
      path.join(dir, 'bomb.json.gz'),
      Buffer.concat(Array.from({ length: members }, () => member)),
    );

    const read = await readPaths([dir]);
    expect(read.files).toHaveLength(1);
    expect(read.files[0]!.kind).toBe('error');
    expect(read.files[0]!.error).toMatchObject({ code: 'TOO_LARGE' });
    expect(read.files[0]!.error!.message).toMatch(/gzip data holding more than/);
  });
});
