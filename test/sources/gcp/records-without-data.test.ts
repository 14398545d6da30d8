import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessStream } from '../../../src/posture/assess-stream.js';
import { assessPaths, defaultRules, writeFolder as folder } from '../../support/assess-files.js';

/**
 * Cloud Asset Inventory writes an asset's settings only when asked for them (`--content-type
 * resource`); a plain `gcloud asset list` or an IAM-policy export names the asset and nothing
 * of its settings. Those records cannot be judged on settings they do not hold; an IAM-policy
 * record and a resource record of one asset together are judged on both.
 */

const CAI = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/gcp/policy-library-cai-assets',
);

type Asset = Record<string, any>;

function assets(file: string): Asset[] {
  return JSON.parse(readFileSync(path.join(CAI, file), 'utf8')) as Asset[];
}

describe('Cloud Asset Inventory records without resource data', () => {
  it('are not judged on settings the export left out, and the scan says why', async () => {
    const full = assets('sql_allowed_authorized_networks.json');
    const named = full.map(({ resource: _left, ...rest }) => rest);

    const judged = await assessPaths([folder({ 'full.json': full })]);
    const sql = (r: typeof judged) => r.findings.filter((f) => f.ruleId.startsWith('gcp-sql-'));
    expect(sql(judged).some((f) => f.status === 'fail')).toBe(true);

    const listed = await assessPaths([folder({ 'list.json': named })]);
    expect(sql(listed).length).toBe(sql(judged).length);
    expect(sql(listed).map((f) => f.status)).toEqual(sql(listed).map(() => 'not_applicable'));
    expect(sql(listed)[0]!.message).toMatch(/is unknown \(not in the inventory that was read\)/);
    expect(listed.warnings.join('\n')).toMatch(/2 asset record\(s\) carry no resource data/);
  });

  it('judges a bucket on its IAM-policy record and its resource record together', async () => {
    // The shared IAM-policy export of my-test-bucket (allUsers can read it), and a resource
    // record for it built from another shared bucket, its versioning never set.
    const policy = assets('storage_bucket_world_readable.json').filter(
      (a) => a.name === '//storage.googleapis.com/my-test-bucket',
    );
    expect(policy).toHaveLength(1);
    const data = structuredClone(
      assets('enforce_labels__buckets.json').find(
        (a) => a.name === '//storage.googleapis.com/bucket-with-valid-labels',
      )!,
    );
    data.name = '//storage.googleapis.com/my-test-bucket';
    data.resource.data.name = 'my-test-bucket';
    data.resource.data.id = 'my-test-bucket';
    delete data.resource.data.versioning;

    const result = await assessPaths([
      folder({ 'a-policy.json': policy, 'b-resource.json': [data] }),
    ]);
    const status = (id: string) => result.findings.find((f) => f.ruleId === id)?.status;
    expect(result.counts.resources).toBe(1);
    // Versioning absent from a record that holds the data is versioning not set.
    expect(status('gcp-storage-bucket-versioning-enabled')).toBe('fail');
    expect(status('gcp-storage-bucket-not-public')).toBe('fail');
    expect(result.warnings.join('\n')).not.toMatch(/carry no resource data/);
  });

  it('are not warned of when a record with the data of the same asset is read too', async () => {
    const full = assets('sql_allowed_authorized_networks.json');
    const named = full.map(({ resource: _left, ...rest }) => rest);
    const alone = await assessPaths([folder({ 'full.json': full })]);
    const verdicts = (r: typeof alone) =>
      r.findings
        .filter((f) => f.ruleId.startsWith('gcp-sql-'))
        .map((f) => `${f.resourceId} ${f.ruleId} ${f.status}`)
        .sort();
    for (const files of [
      { 'a-list.json': named, 'b-full.json': full },
      { 'a-full.json': full, 'b-list.json': named },
      // One NDJSON export holding both records of each asset: what the streamed scan merges too.
      { 'both.ndjson': [...named, ...full].map((a) => JSON.stringify(a)).join('\n') },
    ]) {
      const result = await assessPaths([folder(files)]);
      expect(result.counts.resources).toBe(full.length);
      expect(verdicts(result)).toEqual(verdicts(alone));
      expect(verdicts(result).some((v) => v.endsWith(' fail'))).toBe(true);
      expect(result.warnings.join('\n')).not.toMatch(/carry no resource data/);
    }
  });

  it('still warn of a record no other file fills in, naming its file', async () => {
    const full = assets('sql_allowed_authorized_networks.json');
    expect(full).toHaveLength(2);
    const named = full.map(({ resource: _left, ...rest }) => rest);
    const result = await assessPaths([folder({ 'a-list.json': named, 'b-full.json': [full[0]] })]);
    const sql = (id: string) =>
      result.findings.filter((f) => f.resourceId === id && f.ruleId.startsWith('gcp-sql-'));
    expect(sql(full[0].name).some((f) => f.status === 'pass' || f.status === 'fail')).toBe(true);
    expect(sql(full[1].name).every((f) => f.status === 'not_applicable')).toBe(true);
    const warnings = result.warnings.filter((w) => /carry no resource data/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/a-list\.json: 1 asset record\(s\) carry no resource data/);
  });

  it('are warned of by the streamed scan as by the whole one', async () => {
    const { rules, compiled } = await defaultRules();
    const full = assets('sql_allowed_authorized_networks.json');
    const named = full.map(({ resource: _left, ...rest }) => rest);
    const line = (a: Asset) => JSON.stringify(a);
    const dir = folder({
      // Both records of the first asset in one file: merged, judged, not warned of.
      'a-export.ndjson': [named[0], full[0], named[1]].map(line).join('\n'),
    });
    const streamed = await assessStream({ paths: [dir], rules, compiled });
    expect(streamed.counts.resources).toBe(2);
    const warnings = streamed.warnings.filter((w) => /carry no resource data/.test(w));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/a-export\.ndjson: 1 asset record\(s\) carry no resource data/);
  });
});
