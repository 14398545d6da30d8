/**
 * The same Azure resource written as Terraform (test/fixtures/azure/mirror, mirroring recorded
 * ARM responses) and read from the recorded inventory gets the same verdict from every rule.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const CASSETTES = 'cloud-inventory/azure/cloud-custodian-cassettes/';

/** Inventory file, ARM type, and the resource's name in both forms. */
const PAIRS: { file: string; type: string; name: string }[] = [
  {
    file: 'StorageTest.test_storage_settings_require_secure_transfer_min_tls_version.json',
    type: 'Microsoft.Storage/storageAccounts',
    name: 'cctstoragevbnu36vrszu5c',
  },
  {
    file: 'NetworkSecurityGroupFlowLogsFilterTest.test_flow_log_filter_all.json',
    type: 'Microsoft.Network/networkSecurityGroups',
    name: 'c7n-nsg',
  },
  {
    file: 'NetworkSecurityGroupFlowLogsFilterTest.test_flow_log_filter_all.json',
    type: 'Microsoft.Network/networkWatchers/flowLogs',
    name: 'b90898c96b6945298b451436',
  },
  {
    file: 'KeyVaultTest.common.json',
    type: 'Microsoft.KeyVault/vaults',
    name: 'cckeyvault1yghq6zt4ewg2e',
  },
  {
    file: 'VMTest.virtual_machine_instance.json',
    type: 'Microsoft.Compute/virtualMachines',
    name: 'cctestvm',
  },
  {
    file: 'AksTest.test_find_aks_by_name.json',
    type: 'Microsoft.ContainerService/managedClusters',
    name: 'cctestaks',
  },
  {
    file: 'DiskTest.test_find_by_name.json',
    type: 'Microsoft.Compute/disks',
    name: 'cctestvm_disk2_a9097edcfa664ff48c8e88e87d72003e',
  },
  {
    file: 'SqlServerTest.firewall.json',
    type: 'Microsoft.Sql/servers/firewallRules',
    name: '1.2.2.128s25',
  },
  {
    file: 'SqlServerTest.firewall.json',
    type: 'Microsoft.Sql/servers/firewallRules',
    name: 'AllowAllWindowsAzureIps',
  },
];

/** Rules that judge only code (applies_if on the source): live resources are not applicable. */
const IAC_ONLY = new Set(['azure-iac-no-literal-secrets']);

const compiled = compileRules(
  (await loadRules()).filter((r) => r.cloud === 'azure' && !IAC_ONLY.has(r.id)),
);
const iac = (await readPaths([resolve(REPO_ROOT, 'test/fixtures/azure/mirror')])).resources;

function pick(resources: Resource[], type: string, name: string): Resource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0];
}

function verdicts(resource: Resource, all: Resource[]): Record<string, string> {
  const findings = evaluate(compiled, all).filter(
    (f) => f.resourceId === resource.id && f.resourceType === resource.type,
  );
  return Object.fromEntries(findings.map((f) => [f.ruleId, f.status]));
}

describe('Azure IaC and inventory forms of one resource', () => {
  for (const pair of PAIRS) {
    it(`judges ${pair.type} ${pair.name} alike from Terraform and from ${pair.file}`, async () => {
      const inventory = (await readPaths([shared(CASSETTES + pair.file)])).resources;
      const live = verdicts(pick(inventory, pair.type, pair.name), inventory);
      const declared = verdicts(pick(iac, pair.type, pair.name), iac);

      expect(Object.keys(live).length, 'rules judged the resource').toBeGreaterThan(0);
      expect(declared).toEqual(live);
    });
  }

  it('covers at least five resource types with both passing and failing verdicts', async () => {
    expect(new Set(PAIRS.map((p) => p.type)).size).toBeGreaterThanOrEqual(5);
    const statuses = new Set<string>();
    for (const pair of PAIRS) {
      for (const s of Object.values(verdicts(pick(iac, pair.type, pair.name), iac)))
        statuses.add(s);
    }
    expect(statuses).toContain('pass');
    expect(statuses).toContain('fail');
  });
});
