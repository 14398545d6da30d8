/** The azurerm_ translator: hand-built blocks, then the real Terraform reader on terragoat's Azure folder. */

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unknownValue, type Resource } from '../../../src/model/resource.js';
import { azureTerraformTranslator } from '../../../src/sources/azure/index.js';
import type {
  TerraformBlock,
  TranslationContext,
} from '../../../src/sources/terraform/terraform-block.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { shared } from '../../support/paths.js';

function block(
  type: string,
  name: string,
  attributes: Record<string, unknown>,
  references: string[] = [],
): TerraformBlock {
  return {
    mode: 'managed',
    type,
    name,
    address: `${type}.${name}`,
    module: '',
    attributes,
    references,
    file: 'main.tf',
    line: 1,
  };
}

function translate(...blocks: TerraformBlock[]): Resource[] {
  const ctx: TranslationContext = {
    blocks,
    byAddress: (a) => blocks.find((b) => b.address === a),
    referrers: (type, address) =>
      blocks.filter((b) => b.type === type && b.references.includes(address)),
  };
  return azureTerraformTranslator.translate(ctx);
}

const props = (r: Resource) => r.properties.properties as Record<string, any>;

describe('azurerm translator on hand-built blocks', () => {
  it('maps storage account attributes to ARM property names and merges its network rules', () => {
    const [account] = translate(
      block('azurerm_storage_account', 'sa', {
        name: 'sa1',
        resource_group_name: 'rg',
        location: 'West Europe',
        account_tier: 'Standard',
        account_replication_type: 'GRS',
        min_tls_version: 'TLS1_2',
        enable_https_traffic_only: false,
        allow_blob_public_access: true,
        tags: { env: 'prod' },
      }),
      block(
        'azurerm_storage_account_network_rules',
        'rules',
        {
          storage_account_id: unknownValue('azurerm_storage_account.sa.id'),
          default_action: 'Deny',
          bypass: ['AzureServices', 'Metrics'],
          ip_rules: ['1.2.3.4'],
        },
        ['azurerm_storage_account.sa'],
      ),
    );
    expect(account).toMatchObject({
      type: 'Microsoft.Storage/storageAccounts',
      name: 'sa1',
      region: 'westeurope',
      tags: { env: 'prod' },
      id: '/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/sa1',
    });
    expect(account.properties.sku).toEqual({ name: 'Standard_GRS', tier: 'Standard' });
    expect(props(account)).toMatchObject({
      minimumTlsVersion: 'TLS1_2',
      supportsHttpsTrafficOnly: false,
      allowBlobPublicAccess: true,
      networkAcls: {
        defaultAction: 'Deny',
        bypass: 'AzureServices, Metrics',
        ipRules: [{ value: '1.2.3.4', action: 'Allow' }],
      },
    });
    expect(account.properties.children).toEqual({});
  });

  it('leaves an absent optional property absent so rules apply the API default', () => {
    const [account] = translate(
      block('azurerm_storage_account', 'sa', {
        name: 'sa1',
        account_tier: 'Standard',
        account_replication_type: 'LRS',
      }),
    );
    expect(props(account)).not.toHaveProperty('minimumTlsVersion');
    expect(props(account)).not.toHaveProperty('supportsHttpsTrafficOnly');
  });

  it('records unknown values as unknown paths instead of guessing', () => {
    const [account] = translate(
      block('azurerm_storage_account', 'sa', {
        name: unknownValue('random'),
        min_tls_version: unknownValue('var.tls'),
      }),
    );
    expect(account.name).toBe('sa');
    expect(account.id).toBe('azurerm_storage_account.sa');
    expect(account.unknown).toEqual(
      expect.arrayContaining(['name', 'properties.minimumTlsVersion']),
    );
    expect(JSON.stringify(account.properties)).not.toContain('__palisade_unknown__');
  });

  it('merges separate NSG rules into securityRules with ARM field names and keeps them as children', () => {
    const resources = translate(
      block('azurerm_network_security_group', 'nsg', {
        name: 'web',
        resource_group_name: 'rg',
        security_rule: [
          {
            name: 'https',
            priority: 100,
            direction: 'Inbound',
            access: 'Allow',
            protocol: 'TCP',
            source_address_prefix: '*',
            destination_port_range: '443',
          },
        ],
      }),
      block('azurerm_network_security_rule', 'ssh', {
        name: 'ssh',
        network_security_group_name: 'web',
        priority: 200,
        direction: 'Inbound',
        access: 'Allow',
        protocol: 'Tcp',
        source_address_prefixes: ['0.0.0.0/0'],
        destination_port_ranges: ['22', '2222'],
      }),
    );
    const nsg = resources.find((r) => r.type === 'Microsoft.Network/networkSecurityGroups')!;
    const rules = props(nsg).securityRules;
    expect(rules.map((r: any) => r.name)).toEqual(['https', 'ssh']);
    expect(rules[0].properties.protocol).toBe('Tcp');
    expect(rules[1].properties).toMatchObject({
      sourceAddressPrefixes: ['0.0.0.0/0'],
      destinationPortRanges: ['22', '2222'],
      priority: 200,
    });
    expect((nsg.properties.children as any).securityRules).toHaveLength(1);
    const rule = resources.find(
      (r) => r.type === 'Microsoft.Network/networkSecurityGroups/securityRules',
    )!;
    expect(rule.id).toBe(
      '/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/web/securityRules/ssh',
    );
  });

  it('folds SQL firewall rules, auditing and alert policies under the server', () => {
    const resources = translate(
      block('azurerm_mssql_server', 'db', {
        name: 'sql1',
        resource_group_name: 'rg',
        minimum_tls_version: '1.2',
        public_network_access_enabled: false,
      }),
      block(
        'azurerm_mssql_firewall_rule',
        'all',
        {
          name: 'all',
          server_id: unknownValue('id'),
          start_ip_address: '0.0.0.0',
          end_ip_address: '255.255.255.255',
        },
        ['azurerm_mssql_server.db'],
      ),
      block(
        'azurerm_mssql_server_extended_auditing_policy',
        'audit',
        { server_id: unknownValue('id'), retention_in_days: 30 },
        ['azurerm_mssql_server.db'],
      ),
      block('azurerm_mssql_server_security_alert_policy', 'alerts', {
        server_name: 'sql1',
        state: 'Enabled',
        disabled_alerts: ['Sql_Injection'],
      }),
    );
    const server = resources.find((r) => r.type === 'Microsoft.Sql/servers')!;
    expect(props(server)).toMatchObject({
      minimalTlsVersion: '1.2',
      publicNetworkAccess: 'Disabled',
    });
    const children = server.properties.children as Record<string, any[]>;
    expect(children.firewallRules[0].properties).toEqual({
      startIpAddress: '0.0.0.0',
      endIpAddress: '255.255.255.255',
    });
    expect(children.auditingSettings[0].properties).toMatchObject({
      state: 'Enabled',
      retentionDays: 30,
    });
    expect(children.securityAlertPolicies[0].properties).toMatchObject({
      state: 'Enabled',
      disabledAlerts: ['Sql_Injection'],
      emailAccountAdmins: false,
    });
    expect(resources.map((r) => r.type)).toContain('Microsoft.Sql/servers/firewallRules');
  });

  it('never copies secret values or admin passwords', () => {
    const resources = translate(
      block('azurerm_key_vault', 'kv', {
        name: 'kv1',
        sku_name: 'standard',
        purge_protection_enabled: true,
      }),
      block(
        'azurerm_key_vault_secret',
        's',
        { name: 'db', value: 'hunter2', expiration_date: '2030-01-01T00:00:00Z' },
        ['azurerm_key_vault.kv'],
      ),
      block('azurerm_mysql_server', 'my', {
        name: 'my1',
        administrator_login_password: 'Aa12345678',
        ssl_enforcement_enabled: false,
      }),
    );
    const text = JSON.stringify(resources);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('Aa12345678');
    const secret = resources.find((r) => r.type === 'Microsoft.KeyVault/vaults/secrets')!;
    expect(props(secret).attributes.exp).toBe(Date.parse('2030-01-01T00:00:00Z') / 1000);
    expect(
      props(resources.find((r) => r.type === 'Microsoft.DBforMySQL/servers')!).sslEnforcement,
    ).toBe('Disabled');
  });

  it('reads a custom role scoped by data.azurerm_subscription as subscription-wide', () => {
    const [role] = translate(
      block(
        'azurerm_role_definition',
        'r',
        {
          name: 'admin',
          scope: unknownValue('data'),
          assignable_scopes: [unknownValue('data')],
          permissions: [{ actions: ['*'] }],
        },
        ['data.azurerm_subscription.current'],
      ),
    );
    expect(props(role)).toMatchObject({
      type: 'CustomRole',
      assignableScopes: ['/subscriptions/{subscription}'],
      permissions: [{ actions: ['*'], notActions: [] }],
    });
  });

  it('translates Defender pricing, security contact, AKS, Cosmos DB, web app and registry', () => {
    const resources = translate(
      block('azurerm_security_center_subscription_pricing', 'p', { tier: 'Free' }),
      block('azurerm_security_center_contact', 'c', {
        email: 'a@b.c',
        alert_notifications: false,
        alerts_to_admins: true,
      }),
      block('azurerm_kubernetes_cluster', 'k', {
        name: 'k',
        role_based_access_control: [{ enabled: false }],
        network_profile: [{ network_plugin: 'azure', network_policy: 'calico' }],
      }),
      block('azurerm_cosmosdb_account', 'c', { name: 'c', ip_range_filter: '1.2.3.4,5.6.7.8' }),
      block('azurerm_linux_web_app', 'w', {
        name: 'w',
        https_only: true,
        site_config: [{ minimum_tls_version: '1.0' }],
      }),
      block('azurerm_container_registry', 'r', { name: 'r', sku: 'Basic' }),
    );
    const by = (t: string) => props(resources.find((r) => r.type === t)!);
    expect(by('Microsoft.Security/pricings')).toEqual({ pricingTier: 'Free' });
    expect(resources[0].name).toBe('VirtualMachines');
    expect(by('Microsoft.Security/securityContacts')).toMatchObject({
      alertNotifications: 'Off',
      alertsToAdmins: 'On',
    });
    expect(by('Microsoft.ContainerService/managedClusters')).toMatchObject({
      enableRBAC: false,
      networkProfile: { networkPolicy: 'calico' },
    });
    expect(by('Microsoft.DocumentDB/databaseAccounts').ipRules).toEqual([
      { ipAddressOrRange: '1.2.3.4' },
      { ipAddressOrRange: '5.6.7.8' },
    ]);
    expect(by('Microsoft.Web/sites')).toMatchObject({
      httpsOnly: true,
      siteConfig: { minTlsVersion: '1.0' },
    });
    expect(by('Microsoft.ContainerRegistry/registries')).toMatchObject({ adminUserEnabled: false });
  });
});

describe('azurerm translator through the Terraform reader on terragoat', () => {
  it('translates every azurerm resource terragoat declares, with file and line', async () => {
    const dir = shared('iac/terragoat/terraform/azure');
    const { resources, files } = await readPaths([dir]);
    expect(files.filter((f) => f.error)).toEqual([]);
    const azure = resources.filter((r) => r.cloud === 'azure');
    expect(azure.length).toBeGreaterThanOrEqual(24);
    for (const r of azure) {
      expect(r.source.kind).toBe('terraform');
      expect(readdirSync(dir)).toContain(r.source.file?.split('/').pop());
      expect(r.source.line).toBeGreaterThan(0);
    }

    const nsg = azure.find((r) => r.source.address === 'azurerm_network_security_group.bad_sg')!;
    expect(
      props(nsg).securityRules.map((s: any) => [s.name, s.properties.destinationPortRange]),
    ).toEqual([
      ['AllowSSH', '22-22'],
      ['AllowRDP', '3389-3389'],
    ]);
    const account = azure.find((r) => r.source.address === 'azurerm_storage_account.example')!;
    expect(props(account).networkAcls).toMatchObject({ defaultAction: 'Deny', bypass: 'Metrics' });
    const sql = azure.find((r) => r.source.address === 'azurerm_sql_server.example')!;
    expect((sql.properties.children as any).firewallRules[0].properties.startIpAddress).toBe(
      '10.0.17.62',
    );
    const pg = azure.find((r) => r.source.address === 'azurerm_postgresql_server.example')!;
    expect((pg.properties.children as any).configurations.map((c: any) => c.name).sort()).toEqual([
      'connection_throttling',
      'log_checkpoints',
    ]);
    const linux = azure.find(
      (r) => r.source.address === 'azurerm_linux_virtual_machine.linux_machine',
    )!;
    expect(props(linux).osProfile.linuxConfiguration.disablePasswordAuthentication).toBe(false);
    expect(join(dir, 'instance.tf')).toContain(linux.source.file!.split('/').pop()!);
  });
});
