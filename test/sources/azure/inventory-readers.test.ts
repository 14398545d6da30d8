/** The Azure inventory readers on every recorded Azure file in ../shared/data and on small exports. */

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { armInventoryReader } from '../../../src/sources/azure/arm-inventory-reader.js';
import { azureReaders } from '../../../src/sources/azure/index.js';
import { resourceGraphReader } from '../../../src/sources/azure/resource-graph-reader.js';
import type { SourceFile } from '../../../src/sources/reader.js';
import { shared } from '../../support/paths.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) =>
    statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)],
  );

const AZURE_FILES = [...walk(shared('cloud-inventory/azure')), ...walk(shared('findings/azure'))];
const CASSETTES = 'cloud-inventory/azure/cloud-custodian-cassettes/';

function fileAt(path: string): SourceFile {
  return { path, text: readFileSync(path, 'utf8') };
}

async function readShared(relative: string): Promise<Resource[]> {
  const file = fileAt(shared(relative));
  const reader = azureReaders.find((r) => r.detect(file));
  expect(reader, `a reader claims ${relative}`).toBeDefined();
  return (await reader!.read(file)).resources;
}

function one(resources: Resource[], type: string, name: string): Resource {
  const found = resources.filter((r) => r.type === type && r.name === name);
  expect(found, `${type} ${name}`).toHaveLength(1);
  return found[0];
}

describe('Azure inventory readers on shared data', () => {
  it.each(AZURE_FILES.map((f) => [f.split('/azure/')[1], f]))(
    'reads %s into Azure resources',
    async (_name, path) => {
      const file = fileAt(path);
      const reader = azureReaders.find((r) => r.detect(file));
      expect(reader).toBeDefined();
      const { resources } = await reader!.read(file);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.cloud).toBe('azure');
        expect(r.type).toMatch(/^Microsoft\.[A-Za-z]+\/[A-Za-z]/);
        expect(r.id).toMatch(/\/providers\//i);
        expect(r.source).toMatchObject({ kind: 'azure-arm', file: path });
      }
    },
  );

  it('normalises AKS type casing, parses the subscription and keeps the ARM body', async () => {
    const aks = one(
      await readShared(CASSETTES + 'AksTest.test_find_aks_by_name.json'),
      'Microsoft.ContainerService/managedClusters',
      'cctestaks',
    );
    expect(aks.account).toBe('ea42f556-5106-4743-99b0-c129bfa71a47');
    expect(aks.region).toBe('westus2');
    expect(aks.properties.type).toBe('Microsoft.ContainerService/managedClusters');
    expect((aks.properties.properties as Record<string, unknown>).enableRBAC).toBe(true);
    expect(aks.unknown).toContain('children');
  });

  it('takes the state after a PATCH when a cassette GETs the same account twice', async () => {
    const resources = await readShared(
      CASSETTES + 'StorageTest.test_storage_settings_require_secure_transfer_min_tls_version.json',
    );
    const account = one(resources, 'Microsoft.Storage/storageAccounts', 'cctstoragevbnu36vrszu5c');
    expect(resources).toHaveLength(1);
    expect((account.properties.properties as Record<string, unknown>).minimumTlsVersion).toBe(
      'TLS1_2',
    );
  });

  it('reads VCR bodies recorded as JSON strings and folds firewall rules under the server', async () => {
    const resources = await readShared(CASSETTES + 'SqlServerTest.firewall.json');
    const server = one(resources, 'Microsoft.Sql/servers', 'cctestsqlserverj6y6cbbtaphs4');
    const rules = (server.properties.children as Record<string, Record<string, unknown>[]>)
      .firewallRules;
    expect(rules.map((r) => r.name).sort()).toEqual(['1.2.2.128s25', 'AllowAllWindowsAzureIps']);
    expect(server.unknown).toEqual(
      expect.arrayContaining(['children.auditingSettings', 'children.securityAlertPolicies']),
    );
    expect(server.unknown).not.toContain('children.firewallRules');
    const rule = one(resources, 'Microsoft.Sql/servers/firewallRules', 'AllowAllWindowsAzureIps');
    expect((rule.properties.properties as Record<string, unknown>).endIpAddress).toBe('0.0.0.0');
  });

  it('folds auditing settings under the SQL server and keeps them as a resource', async () => {
    const resources = await readShared(CASSETTES + 'SqlServerTest.auditing.json');
    const server = one(resources, 'Microsoft.Sql/servers', 'cctestsqlserverotx7agz44aofe');
    const audit = (server.properties.children as Record<string, Record<string, any>[]>)
      .auditingSettings;
    expect(audit[0].properties.state).toBe('Enabled');
    one(resources, 'Microsoft.Sql/servers/auditingSettings', 'Default');
  });

  it('emits a partial network watcher that carries the flow log it owns', async () => {
    const resources = await readShared(
      CASSETTES + 'NetworkSecurityGroupFlowLogsFilterTest.test_flow_log_filter_all.json',
    );
    const flowLog = one(
      resources,
      'Microsoft.Network/networkWatchers/flowLogs',
      'b90898c96b6945298b451436',
    );
    expect(flowLog.relationships).toContainEqual({
      kind: 'references',
      target: expect.stringContaining('networkSecurityGroups/c7n-nsg'),
    });
    const watcher = one(resources, 'Microsoft.Network/networkWatchers', 'b90898c96b6945298b451436');
    expect(watcher.unknown).toEqual(['properties']);
    expect((watcher.properties.children as Record<string, unknown[]>).flowLogs).toHaveLength(1);
  });

  it('reads every Defender plan, with its pricing tier', async () => {
    const plans = (
      await readShared(CASSETTES + 'DefenderTest.test_azure_defender_pricing.json')
    ).filter((r) => r.type === 'Microsoft.Security/pricings');
    expect(plans).toHaveLength(12);
    const containers = one(plans, 'Microsoft.Security/pricings', 'Containers');
    expect(containers.properties.properties).toMatchObject({ pricingTier: expect.any(String) });
  });

  it('ignores the Azure AD Graph call recorded beside the Key Vault calls', async () => {
    const resources = await readShared(CASSETTES + 'KeyVaultTest.test_whitelist.json');
    expect(resources.map((r) => r.type)).toEqual(['Microsoft.KeyVault/vaults']);
  });

  it('reads REST API spec examples through their 200 response', async () => {
    const nsg = one(
      await readShared(
        'cloud-inventory/azure/azure-rest-api-specs-examples/network-2024-05-01-NetworkSecurityGroupGet.json',
      ),
      'Microsoft.Network/networkSecurityGroups',
      'testnsg',
    );
    expect(nsg.account).toBe('subid');
    const rules = (nsg.properties.properties as Record<string, any>).securityRules;
    expect(rules[0].properties.destinationPortRange).toBe('80');
  });

  it('keeps VM to NIC and disk to VM relationships', async () => {
    const vm = one(
      await readShared(CASSETTES + 'VMTest.virtual_machine_instance.json'),
      'Microsoft.Compute/virtualMachines',
      'cctestvm',
    );
    expect(vm.relationships).toContainEqual({
      kind: 'attachedTo',
      target: expect.stringMatching(/networkInterfaces\/myVMNic$/),
    });
    expect((vm.properties.properties as Record<string, unknown>).instanceView).toBeDefined();
  });
});

describe('Azure Resource Graph reader', () => {
  const rows = [
    {
      id: '/subscriptions/1111/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/graphsa',
      name: 'graphsa',
      type: 'microsoft.storage/storageaccounts',
      location: 'westeurope',
      subscriptionId: '1111',
      resourceGroup: 'rg',
      tags: { env: 'prod', cost: 5 },
      sku: { name: 'Standard_LRS' },
      kind: 'StorageV2',
      properties: { minimumTlsVersion: 'TLS1_0' },
    },
    { name: 'projected-row-without-id', count_: 3 },
  ];

  it('reads `az graph query` output and normalises the lowercase graph type', async () => {
    const file = {
      path: 'graph.json',
      text: JSON.stringify({ count: 2, data: rows, skip_token: null }),
    };
    expect(resourceGraphReader.detect(file)).toBe(true);
    expect(armInventoryReader.detect(file)).toBe(false);
    const { resources, warnings } = await resourceGraphReader.read(file);
    expect(resources).toHaveLength(1);
    expect(resources[0]).toMatchObject({
      type: 'Microsoft.Storage/storageAccounts',
      account: '1111',
      region: 'westeurope',
      tags: { env: 'prod', cost: '5' },
      source: { kind: 'azure-resource-graph' },
    });
    expect(resources[0].properties).not.toHaveProperty('subscriptionId');
    expect(warnings?.[0]).toMatch(/1 row/);
  });

  it('reads a plain array of rows', async () => {
    const file = { path: 'rows.json', text: JSON.stringify(rows.slice(0, 1)) };
    expect(azureReaders.find((r) => r.detect(file))?.kind).toBe('azure-resource-graph');
    expect((await resourceGraphReader.read(file)).resources[0].name).toBe('graphsa');
  });
});

describe('ARM inventory reader errors and shapes', () => {
  it('reads a single GET body and a list response', async () => {
    const body = {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      location: 'West Europe',
      properties: {},
    };
    expect(
      (await armInventoryReader.read({ path: 'one.json', text: JSON.stringify(body) })).resources[0]
        .region,
    ).toBe('westeurope');
    const list = await armInventoryReader.read({
      path: 'list.json',
      text: JSON.stringify({ value: [body, { ...body, id: body.id + '2', name: 'kv2' }] }),
    });
    expect(list.resources.map((r) => r.name)).toEqual(['kv', 'kv2']);
  });

  it('does not claim ARM deployment templates', () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          id: '/subscriptions/x/providers/Microsoft.Storage/storageAccounts/a',
        },
      ],
    };
    expect(
      azureReaders.some((r) => r.detect({ path: 't.json', text: JSON.stringify(template) })),
    ).toBe(false);
  });

  it('claims a large list response from the head the scan sniffs first', () => {
    const body = {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv',
      name: 'kv',
      type: 'Microsoft.KeyVault/vaults',
      properties: {},
    };
    const text = JSON.stringify({ value: [body, { ...body, id: `${body.id}2`, name: 'kv2' }] });
    const head = { path: 'vaults.json', text: text.slice(0, text.length - 20) };
    expect(azureReaders.find((r) => r.detect(head))?.kind).toBe('azure-arm');

    // Only an opening whose first body has an ARM id is claimed.
    const other = {
      path: 'other.json',
      text: '{"value":[{"id":"/things/1","name":"/providers/Microsoft.X/y"',
    };
    expect(armInventoryReader.detect(other)).toBe(false);
  });

  it('names file and line for broken JSON', () => {
    const text =
      '{\n  "value": [\n    {"id": "/subscriptions/s/providers/Microsoft.Security/pricings/x",\n  ]\n}';
    try {
      armInventoryReader.read({ path: 'broken.json', text });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SourceReadError);
      expect((error as SourceReadError).file).toBe('broken.json');
      expect((error as SourceReadError).line).toBeGreaterThanOrEqual(3);
    }
  });
});
