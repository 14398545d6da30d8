/**
 * Every real IaC and inventory file in ../shared/data is read without a crash. The only files
 * that error are Helm templates, which are not YAML until rendered, and the report says so; the
 * only files no reader claims hold no resources at all.
 */

import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

function filesUnder(dir: string): number {
  return readdirSync(shared(dir), { recursive: true, withFileTypes: true }).filter((e) =>
    e.isFile(),
  ).length;
}

describe('real inputs under ../shared/data', () => {
  it('reads every IaC file; only Helm templates error, with the reason', async () => {
    const { files, resources } = await readPaths([shared('iac')]);
    expect(files).toHaveLength(filesUnder('iac'));
    const errored = files.filter((f) => f.error);
    expect(errored.map((f) => f.file.replace(/.*\/iac\//, '')).sort()).toEqual([
      'kubernetes-goat/scenarios/metadata-db/templates/deployment.yaml',
      'kubernetes-goat/scenarios/metadata-db/templates/ingress.yaml',
      'kubernetes-goat/scenarios/metadata-db/templates/tests/test-connection.yaml',
    ]);
    for (const f of errored) {
      expect(f.error!.code).toBe('UNSUPPORTED_TEMPLATE');
      expect(f.error!.message).toContain('helm template');
    }
    const unclaimed = files
      .filter((f) => f.kind === 'unrecognised')
      .map((f) => f.file.replace(/.*\/iac\//, ''));
    expect(unclaimed.sort()).toEqual([
      'kubernetes-goat/infrastructure/helm-tiller/pwnchart/Chart.yaml',
      'kubernetes-goat/infrastructure/helm-tiller/pwnchart/values.yaml',
      'kubernetes-goat/infrastructure/poor-registry/config.yml',
      'kubernetes-goat/scenarios/metadata-db/Chart.yaml',
      'kubernetes-goat/scenarios/metadata-db/values.yaml',
    ]);
    const byKind = (kind: string) => files.filter((f) => f.kind === kind).length;
    expect(byKind('terraform')).toBe(35);
    expect(byKind('cloudformation')).toBe(22);
    expect(byKind('arm')).toBe(11);
    expect(resources.length).toBeGreaterThan(300);
  });

  it('reads every cloud inventory export; the two unclaimed files hold no resource', async () => {
    const { files, resources } = await readPaths([shared('cloud-inventory')]);
    expect(files).toHaveLength(filesUnder('cloud-inventory'));
    expect(files.filter((f) => f.error)).toEqual([]);
    const unclaimed = files
      .filter((f) => f.kind === 'unrecognised')
      .map((f) => f.file.replace(/.*\//, ''));
    // A CloudTrail event in an EventBridge envelope, and a Config rule's scheduled notification.
    expect(unclaimed.sort()).toEqual(['event-cloudsearch.json', 'poll-evaluation.json']);
    for (const cloud of ['aws', 'azure', 'gcp']) {
      expect(resources.filter((r) => r.cloud === cloud).length, cloud).toBeGreaterThan(20);
    }
  });
});
