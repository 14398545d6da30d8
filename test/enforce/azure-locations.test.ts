/**
 * Azure names one location several ways (`West Europe`, `WestEurope`, `westeurope`): the
 * allowed-locations rule compares them as the API does, in ARM templates, Terraform and the
 * assignment's own parameters.
 */

import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../src/cli/check-command.js';

function storageAccount(name: string, location: string) {
  return {
    type: 'Microsoft.Storage/storageAccounts',
    apiVersion: '2023-01-01',
    name,
    location,
    sku: { name: 'Standard_LRS' },
    kind: 'StorageV2',
    properties: { minimumTlsVersion: 'TLS1_2', supportsHttpsTrafficOnly: true },
  };
}

async function denied(allowed: string[]): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-locations-'));
  await writeFile(
    join(dir, 'arm.json'),
    JSON.stringify({
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        storageAccount('spaced', 'West Europe'),
        storageAccount('joined', 'WestEurope'),
        storageAccount('north', 'North Europe'),
        storageAccount('east', 'East US'),
      ],
    }),
  );
  await writeFile(
    join(dir, 'main.tf'),
    [
      'resource "azurerm_storage_account" "tf" {',
      '  name                     = "tfaccount"',
      '  resource_group_name      = "rg"',
      '  location                 = "westeurope"',
      '  account_tier             = "Standard"',
      '  account_replication_type = "LRS"',
      '}',
      '',
    ].join('\n'),
  );
  const policy = join(dir, 'policy.yaml');
  await writeFile(
    policy,
    [
      'initiatives: [{ id: where, rules: [azure-allowed-locations] }]',
      'assignments:',
      '  - id: where',
      '    initiative: where',
      '    mode: deny',
      `    parameters: { allowed_locations: ${JSON.stringify(allowed)} }`,
      '',
    ].join('\n'),
  );
  const output = join(dir, 'report.json');
  await runCheck([join(dir, 'arm.json'), join(dir, 'main.tf')], {
    format: 'json',
    output,
    policy: [policy],
    rules: [],
    stdinName: 'stdin.yaml',
  });
  const report = JSON.parse(await readFile(output, 'utf8')) as {
    deny: { ruleId: string; resourceName?: string; message: string }[];
  };
  return report.deny
    .filter((d) => d.ruleId === 'azure-allowed-locations')
    .map((d) => d.message)
    .sort();
}

describe('azure-allowed-locations', () => {
  it('takes every spelling of an allowed location, in templates and in parameters', async () => {
    const apiNames = await denied(['westeurope', 'northeurope']);
    expect(apiNames).toHaveLength(1);
    expect(apiNames[0]).toMatch(/east.*eastus/);

    const displayNames = await denied(['West Europe', 'North Europe']);
    expect(displayNames).toEqual(apiNames);
  }, 120_000);
});
