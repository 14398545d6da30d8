import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { configItems } from '../../../src/sources/aws/aws-config-reader.js';
import { configShape } from '../../../src/sources/aws/aws-config-shape.js';
import { shared } from '../../support/paths.js';

const ITEM = shared('cloud-inventory/aws/cloud-custodian-config-items/s3-rep-and-notify.json');

/** The real bucket's configuration item, as an export holding it several times would. */
function bucketItem(): Record<string, unknown> {
  const [item] = configItems(JSON.parse(readFileSync(ITEM, 'utf8')));
  return item;
}

function shapeOf(item: Record<string, unknown>): Record<string, unknown> {
  return configShape(
    'AWS::S3::Bucket',
    item.configuration,
    item.supplementaryConfiguration,
    String(item.resourceName),
  );
}

afterEach(() => vi.restoreAllMocks());

describe('S3 configuration texts repeated across buckets', () => {
  it('parses an ACL, versioning and logging text that many buckets repeat once', () => {
    const item = bucketItem();
    const supplementary = item.supplementaryConfiguration as Record<string, string>;
    // A text no other test reads, so it has not been seen before.
    const acl = supplementary.AccessControlList.replace('FullControl', 'Read');
    const spy = vi.spyOn(JSON, 'parse');
    const buckets = Array.from({ length: 5 }, () =>
      shapeOf({
        ...item,
        supplementaryConfiguration: { ...supplementary, AccessControlList: acl },
      }),
    );
    const aclParses = spy.mock.calls.filter(([text]) => text === acl.trim()).length;
    expect(aclParses).toBe(1);

    const [first, ...others] = buckets;
    expect((first.Acl as { Grants: { Permission: string }[] }).Grants[0].Permission).toBe('READ');
    for (const other of others) {
      expect(other).toEqual(first);
      // Each bucket owns its shape: nothing is shared that a change to one would change in all.
      expect(other.Acl).not.toBe(first.Acl);
      expect(other.Versioning).not.toBe(first.Versioning);
      expect(other.Logging).not.toBe(first.Logging);
    }
  });

  it('keeps a repeated configuration text that is not JSON out of every bucket', () => {
    const item = bucketItem();
    const supplementary = item.supplementaryConfiguration as Record<string, string>;
    const broken = supplementary.BucketNotificationConfiguration.slice(0, -1);
    const shapes = [1, 2].map(() =>
      shapeOf({
        ...item,
        supplementaryConfiguration: { ...supplementary, BucketNotificationConfiguration: broken },
      }),
    );
    for (const shape of shapes)
      expect(Object.keys(shape)).not.toContain('NotificationConfiguration');
    expect(Object.keys(shapeOf(item))).toContain('NotificationConfiguration');
  });
});
