/**
 * One resource, two forms: Terraform that mirrors a real inventory record, and the record itself.
 * Every GCP rule for the resource's type must reach the same verdict on both.
 */

import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const INVENTORY = 'cloud-inventory/gcp/';
const PAIRS = [
  {
    address: 'google_compute_firewall.test',
    record: `${INVENTORY}cloud-custodian-flights/firewall-modify/get-compute-v1-projects-cloud-custodian-global-firewalls_1.json`,
    id: '//compute.googleapis.com/projects/cloud-custodian/global/firewalls/test',
  },
  {
    address: 'google_compute_instance.test_jumphost',
    record: `${INVENTORY}policy-library-cai-assets/compute_enable_oslogin__compute__instance_violation.json`,
    id: '//compute.googleapis.com/projects/my-test-project/zones/us-central1-f/instances/test-jumphost',
  },
  {
    address: 'google_compute_subnetwork.bad',
    record: `${INVENTORY}policy-library-cai-assets/network_enable_flow_logs.json`,
    id: '//compute.googleapis.com/projects/pso-cicd8/regions/us-west1/subnetworks/bad',
  },
  {
    address: 'google_sql_database_instance.cloudsql_instance_1_valid',
    record: `${INVENTORY}policy-library-cai-assets/allowed_resource_types.json`,
    id: '//cloudsql.googleapis.com/projects/my-test-project/instances/cloudsql-instance-1-valid',
  },
  {
    address: 'google_container_cluster.private_endpoint_restricted',
    record: `${INVENTORY}policy-library-cai-assets/gke_master_authorized_networks_enabled.json`,
    id: '//container.googleapis.com/projects/gkeexposure/zones/us-central1-c/clusters/private-endpoint-restricted',
  },
  {
    address: 'google_container_node_pool.default_pool',
    record: `${INVENTORY}policy-library-cai-assets/gke_master_authorized_networks_enabled.json`,
    id: '//container.googleapis.com/projects/gkeexposure/zones/us-central1-c/clusters/private-endpoint-restricted/nodePools/default-pool',
  },
];

const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'gcp'));
const terraform = (await readPaths([`${REPO_ROOT}test/fixtures/gcp/mirror`])).resources;

/** Rule id -> status for one resource, judged alone. */
function verdicts(resource: Resource): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of evaluate(compiled, [resource])) out[f.ruleId] = f.status;
  return out;
}

describe('GCP rules judge Terraform and inventory forms of a resource alike', () => {
  for (const pair of PAIRS) {
    it(`${pair.address} and its inventory record get the same verdicts`, async () => {
      const iac = terraform.find((r) => r.source.address === pair.address);
      const record = (await readPaths([shared(pair.record)])).resources.find(
        (r) => r.id === pair.id,
      );
      expect(iac, pair.address).toBeDefined();
      expect(record, pair.id).toBeDefined();
      expect(iac!.type).toBe(record!.type);

      const fromIac = verdicts(iac!);
      const fromInventory = verdicts(record!);
      expect(Object.keys(fromIac).length).toBeGreaterThan(0);
      expect(fromIac).toEqual(fromInventory);
      expect(
        Object.values(fromIac).every((s) => s === 'pass' || s === 'fail' || s === 'not_applicable'),
      ).toBe(true);
    });
  }
});
