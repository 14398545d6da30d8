import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { readArmTemplate } from '../../../src/sources/arm/index.js';
import { fixtures, inner, pick, readTemplate } from './arm-test-helpers.js';

const webTier = path.join(fixtures, 'web-tier.json');
const NSG = 'Microsoft.Network/networkSecurityGroups';

function template(resources: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
    contentVersion: '1.0.0.0',
    resources,
    ...extra,
  });
}

describe('ARM template features', () => {
  it('expands a resource copy loop with the count from the sibling parameters file', async () => {
    const { resources } = await readTemplate(webTier);
    const nics = resources.filter((r) => r.type === 'Microsoft.Network/networkInterfaces');
    expect(nics.map((r) => r.name)).toEqual(['web-nic-1', 'web-nic-2']);
    expect(nics.map((r) => r.source.address)).toEqual(['resources[2][0]', 'resources[2][1]']);
    expect(nics.every((r) => r.source.line === 83)).toBe(true);
  });

  it('expands property copy loops and variable copy loops', async () => {
    const { resources } = await readTemplate(webTier);
    const vm = pick(resources, 'Microsoft.Compute/virtualMachines', 'web-vm-2');
    expect(inner(vm).storageProfile).toEqual({
      dataDisks: [
        { name: 'disk-1', lun: 0, createOption: 'Empty', diskSizeGB: 64 },
        { name: 'disk-2', lun: 1, createOption: 'Empty', diskSizeGB: 128 },
      ],
    });
    const nic = pick(resources, 'Microsoft.Network/networkInterfaces', 'web-nic-2');
    expect(vm.relationships).toContainEqual({ kind: 'references', target: nic.id });
  });

  it('resolves dependsOn on a copy loop name to every instance', async () => {
    const { resources } = await readTemplate(webTier);
    const vm = pick(resources, 'Microsoft.Compute/virtualMachines', 'web-vm-1');
    const nicIds = resources
      .filter((r) => r.type === 'Microsoft.Network/networkInterfaces')
      .map((r) => ({ kind: 'dependsOn', target: r.id }));
    expect(vm.relationships).toEqual(expect.arrayContaining(nicIds));
  });

  it('drops resources whose condition is false and keeps those where it is true', async () => {
    const { resources } = await readTemplate(webTier);
    expect(resources.some((r) => r.type === 'Microsoft.Network/bastionHosts')).toBe(false);
    const account = pick(resources, 'Microsoft.Storage/storageAccounts', 'weblogs');
    expect(inner(account)).toEqual({
      minimumTlsVersion: 'TLS1_0',
      supportsHttpsTrafficOnly: false,
      encryption: { keySource: 'Microsoft.Storage' },
    });
  });

  it('merges NSG rule resources into the NSG and keeps the rule as its own resource', async () => {
    const { resources } = await readTemplate(webTier);
    const nsg = pick(resources, NSG, 'web-nsg');
    const rule = pick(resources, `${NSG}/securityRules`, 'web-nsg/allow-ssh');
    const rules = inner(nsg).securityRules as {
      name: string;
      properties: Record<string, unknown>;
    }[];
    expect(rules.map((r) => r.name)).toEqual(['allow-https', 'allow-ssh']);
    expect(rules[1].properties).toMatchObject({
      destinationPortRange: '22',
      sourceAddressPrefix: '203.0.113.0/24',
    });
    expect((nsg.properties.children as Record<string, unknown[]>).securityRules).toEqual([
      rule.properties,
    ]);
    expect(rule.suppressions).toEqual([
      { ruleId: 'azure-nsg-ssh-open', reason: 'jump host, reviewed' },
    ]);
  });

  it('reads suppressions written as text, as comments and annotations are', async () => {
    const template = {
      $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
      contentVersion: '1.0.0.0',
      resources: [
        {
          type: 'Microsoft.Storage/storageAccounts',
          apiVersion: '2023-01-01',
          name: 'logs',
          location: 'westeurope',
          metadata: {
            'palisade:ignore': [
              'azure-storage-cmk-encryption: keys held by the platform team',
              'azure-storage-https-only legacy client',
            ],
          },
        },
      ],
    };
    const { resources } = await readArmTemplate({
      path: 'inline.json',
      text: JSON.stringify(template),
    });
    expect(resources[0].suppressions).toEqual([
      { ruleId: 'azure-storage-cmk-encryption', reason: 'keys held by the platform team' },
      { ruleId: 'azure-storage-https-only', reason: 'legacy client' },
    ]);
  });

  it('keeps [[ as a literal bracket and evaluates tags', async () => {
    const { resources } = await readTemplate(webTier);
    const nsg = pick(resources, NSG, 'web-nsg');
    expect(nsg.tags).toEqual({ env: 'dev', note: '[not an expression]' });
    expect(nsg.region).toBe('westeurope');
  });

  it('composes grandchildren declared inside children, with their own copy loop', async () => {
    const { resources } = await readTemplate(webTier);
    const containers = resources.filter(
      (r) => r.type === 'Microsoft.Storage/storageAccounts/blobServices/containers',
    );
    expect(containers.map((r) => r.name)).toEqual([
      'weblogs/default/logs0',
      'weblogs/default/logs1',
    ]);
    expect(containers[0].id).toBe(
      '/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/' +
        'Microsoft.Storage/storageAccounts/weblogs/blobServices/default/containers/logs0',
    );
  });

  it('reads nested deployments in inner and outer evaluation scope', async () => {
    const { resources } = await readTemplate(webTier);
    const server = pick(resources, 'Microsoft.Sql/servers', 'web-sql');
    expect(inner(server)).toEqual({ publicNetworkAccess: 'Disabled', minimalTlsVersion: '1.2' });
    const rule = pick(
      resources,
      'Microsoft.Sql/servers/firewallRules',
      'web-sql/AllowAllWindowsAzureIps',
    );
    expect(rule.relationships).toContainEqual({ kind: 'dependsOn', target: server.id });
    expect(rule.source.address).toBe('resources[6].properties.template.resources[0].resources[0]');

    const vault = pick(resources, 'Microsoft.KeyVault/vaults', 'web-kv');
    expect(inner(vault)).toMatchObject({ enableSoftDelete: true, enablePurgeProtection: false });
    const deployment = pick(resources, 'Microsoft.Resources/deployments', 'vault-outer');
    expect(inner(deployment)).toEqual({ mode: 'Incremental' });
  });

  it('caps a copy count above 800 as ARM does, with a warning', async () => {
    const { resources, warnings } = await readTemplate(path.join(fixtures, 'huge-copy.json'));
    expect(resources).toHaveLength(800);
    expect(resources[799].name).toBe('ip-799');
    expect((warnings ?? []).join('\n')).toMatch(/exceeds ARM's 800/);
  });

  it('reports a JSON syntax error with its file and line', async () => {
    const file = path.join(fixtures, 'broken-syntax.json');
    const error = await readTemplate(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceReadError);
    expect(error).toMatchObject({ file, line: 8, code: 'PARSE_ERROR' });
  });

  it('reads a template with a BOM, CRLF line ends and comments', async () => {
    const text =
      '\uFEFF{\r\n  // storage for logs\r\n  "$schema": "https://schema.management.azure.com/' +
      'schemas/2019-04-01/deploymentTemplate.json#",\r\n  "contentVersion": "1.0.0.0",\r\n' +
      '  "resources": [\r\n    {\r\n      "type": "Microsoft.Storage/storageAccounts",\r\n' +
      '      "name": "logs", "properties": { "minimumTlsVersion": "TLS1_2" }\r\n' +
      '    }\r\n  ]\r\n}\r\n';
    const { resources } = await readArmTemplate({ path: 'in-memory.json', text }, null);
    expect(resources).toHaveLength(1);
    expect(resources[0].source.line).toBe(6);
    expect(inner(resources[0]).minimumTlsVersion).toBe('TLS1_2');
  });

  it('turns an unsupported function into an unknown value and a warning', async () => {
    const text = template([
      {
        type: 'Microsoft.Web/sites',
        name: 'app',
        properties: { httpsOnly: true, siteConfig: "[madeUpFunction('x')]" },
      },
    ]);
    const { resources, warnings } = await readArmTemplate({ path: 't.json', text }, null);
    expect(isUnknown(inner(resources[0]).siteConfig)).toBe(true);
    expect(inner(resources[0]).httpsOnly).toBe(true);
    expect(resources[0].unknown).toEqual(['properties.siteConfig']);
    expect((warnings ?? []).join('\n')).toMatch(/madeUpFunction/);
  });

  it('reads a providers/diagnosticSettings child as an extension resource', async () => {
    const text = template([
      {
        type: 'Microsoft.KeyVault/vaults',
        name: 'kv1',
        properties: {},
        resources: [
          {
            type: 'providers/diagnosticSettings',
            name: 'Microsoft.Insights/audit',
            properties: { logs: [{ category: 'AuditEvent', enabled: true }] },
          },
        ],
      },
    ]);
    const { resources } = await readArmTemplate({ path: 't.json', text }, null);
    const [vault, setting] = resources;
    expect(setting.type).toBe('Microsoft.Insights/diagnosticSettings');
    expect(setting.name).toBe('audit');
    expect(setting.id).toBe(`${vault.id}/providers/Microsoft.Insights/diagnosticSettings/audit`);
    expect(setting.relationships).toContainEqual({ kind: 'attachedTo', target: vault.id });
  });

  it('reads languageVersion 2.0 symbolic resources and skips existing ones', async () => {
    const text = template([], {
      languageVersion: '2.0',
      resources: {
        old: { type: 'Microsoft.Network/virtualNetworks', name: 'hub', existing: true },
        stg: { type: 'Microsoft.Storage/storageAccounts', name: 'acct', properties: {} },
      },
    });
    const { resources } = await readArmTemplate({ path: 't.json', text }, null);
    expect(resources.map((r) => [r.name, r.source.address])).toEqual([['acct', 'resources.stg']]);
  });

  it('does not claim parameters files or CloudFormation JSON', async () => {
    const { readFileSync } = await import('node:fs');
    const { armReaders } = await import('../../../src/sources/arm/index.js');
    const parameters = path.join(fixtures, 'web-tier.parameters.json');
    expect(armReaders[0].detect({ path: parameters, text: readFileSync(parameters, 'utf8') })).toBe(
      false,
    );
    const cfn = '{ "AWSTemplateFormatVersion": "2010-09-09", "Resources": {} }';
    expect(armReaders[0].detect({ path: 'cfn.json', text: cfn })).toBe(false);
  });
});
