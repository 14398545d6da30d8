import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Assessment } from '../../../src/posture/assess.js';
import { armInventoryReader } from '../../../src/sources/azure/arm-inventory-reader.js';
import { assessPaths, writeFolder } from '../../support/assess-files.js';

/**
 * The Azure CLI (`az storage account list`, `az network nsg list`, `az aks list`, ...) prints
 * the Python SDK's models: `properties` lifted onto the top level beside the ARM envelope, names
 * in the SDK's camelCase (`enableRbac`, `enableHttpsTrafficOnly`, `networkRuleSet`), sub-resources
 * such as security rules flattened the same way, and every setting the API left out as `null`.
 * Read back, such a body gets the verdicts its ARM GET body gets.
 */

type Body = Record<string, any>;

const CASSETTES = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/azure/cloud-custodian-cassettes',
);

/** The types compared, with the file name `az` output of each would have. */
const TYPES: Record<string, string> = {
  'Microsoft.Storage/storageAccounts': 'storage-account-list.json',
  'Microsoft.Network/networkSecurityGroups': 'nsg-list.json',
  'Microsoft.ContainerService/managedClusters': 'aks-list.json',
  'Microsoft.Compute/disks': 'disk-list.json',
  'Microsoft.Sql/servers': 'sql-server-list.json',
  'Microsoft.Sql/servers/firewallRules': 'sql-server-firewall-rule-list.json',
  'Microsoft.Security/pricings': 'security-pricing-list.json',
};

/** The ARM GET bodies the shared cassettes recorded, of the types compared. */
async function recordedBodies(): Promise<Body[]> {
  const bodies: Body[] = [];
  for (const name of readdirSync(CASSETTES)) {
    const file = { path: name, text: readFileSync(path.join(CASSETTES, name), 'utf8') };
    const { resources } = await armInventoryReader.read(file);
    for (const r of resources) {
      if (!(r.type in TYPES) || !r.properties.properties) continue;
      const { children: _folded, ...body } = r.properties as Body;
      bodies.push(structuredClone(body));
    }
  }
  return bodies;
}

/** A weakened copy of a storage account: HTTP allowed, TLS 1.0, open to all networks. */
function openStorage(body: Body): Body {
  const open = structuredClone(body);
  open.id = `${body.id}open`;
  open.name = `${body.name}open`;
  Object.assign(open.properties, { supportsHttpsTrafficOnly: false, minimumTlsVersion: 'TLS1_0' });
  open.properties.networkAcls = { bypass: 'None', defaultAction: 'Allow', ipRules: [] };
  return open;
}

/** A weakened copy of an AKS cluster: no Kubernetes RBAC, API server open to all. */
function openCluster(body: Body): Body {
  const open = structuredClone(body);
  open.id = `${body.id}open`;
  open.name = `${body.name}open`;
  open.properties.enableRBAC = false;
  delete open.properties.apiServerAccessProfile;
  return open;
}

/** REST name -> SDK attribute name (camelCase) of the settings the compared types hold. */
function renamed(body: Body, renames: Record<string, string>): void {
  for (const [rest, sdk] of Object.entries(renames)) {
    if (rest in body) {
      body[sdk] = body[rest];
      delete body[rest];
    }
  }
}

/** What `az ... list` prints for an ARM GET body, as the azure-mgmt SDK models write it. */
function azPrints(arm: Body): Body {
  const { properties, ...envelope } = structuredClone(arm);
  // The CLI adds the resource group of a resource that lies in one.
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(arm.id)?.[1];
  const body: Body = { ...envelope, ...properties };
  if (resourceGroup) body.resourceGroup = resourceGroup;
  switch (arm.type) {
    case 'Microsoft.Storage/storageAccounts': {
      renamed(body, {
        supportsHttpsTrafficOnly: 'enableHttpsTrafficOnly',
        isNfsV3Enabled: 'enableNfsV3',
      });
      renamed(body, { networkAcls: 'networkRuleSet' });
      for (const rule of body.networkRuleSet?.ipRules ?? [])
        renamed(rule, { value: 'ipAddressOrRange' });
      for (const rule of body.networkRuleSet?.virtualNetworkRules ?? [])
        renamed(rule, { id: 'virtualNetworkResourceId' });
      body.allowBlobPublicAccess ??= null;
      body.publicNetworkAccess ??= null;
      body.customDomain ??= null;
      break;
    }
    case 'Microsoft.ContainerService/managedClusters': {
      renamed(body, { enableRBAC: 'enableRbac', azurePortalFQDN: 'azurePortalFqdn' });
      if (body.apiServerAccessProfile) {
        renamed(body.apiServerAccessProfile, { authorizedIPRanges: 'authorizedIpRanges' });
      }
      for (const pool of body.agentPoolProfiles ?? []) {
        renamed(pool, { osDiskSizeGB: 'osDiskSizeGb', vnetSubnetID: 'vnetSubnetId' });
      }
      if (body.networkProfile) renamed(body.networkProfile, { dnsServiceIP: 'dnsServiceIp' });
      body.apiServerAccessProfile ??= null;
      body.disableLocalAccounts ??= null;
      body.aadProfile ??= null;
      break;
    }
    case 'Microsoft.Network/networkSecurityGroups':
      for (const key of ['securityRules', 'defaultSecurityRules']) {
        body[key] = (body[key] ?? []).map((rule: Body) => {
          const { properties: settings, ...ruleEnvelope } = rule;
          return { ...ruleEnvelope, ...settings, resourceGroup, sourceAddressPrefixes: [] };
        });
      }
      break;
    case 'Microsoft.Compute/disks':
      renamed(body, { diskSizeGB: 'diskSizeGb', diskIOPSReadWrite: 'diskIopsReadWrite' });
      body.networkAccessPolicy ??= null;
      break;
    default:
      break;
  }
  return body;
}

/** Each type's bodies in a file of its own, as one `az` command a file prints them. */
function filesOf(bodies: Body[], shape: (b: Body) => Body): Record<string, unknown> {
  const files: Record<string, Body[]> = {};
  for (const b of bodies) (files[TYPES[b.type]] ??= []).push(shape(b));
  return files;
}

const verdicts = (a: Assessment) =>
  a.findings.map((f) => `${f.resourceId.toLowerCase()} ${f.ruleId} ${f.status}`).sort();

let arm: Assessment;
let cli: Assessment;
let bodies: Body[];

beforeAll(async () => {
  const recorded = await recordedBodies();
  const storage = recorded.find((b) => b.type === 'Microsoft.Storage/storageAccounts')!;
  const cluster = recorded.find((b) => b.type === 'Microsoft.ContainerService/managedClusters')!;
  bodies = [...recorded, openStorage(storage), openCluster(cluster)];
  arm = await assessPaths([writeFolder(filesOf(bodies, (b) => b))]);
  cli = await assessPaths([writeFolder(filesOf(bodies, azPrints))]);
});

describe('Azure CLI bodies with their properties lifted onto the top level', () => {
  it('get the verdicts their ARM GET bodies get, for every type the rules judge', () => {
    expect(new Set(bodies.map((b) => b.type))).toEqual(new Set(Object.keys(TYPES)));
    expect(arm.findings.filter((f) => f.status === 'fail').length).toBeGreaterThan(5);
    expect(verdicts(cli)).toEqual(verdicts(arm));
    expect(cli.warnings).toEqual([]);
  });

  it('fail a storage account that allows HTTP and a cluster without RBAC, as az prints them', () => {
    const status = (name: string, rule: string) =>
      cli.findings.find((f) => f.resourceName === name && f.ruleId === rule)?.status;
    const storage = bodies.find((b) => b.type === 'Microsoft.Storage/storageAccounts')!;
    const cluster = bodies.find((b) => b.type === 'Microsoft.ContainerService/managedClusters')!;

    expect(status(`${storage.name}open`, 'azure-storage-secure-transfer-required')).toBe('fail');
    expect(status(`${storage.name}open`, 'azure-storage-default-network-deny')).toBe('fail');
    expect(status(storage.name, 'azure-storage-secure-transfer-required')).toBe('pass');
    expect(status(`${cluster.name}open`, 'azure-aks-rbac-enabled')).toBe('fail');
    expect(status(cluster.name, 'azure-aks-rbac-enabled')).toBe('pass');
    const nsgFindings = cli.findings.filter((f) => f.ruleId.startsWith('azure-nsg-'));
    expect(nsgFindings.some((f) => f.status === 'fail')).toBe(true);
  });

  it('keeps a listing without settings unknown, and says which listing it was', async () => {
    // `az keyvault list` prints the envelope alone; `az resource list` writes properties null.
    const id =
      '/subscriptions/00000000-1111-2222-3333-444444444444/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv';
    const envelope = { id, location: 'westeurope', name: 'kv', resourceGroup: 'rg', tags: {} };
    const vault = { ...envelope, type: 'Microsoft.KeyVault/vaults' };
    const result = await assessPaths([
      writeFolder({
        'keyvault-list.json': [vault],
        'resource-list.json': [{ ...vault, id: `${id}2`, name: 'kv2', properties: null }],
      }),
    ]);

    const kv = result.findings.filter((f) => f.ruleId.startsWith('azure-keyvault-'));
    expect(kv.length).toBeGreaterThan(0);
    expect(kv.every((f) => f.status === 'not_applicable')).toBe(true);
    const warnings = result.warnings.join('\n');
    expect(warnings).toMatch(/keyvault-list\.json: 1 resource\(s\) .*only id, name, type/);
    expect(warnings).toMatch(/resource-list\.json: 1 resource\(s\) .*"properties": null/);
    expect(warnings).not.toMatch(/keyvault-list\.json.*az resource list/);
  });

  it('does not count a parent read only through its children as listed without settings', async () => {
    const rules = bodies.filter((b) => b.type === 'Microsoft.Sql/servers/firewallRules');
    const result = await assessPaths([writeFolder({ 'rules.json': rules.map(azPrints) })]);

    expect(result.findings.some((f) => f.ruleId === 'azure-sql-firewall-no-any-ip')).toBe(true);
    expect(result.warnings).toEqual([]);
  });
});
