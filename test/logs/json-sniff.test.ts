/**
 * A text that mentions a JSON log format's keys (a README, the data manifest) is no JSON log:
 * it used to be claimed by the CloudTrail reader and reported as broken JSON, failing the run.
 */

import { describe, expect, it } from 'vitest';
import { LogReadError } from '../../src/logs/log-read-error.js';
import { readLogs } from '../../src/logs/read-logs.js';
import { dataPath } from './shared-data.js';

async function codesOf(path: string): Promise<string[]> {
  const codes: string[] = [];
  for await (const item of readLogs([path]))
    if (item instanceof LogReadError) codes.push(item.code);
  return codes;
}

describe('JSON log sniffing', () => {
  it("skips the shared data's manifest, which quotes CloudTrail's keys, as no log", async () => {
    expect(await codesOf(dataPath('MANIFEST.md'))).toEqual(['UNSUPPORTED_FORMAT']);
  });

  it('still reads CloudTrail that opens with white space or a byte-order mark', async () => {
    const record =
      '{"Records":[{"eventVersion":"1.08","eventTime":"2023-07-10T11:45:02Z","eventName":"ListBuckets","eventSource":"s3.amazonaws.com","awsRegion":"us-east-1","sourceIPAddress":"203.0.113.7","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::1:user/a","accountId":"1"}}]}';
    for (const text of [`\n  ${record}`, `\uFEFF${record}`]) {
      const items = [];
      for await (const item of readLogs('-', {
        stdin: (async function* () {
          yield text;
        })(),
      }))
        items.push(item);
      expect(items.filter((i) => i instanceof LogReadError)).toEqual([]);
      expect(items).toHaveLength(1);
    }
  });
});
