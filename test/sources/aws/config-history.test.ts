import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../../src/sources/read-paths.js';
import { assessPaths, writeFolder } from '../../support/assess-files.js';

/**
 * AWS Config records a resource once per change: history files list its items newest first and
 * snapshots come once a day. A scan of several must judge the resource as the latest item says,
 * whatever order the files or items come in, and not at all once a deletion is the latest.
 */

const BUCKET = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/aws/cloud-custodian-config-items/s3.json',
);
const VERSIONING = 'aws-s3-bucket-versioning-enabled';

/** The shared bucket item as of `time`, with its versioning status and tags. */
function bucketAt(
  time: string,
  versioning: 'Enabled' | 'Off',
  tags: Record<string, string>,
): Record<string, unknown> {
  const item = JSON.parse(readFileSync(BUCKET, 'utf8')) as Record<string, any>;
  item.configurationItemCaptureTime = time;
  item.supplementaryConfiguration.BucketVersioningConfiguration = JSON.stringify({
    status: versioning,
    isMfaDeleteEnabled: null,
  });
  item.tags = tags;
  return item;
}

function deletedAt(
  time: string,
  status: 'ResourceDeleted' | 'ResourceDeletedNotRecorded' = 'ResourceDeleted',
): Record<string, unknown> {
  const item = JSON.parse(readFileSync(BUCKET, 'utf8')) as Record<string, any>;
  return {
    ...item,
    configurationItemCaptureTime: time,
    configurationItemStatus: status,
    configuration: null,
    supplementaryConfiguration: {},
    tags: {},
  };
}

/** A folder of Config snapshot files, each holding `items`. */
function folder(files: Record<string, Record<string, unknown>[]>): string {
  return writeFolder(
    Object.fromEntries(
      Object.entries(files).map(([name, items]) => [
        name,
        { fileVersion: '1.0', configurationItems: items },
      ]),
    ),
  );
}

async function versioningVerdicts(dir: string): Promise<string[]> {
  const result = await assessPaths([dir]);
  return result.findings.filter((f) => f.ruleId === VERSIONING).map((f) => f.status);
}

describe('AWS Config items of one resource at several times', () => {
  it('judges the later snapshot when an older one sorts after it', async () => {
    const dir = folder({
      // The newer snapshot's file sorts first: file order must not decide.
      'a-snapshot.json': [bucketAt('2017-02-04T06:10:33.880000-05:00', 'Off', { Planet: 'Earth' })],
      'b-snapshot.json': [
        bucketAt('2017-01-01T00:00:00.000Z', 'Enabled', { Planet: 'Earth', Owner: 'gone' }),
      ],
    });
    expect(await versioningVerdicts(dir)).toEqual(['fail']);
    const { resources } = await readPaths([dir]);
    expect(resources).toHaveLength(1);
    // Tags are the later item's: a tag removed since is not kept.
    expect(resources[0]!.tags).toEqual({ Planet: 'Earth' });
  });

  it('reads a history file newest first as the newest item says', async () => {
    const dir = folder({
      'history.json': [
        bucketAt('2017-03-01T00:00:00Z', 'Enabled', {}),
        bucketAt('2017-02-01T00:00:00Z', 'Off', {}),
        bucketAt('2017-01-01T00:00:00Z', 'Off', {}),
      ],
    });
    expect(await versioningVerdicts(dir)).toEqual(['pass']);
  });

  it('drops a resource whose latest item is its deletion, in the same file or another', async () => {
    const sameFile = folder({
      'history.json': [
        deletedAt('2017-03-01T00:00:00Z'),
        bucketAt('2017-02-01T00:00:00Z', 'Off', {}),
      ],
    });
    const read = await readPaths([sameFile]);
    expect(read.resources).toHaveLength(0);
    expect(read.files.map((f) => f.resources)).toEqual([0]);
    expect(await versioningVerdicts(sameFile)).toEqual([]);

    const otherFile = folder({
      'a-deleted.json': [deletedAt('2017-03-01T00:00:00Z')],
      'b-snapshot.json': [bucketAt('2017-02-01T00:00:00Z', 'Off', {})],
    });
    expect(await versioningVerdicts(otherFile)).toEqual([]);

    // Config's status for a deletion of a type it had stopped recording.
    const unrecorded = folder({
      'history.json': [
        deletedAt('2017-03-01T00:00:00Z', 'ResourceDeletedNotRecorded'),
        bucketAt('2017-02-01T00:00:00Z', 'Off', {}),
      ],
    });
    expect(await versioningVerdicts(unrecorded)).toEqual([]);
  });

  it('keeps a resource created again after its deletion', async () => {
    const dir = folder({
      'history.json': [
        bucketAt('2017-04-01T00:00:00Z', 'Enabled', {}),
        deletedAt('2017-03-01T00:00:00Z'),
        bucketAt('2017-02-01T00:00:00Z', 'Off', {}),
      ],
    });
    expect(await versioningVerdicts(dir)).toEqual(['pass']);
  });
});
