/**
 * Terragoat's GCP folder, read by the real Terraform reader and judged by the bundled GCP rules:
 * every weakness listed in test/fixtures/gcp/expected-terragoat.yaml must be caught.
 */

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const expected = parse(
  readFileSync(join(REPO_ROOT, 'test/fixtures/gcp/expected-terragoat.yaml'), 'utf8'),
) as Record<string, string[]>;
const rules = (await loadRules()).filter((r) => r.cloud === 'gcp');
const { resources } = await readPaths([shared('iac/terragoat/terraform/gcp')]);
const findings = evaluate(compileRules(rules), resources);

describe('GCP rules on terragoat', () => {
  it('reads every google_* resource terragoat declares', () => {
    const addresses = resources
      .filter((r) => r.cloud === 'gcp')
      .map((r) => r.source.address)
      .sort();
    expect(addresses).toEqual([
      'google_compute_disk.unencrypted_disk',
      'google_compute_firewall.allow_all',
      'google_compute_instance.server',
      'google_compute_network.vpc',
      'google_compute_subnetwork.public-subnetwork',
      'google_storage_bucket.terragoat_website',
    ]);
  });

  for (const [file, ruleIds] of Object.entries(expected)) {
    it(`catches what ${file} is built to get wrong`, () => {
      const failed = new Set(
        findings
          .filter((f) => f.status === 'fail' && basename(f.file ?? '') === file)
          .map((f) => f.ruleId),
      );
      expect(ruleIds.filter((id) => !failed.has(id))).toEqual([]);
    });
  }

  it('passes terragoat where it is not vulnerable (a custom-mode VPC network)', () => {
    const network = findings.filter((f) => f.resourceType === 'compute.googleapis.com/Network');
    expect(network.map((f) => [f.ruleId, f.status]).sort()).toEqual([
      ['gcp-compute-network-not-default', 'pass'],
      ['gcp-compute-network-not-legacy', 'pass'],
    ]);
  });
});
