/**
 * The Azure CLI's flattened bodies (`az storage account list`, `az network nsg list`, `az vm
 * list -d`, `az aks list`, ...) turned back into ARM GET bodies. The CLI prints the Python SDK's
 * model: `properties` lifted onto the top level beside the ARM envelope, each name the SDK
 * attribute's in camelCase (which loses acronyms: `enableRBAC` -> `enableRbac`, and follows
 * the SDK's own renames: `supportsHttpsTrafficOnly` -> `enableHttpsTrafficOnly`), and every
 * setting the API did not return written as `null`.
 */

import { normaliseArmType } from './arm-types.js';

type Body = Record<string, unknown>;

/** Top-level keys of an ARM body that are not the resource's own settings. */
const ENVELOPE = new Set([
  'id',
  'name',
  'type',
  'location',
  'tags',
  'sku',
  'kind',
  'identity',
  'etag',
  'resourceGroup',
  'systemData',
  'extendedLocation',
  'managedBy',
  'plan',
  'zones',
  // A virtual machine's extensions sit beside its properties in its GET body.
  'resources',
]);

/**
 * SDK names (camelCase, as the CLI prints them) that differ from the REST names, for the types
 * Palisade's Azure rules judge; a path of SDK names (`[]` for each item of a list) to the REST
 * name of its last segment. Types whose SDK names all match the REST names (Microsoft.Sql
 * servers and firewall rules, Cosmos DB accounts, network security groups and their rules) have
 * no entry.
 */
const SDK_NAMES: Record<string, Record<string, string>> = {
  'Microsoft.Storage/storageAccounts': {
    enableHttpsTrafficOnly: 'supportsHttpsTrafficOnly',
    enableNfsV3: 'isNfsV3Enabled',
    networkRuleSet: 'networkAcls',
    'networkRuleSet.ipRules[].ipAddressOrRange': 'value',
    'networkRuleSet.virtualNetworkRules[].virtualNetworkResourceId': 'id',
    'encryption.keyVaultProperties': 'keyvaultproperties',
    'encryption.keyVaultProperties.keyName': 'keyname',
    'encryption.keyVaultProperties.keyVersion': 'keyversion',
    'encryption.keyVaultProperties.keyVaultUri': 'keyvaulturi',
    'encryption.encryptionIdentity': 'identity',
    'encryption.encryptionIdentity.encryptionUserAssignedIdentity': 'userAssignedIdentity',
    'encryption.encryptionIdentity.encryptionFederatedIdentityClientId':
      'federatedIdentityClientId',
  },
  'Microsoft.ContainerService/managedClusters': {
    enableRbac: 'enableRBAC',
    diskEncryptionSetId: 'diskEncryptionSetID',
    privateFqdn: 'privateFQDN',
    azurePortalFqdn: 'azurePortalFQDN',
    'apiServerAccessProfile.authorizedIpRanges': 'authorizedIPRanges',
    'aadProfile.enableAzureRbac': 'enableAzureRBAC',
    'aadProfile.adminGroupObjectIds': 'adminGroupObjectIDs',
    'aadProfile.clientAppId': 'clientAppID',
    'aadProfile.serverAppId': 'serverAppID',
    'aadProfile.tenantId': 'tenantID',
    'networkProfile.dnsServiceIp': 'dnsServiceIP',
    'oidcIssuerProfile.issuerUrl': 'issuerURL',
    'agentPoolProfiles[].enableFips': 'enableFIPS',
    'agentPoolProfiles[].enableNodePublicIp': 'enableNodePublicIP',
    'agentPoolProfiles[].enableUltraSsd': 'enableUltraSSD',
    'agentPoolProfiles[].osDiskSizeGb': 'osDiskSizeGB',
    'agentPoolProfiles[].vnetSubnetId': 'vnetSubnetID',
    'agentPoolProfiles[].podSubnetId': 'podSubnetID',
    'agentPoolProfiles[].nodePublicIpPrefixId': 'nodePublicIPPrefixID',
  },
  'Microsoft.Compute/virtualMachines': {
    'storageProfile.osDisk.diskSizeGb': 'diskSizeGB',
    'storageProfile.dataDisks[].diskSizeGb': 'diskSizeGB',
  },
  'Microsoft.Compute/disks': {
    diskSizeGb: 'diskSizeGB',
    diskIopsReadWrite: 'diskIOPSReadWrite',
    diskIopsReadOnly: 'diskIOPSReadOnly',
  },
  'Microsoft.DBforPostgreSQL/servers': { 'storageProfile.storageMb': 'storageMB' },
  'Microsoft.DBforMySQL/servers': { 'storageProfile.storageMb': 'storageMB' },
};

/** Each table entry as its SDK path and REST name, deepest first: children before parents. */
const RENAMES = new Map(
  Object.entries(SDK_NAMES).map(([type, table]) => [
    type.toLowerCase(),
    Object.entries(table)
      .map(([path, to]) => ({ path: path.split('.'), to }))
      .sort((a, b) => b.path.length - a.path.length),
  ]),
);

function isObject(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * True when `body` is the CLI's flattened form: no `properties` key, and settings of its own
 * beside the envelope. A body with only envelope keys, or `"properties": null`, is a listing
 * that left the settings out (`az resource list`, `az keyvault list`), not this form.
 */
export function isFlattenedBody(body: Body): boolean {
  if ('properties' in body) return false;
  for (const key of Object.keys(body)) if (!ENVELOPE.has(key)) return true;
  return false;
}

/** The objects a segment (`name`, or `name[]` for each item of a list) leads to. */
function step(values: Body[], segment: string): Body[] {
  const each = segment.endsWith('[]');
  const key = each ? segment.slice(0, -2) : segment;
  const out: Body[] = [];
  for (const v of values) {
    const next = v[key];
    if (each && Array.isArray(next)) out.push(...next.filter(isObject));
    else if (!each && isObject(next)) out.push(next);
  }
  return out;
}

/** Renames the SDK names of `properties` to the REST names, in place. */
function renameSdkNames(type: string, properties: Body): void {
  for (const { path, to } of RENAMES.get(type.toLowerCase()) ?? []) {
    const parents = path.slice(0, -1).reduce(step, [properties]);
    const from = path[path.length - 1];
    for (const parent of parents) {
      if (!(from in parent) || to in parent) continue;
      parent[to] = parent[from];
      delete parent[from];
    }
  }
}

/** A copy without the keys the SDK wrote as `null` (settings the API did not return). */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isObject(value)) return value;
  const out: Body = {};
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v);
  return out;
}

/** The envelope keys of `body` and the rest under `properties`. */
function split(body: Body): { envelope: Body; properties: Body } {
  const envelope: Body = {};
  const properties: Body = {};
  for (const [k, v] of Object.entries(body)) {
    if (ENVELOPE.has(k)) envelope[k] = v;
    else properties[k] = v;
  }
  return { envelope, properties };
}

/**
 * Sub-resources listed in a flattened body (a security group's rules, a network's subnets, an
 * account's private endpoint connections) are flattened too: an item whose ARM id lies under
 * the parent's gets its settings back under `properties`.
 */
function unflattenChildren(parentId: string, properties: Body): void {
  const prefix = `${parentId.toLowerCase()}/`;
  for (const [key, value] of Object.entries(properties)) {
    if (!Array.isArray(value)) continue;
    properties[key] = value.map((item) => {
      const isChild =
        isObject(item) &&
        typeof item.id === 'string' &&
        item.id.toLowerCase().startsWith(prefix) &&
        isFlattenedBody(item);
      if (!isChild) return item;
      const parts = split(item);
      return { ...parts.envelope, properties: parts.properties };
    });
  }
}

/**
 * The ARM GET body of a CLI-flattened body: envelope kept, the rest under `properties` with
 * REST names, `null`s dropped.
 *
 * ```ts
 * armBodyOfFlattened({ id, name: 'st', type: 'Microsoft.Storage/storageAccounts',
 *   enableHttpsTrafficOnly: true, customDomain: null });
 * // { id, name: 'st', type: ..., properties: { supportsHttpsTrafficOnly: true } }
 * ```
 */
export function armBodyOfFlattened(body: Body): Body {
  const { envelope, properties: flat } = split(body);
  const properties = withoutNulls(flat) as Body;
  const type = typeof body.type === 'string' ? normaliseArmType(body.type) : '';
  renameSdkNames(type, properties);
  if (typeof body.id === 'string') unflattenChildren(body.id, properties);
  return { ...envelope, properties };
}

/** `body` as an ARM GET body: the CLI's flattened form turned back, any other as it is. */
export function armBodyOfCli(body: Body): Body {
  return isFlattenedBody(body) ? armBodyOfFlattened(body) : body;
}
