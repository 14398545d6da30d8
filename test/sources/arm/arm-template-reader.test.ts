import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/model/resource.js';
import { armReaders } from '../../../src/sources/arm/index.js';
import { inner, jsonFilesUnder, pick, readTemplate, sharedData } from './arm-test-helpers.js';

const quickstarts = path.join(sharedData, 'iac/azure-quickstart-templates/quickstarts');
const custodian = path.join(sharedData, 'iac/cloud-custodian-arm');
const NSG = 'Microsoft.Network/networkSecurityGroups';

describe('ARM template reader on real templates', () => {
  const files = [...jsonFilesUnder(custodian), ...jsonFilesUnder(quickstarts)];

  it('finds all eleven shared templates', () => {
    expect(files).toHaveLength(11);
  });

  it.each(files.map((file) => [path.relative(sharedData, file), file]))(
    'detects and reads %s into located Azure resources',
    async (_name, file) => {
      const [reader] = armReaders;
      const { readFileSync } = await import('node:fs');
      expect(reader.detect({ path: file, text: readFileSync(file, 'utf8') })).toBe(true);

      const { resources, warnings } = await readTemplate(file);
      expect(resources.length).toBeGreaterThan(0);
      expect(warnings).toEqual([]);
      for (const resource of resources) {
        expect(resource.cloud).toBe('azure');
        expect(resource.source).toMatchObject({ kind: 'arm', file });
        expect(resource.source.line).toBeGreaterThan(1);
        expect(resource.id).toMatch(/^\/subscriptions\/\{subscription\}\/resourceGroups\//);
        expect(resource.properties).toMatchObject({ id: resource.id, type: resource.type });
        expect(resource.properties.children).toBeDefined();
      }
    },
  );

  it('takes the quickstart storage account sku from its parameter default', async () => {
    const file = path.join(
      quickstarts,
      'microsoft.storage/storage-account-create/azuredeploy.json',
    );
    const { resources } = await readTemplate(file);
    const [account] = resources;
    expect(account.type).toBe('Microsoft.Storage/storageAccounts');
    expect(account.properties.sku).toEqual({ name: 'Standard_LRS' });
    expect(account.properties.kind).toBe('StorageV2');
    expect(account.name).toMatch(/^store[a-z2-7]{13}$/);
    expect(account.source.line).toBe(45);
    expect(isUnknown(account.properties.location)).toBe(true);
    expect(account.unknown).toEqual(['location']);
    expect(account.region).toBeUndefined();
  });

  it('reads the simple Linux VM NSG rule open on port 22 to any source', async () => {
    const file = path.join(quickstarts, 'microsoft.compute/vm-simple-linux/azuredeploy.json');
    const { resources } = await readTemplate(file);
    const nsg = pick(resources, NSG, 'SecGroupNet');
    const rules = inner(nsg).securityRules as {
      name: string;
      properties: Record<string, unknown>;
    }[];
    expect(rules).toHaveLength(1);
    expect(rules[0].name).toBe('SSH');
    expect(rules[0].properties).toMatchObject({
      destinationPortRange: '22',
      sourceAddressPrefix: '*',
      access: 'Allow',
      direction: 'Inbound',
      protocol: 'Tcp',
      priority: 1000,
    });
  });

  it('links the quickstart NIC to its NSG and the VM to its NIC', async () => {
    const file = path.join(quickstarts, 'microsoft.compute/vm-simple-linux/azuredeploy.json');
    const { resources } = await readTemplate(file);
    const nsg = pick(resources, NSG, 'SecGroupNet');
    const nic = pick(resources, 'Microsoft.Network/networkInterfaces', 'simpleLinuxVMNetInt');
    const vm = pick(resources, 'Microsoft.Compute/virtualMachines', 'simpleLinuxVM');
    const subnet = pick(resources, 'Microsoft.Network/virtualNetworks/subnets', 'vNet/Subnet');

    expect(nic.relationships).toContainEqual({ kind: 'references', target: nsg.id });
    expect(nic.relationships).toContainEqual({ kind: 'references', target: subnet.id });
    expect(nic.relationships).toContainEqual({ kind: 'dependsOn', target: nsg.id });
    expect(vm.relationships).toContainEqual({ kind: 'references', target: nic.id });
    expect(inner(nic).networkSecurityGroup).toEqual({ id: nsg.id });
  });

  it('evaluates the VM image, the if() over null() and the extension condition', async () => {
    const file = path.join(quickstarts, 'microsoft.compute/vm-simple-linux/azuredeploy.json');
    const { resources } = await readTemplate(file);
    const vm = pick(resources, 'Microsoft.Compute/virtualMachines', 'simpleLinuxVM');
    const body = inner(vm);
    expect(body.storageProfile).toMatchObject({
      imageReference: { offer: '0001-com-ubuntu-server-focal', sku: '20_04-lts-gen2' },
    });
    expect(body.osProfile).toMatchObject({
      computerName: 'simpleLinuxVM',
      linuxConfiguration: null,
    });
    expect(body.securityProfile).toEqual({
      uefiSettings: { secureBootEnabled: true, vTpmEnabled: true },
      securityType: 'TrustedLaunch',
    });
    expect(vm.unknown).toEqual(expect.arrayContaining(['properties.osProfile.adminUsername']));
    // A GET never returns the admin password, and Palisade keeps none: the body drops it.
    expect(body.osProfile).not.toHaveProperty('adminPassword');
    expect(vm.properties.Palisade).toBeUndefined();
    const extension = pick(
      resources,
      'Microsoft.Compute/virtualMachines/extensions',
      'simpleLinuxVM/GuestAttestation',
    );
    expect(inner(extension).publisher).toBe('Microsoft.Azure.Security.LinuxAttestation');
    const children = vm.properties.children as Record<string, unknown[]>;
    expect(children.extensions).toEqual([extension.properties]);
  });

  it('reads the Key Vault quickstart with parameter defaults and unknown identities', async () => {
    const file = path.join(quickstarts, 'microsoft.keyvault/key-vault-create/azuredeploy.json');
    const { resources } = await readTemplate(file);
    const vault = pick(resources, 'Microsoft.KeyVault/vaults', '{keyVaultName}');
    const body = inner(vault);
    expect(body).toMatchObject({
      enabledForDeployment: false,
      enabledForDiskEncryption: false,
      enabledForTemplateDeployment: false,
      sku: { name: 'standard', family: 'A' },
      networkAcls: { defaultAction: 'Allow', bypass: 'AzureServices' },
    });
    expect(isUnknown(body.tenantId)).toBe(true);
    const [policy] = body.accessPolicies as Record<string, unknown>[];
    expect(policy.permissions).toEqual({ keys: ['list'], secrets: ['list'] });
    expect(vault.unknown).toContain('properties.tenantId');

    const secret = pick(
      resources,
      'Microsoft.KeyVault/vaults/secrets',
      '{keyVaultName}/{secretName}',
    );
    expect(isUnknown(inner(secret).value)).toBe(true);
    expect(secret.relationships).toContainEqual({ kind: 'dependsOn', target: vault.id });
    expect((vault.properties.children as Record<string, unknown[]>).secrets).toEqual([
      secret.properties,
    ]);
  });

  it('reads the CRLF SQL quickstart and folds its database under the server', async () => {
    const file = path.join(quickstarts, 'microsoft.sql/sql-database/azuredeploy.json');
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(file, 'utf8')).toContain('\r\n');

    const { resources } = await readTemplate(file);
    const [server, database] = resources;
    expect(server.type).toBe('Microsoft.Sql/servers');
    expect(server.name).toMatch(/^[a-z2-7]{13}$/);
    expect(server.source.line).toBe(47);
    expect(database.type).toBe('Microsoft.Sql/servers/databases');
    expect(database.name).toBe(`${server.name}/SampleDB`);
    expect(database.properties.name).toBe('SampleDB');
    expect(database.properties.sku).toEqual({ name: 'Standard', tier: 'Standard' });
    expect((server.properties.children as Record<string, unknown[]>).databases).toEqual([
      database.properties,
    ]);
  });

  it('composes SQL server children declared inside and beside the server', async () => {
    const { resources } = await readTemplate(path.join(custodian, 'sqlserver.json'));
    const server = resources.find((r) => r.type === 'Microsoft.Sql/servers');
    if (!server) throw new Error('no server');
    const children = server.properties.children as Record<string, Record<string, unknown>[]>;

    expect(children.auditingSettings.map((c) => c.name)).toEqual(['default']);
    expect(children.auditingSettings[0].properties).toEqual({
      isAzureMonitorTargetEnabled: true,
      state: 'Enabled',
    });
    expect(children.firewallRules.map((c) => c.name)).toEqual([
      'AllowAllWindowsAzureIps',
      '1.2.2.128s25',
    ]);
    expect(children.databases.map((c) => c.name)).toEqual(['cctestdb', 'cclongtermretentiondb']);

    const tde = pick(
      resources,
      'Microsoft.Sql/servers/databases/transparentDataEncryption',
      `${server.name}/cctestdb/current`,
    );
    expect(inner(tde)).toEqual({ status: 'Enabled' });
    const db = pick(resources, 'Microsoft.Sql/servers/databases', `${server.name}/cctestdb`);
    const dbChildren = db.properties.children as Record<string, unknown[]>;
    expect(dbChildren.transparentDataEncryption).toEqual([tde.properties]);
    expect(tde.relationships).toContainEqual({ kind: 'childOf', target: db.id });
  });

  it('reads the custodian Key Vault network rules and storage children', async () => {
    const vaults = await readTemplate(path.join(custodian, 'keyvault.json'));
    const vault = vaults.resources.find((r) => r.type === 'Microsoft.KeyVault/vaults');
    expect(vault?.name).toMatch(/^cckeyvault1[a-z2-7]{13}$/);
    expect(inner(vault!).networkAcls).toMatchObject({
      defaultAction: 'Deny',
      bypass: 'AzureServices',
    });
    expect(vault?.region).toBe('southcentralus');

    const storage = await readTemplate(path.join(custodian, 'storage.json'));
    const account = storage.resources[0];
    const children = account.properties.children as Record<string, Record<string, unknown>[]>;
    expect(children.blobServices.map((c) => c.name)).toEqual(['default']);
    const blob = pick(
      storage.resources,
      'Microsoft.Storage/storageAccounts/blobServices',
      `${account.name}/default`,
    );
    const containers = (blob.properties.children as Record<string, Record<string, unknown>[]>)
      .containers;
    expect(containers.map((c) => c.name)).toEqual(['containerone', 'containertwo']);
    expect(blob.relationships).toContainEqual({ kind: 'dependsOn', target: account.id });
  });

  it('merges subnet resources into their VNet, replacing a same-named inline one', async () => {
    const { resources } = await readTemplate(path.join(custodian, 'storage.json'));
    const vnet = pick(resources, 'Microsoft.Network/virtualNetworks', 'cctstoragevnet1');
    const subnet = pick(
      resources,
      'Microsoft.Network/virtualNetworks/subnets',
      'cctstoragevnet1/testsubnet1',
    );
    const subnets = inner(vnet).subnets as Record<string, unknown>[];
    expect(subnets).toHaveLength(1);
    expect(subnets[0]).toMatchObject({ id: subnet.id, name: 'testsubnet1' });
    expect(subnets[0].properties).toMatchObject({ addressPrefix: '10.4.0.0/24' });

    const quickstart = path.join(quickstarts, 'microsoft.compute/vm-simple-linux/azuredeploy.json');
    const vm = await readTemplate(quickstart);
    const net = pick(vm.resources, 'Microsoft.Network/virtualNetworks', 'vNet');
    expect((inner(net).subnets as Record<string, unknown>[]).map((s) => s.name)).toEqual([
      'Subnet',
    ]);
  });

  it('normalises type casing written differently in the template', async () => {
    const { resources } = await readTemplate(path.join(custodian, 'cosmosdb.json'));
    expect(resources.map((r) => r.type)).toEqual([
      'Microsoft.DocumentDB/databaseAccounts',
      'Microsoft.DocumentDB/databaseAccounts/apis/databases',
      'Microsoft.DocumentDB/databaseAccounts/apis/databases/containers',
    ]);
    const [account, database] = resources;
    expect(account.name).toBe('cctestcosmosdb{suffix}');
    expect(database.relationships).toContainEqual({ kind: 'dependsOn', target: account.id });
  });

  it('follows reference() to the storage account and keeps its value unknown', async () => {
    const { resources } = await readTemplate(path.join(custodian, 'vm.json'));
    const vm = pick(resources, 'Microsoft.Compute/virtualMachines', 'cctestvm');
    const account = resources.find((r) => r.type === 'Microsoft.Storage/storageAccounts');
    expect(vm.relationships).toContainEqual({ kind: 'references', target: account?.id });
    expect(vm.unknown).toContain('properties.diagnosticsProfile.bootDiagnostics.storageUri');
    expect(vm.tags).toEqual({ testtag: 'testvalue', schedule: 'on=(M-U,8);off=(M-U,18);tz=pt' });
    const extension = pick(
      resources,
      'Microsoft.Compute/virtualMachines/extensions',
      'cctestvm/script1',
    );
    expect(extension.relationships).toContainEqual({ kind: 'dependsOn', target: vm.id });
  });

  it('keeps inline NSG rules of the custodian NSG and links its flow log', async () => {
    const { resources } = await readTemplate(path.join(custodian, 'networksecuritygroup.json'));
    const nsg = pick(resources, NSG, 'c7n-nsg');
    const rules = inner(nsg).securityRules as {
      name: string;
      properties: Record<string, unknown>;
    }[];
    expect(rules.find((r) => r.name === 'test2')?.properties.destinationPortRanges).toEqual([
      '8080-8084',
      '8086',
    ]);
    const flowLog = resources.find((r) => r.type === 'Microsoft.Network/networkWatchers/flowLogs');
    expect(flowLog?.relationships).toContainEqual({ kind: 'references', target: nsg.id });
    expect(inner(flowLog!).retentionPolicy).toEqual({ days: 90, enabled: true });
  });
});
