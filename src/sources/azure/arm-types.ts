/**
 * ARM resource types in Microsoft's documented casing, and the parts of an ARM resource id.
 * ARM treats types and ids case-insensitively; readers emit the documented spelling.
 */

const DOCUMENTED_TYPES = [
  'Microsoft.Authorization/policyAssignments',
  'Microsoft.Authorization/policyDefinitions',
  'Microsoft.Authorization/roleAssignments',
  'Microsoft.Authorization/roleDefinitions',
  'Microsoft.Compute/disks',
  'Microsoft.Compute/diskEncryptionSets',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Compute/virtualMachines/extensions',
  'Microsoft.Compute/virtualMachineScaleSets',
  'Microsoft.ContainerRegistry/registries',
  'Microsoft.ContainerService/managedClusters',
  'Microsoft.ContainerService/managedClusters/agentPools',
  'Microsoft.DBforMySQL/flexibleServers',
  'Microsoft.DBforMySQL/servers',
  'Microsoft.DBforMySQL/servers/configurations',
  'Microsoft.DBforMySQL/servers/firewallRules',
  'Microsoft.DBforPostgreSQL/flexibleServers',
  'Microsoft.DBforPostgreSQL/servers',
  'Microsoft.DBforPostgreSQL/servers/configurations',
  'Microsoft.DBforPostgreSQL/servers/firewallRules',
  'Microsoft.DocumentDB/databaseAccounts',
  'Microsoft.Insights/activityLogAlerts',
  'Microsoft.Insights/diagnosticSettings',
  'Microsoft.Insights/logprofiles',
  'Microsoft.KeyVault/vaults',
  'Microsoft.KeyVault/vaults/keys',
  'Microsoft.KeyVault/vaults/secrets',
  'Microsoft.Network/applicationGateways',
  'Microsoft.Network/azureFirewalls',
  'Microsoft.Network/loadBalancers',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/networkSecurityGroups',
  'Microsoft.Network/networkSecurityGroups/securityRules',
  'Microsoft.Network/networkWatchers',
  'Microsoft.Network/networkWatchers/flowLogs',
  'Microsoft.Network/publicIPAddresses',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/virtualNetworks/subnets',
  'Microsoft.OperationalInsights/workspaces',
  'Microsoft.Resources/resourceGroups',
  'Microsoft.Security/assessments',
  'Microsoft.Security/autoProvisioningSettings',
  'Microsoft.Security/jitNetworkAccessPolicies',
  'Microsoft.Security/pricings',
  'Microsoft.Security/securityContacts',
  'Microsoft.Sql/servers',
  'Microsoft.Sql/servers/administrators',
  'Microsoft.Sql/servers/auditingSettings',
  'Microsoft.Sql/servers/databases',
  'Microsoft.Sql/servers/databases/transparentDataEncryption',
  'Microsoft.Sql/servers/encryptionProtector',
  'Microsoft.Sql/servers/extendedAuditingSettings',
  'Microsoft.Sql/servers/firewallRules',
  'Microsoft.Sql/servers/securityAlertPolicies',
  'Microsoft.Sql/servers/vulnerabilityAssessments',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices',
  'Microsoft.Storage/storageAccounts/blobServices/containers',
  'Microsoft.Web/serverfarms',
  'Microsoft.Web/sites',
  'Microsoft.Web/sites/config',
];

const BY_LOWER = new Map(DOCUMENTED_TYPES.map((t) => [t.toLowerCase(), t]));

/** Types as spelled in inputs, normalised: an export spells a handful of types thousands of times. */
const normalised = new Map<string, string>();
const NORMALISED_MAX = 10_000;

/** `microsoft.storage/storageaccounts` -> `Microsoft.Storage/storageAccounts`; others as given. */
export function normaliseArmType(type: string): string {
  const known = normalised.get(type);
  if (known !== undefined) return known;
  const out = BY_LOWER.get(type.toLowerCase()) ?? type;
  if (normalised.size < NORMALISED_MAX) normalised.set(type, out);
  return out;
}

/** What an ARM id says about the resource it names. */
export interface ArmIdParts {
  subscription?: string;
  resourceGroup?: string;
  /** Full type, e.g. `Microsoft.Sql/servers/firewallRules` (documented casing when known). */
  type?: string;
  name?: string;
  /** Id of the parent resource for child types (more than one type segment). */
  parentId?: string;
  /** Last type segment of a child type (`firewallRules`), the key under the parent's `children`. */
  childKind?: string;
}

/**
 * Splits an ARM id.
 *
 * ```ts
 * parseArmId('/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/a/firewallRules/b')
 * // { subscription: 's', resourceGroup: 'rg', type: 'Microsoft.Sql/servers/firewallRules',
 * //   name: 'b', childKind: 'firewallRules',
 * //   parentId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Sql/servers/a' }
 * ```
 */
export function parseArmId(id: string): ArmIdParts {
  const segments = id.split('/');
  // A leading slash gives an empty first segment, which is no part of the id.
  if (segments[0] === '') segments.shift();
  const parts: ArmIdParts = {};

  // Only segments of the keywords' lengths are lower-cased to compare: an id is read once per
  // resource and again to fold children, so its other segments are never copied.
  const sub = keywordAt(segments, 'subscriptions', false);
  if (sub >= 0 && segments[sub + 1]) parts.subscription = segments[sub + 1];
  const rg = keywordAt(segments, 'resourcegroups', false);
  if (rg >= 0 && segments[rg + 1]) parts.resourceGroup = segments[rg + 1];

  const providers = keywordAt(segments, 'providers', true);
  if (providers < 0 || !segments[providers + 1]) return parts;
  const namespace = segments[providers + 1];
  const restCount = segments.length - providers - 2;
  if (restCount <= 0) return parts;
  let type = namespace;
  let typeSegments = 0;
  for (let i = providers + 2; i < segments.length; i += 2) {
    type += `/${segments[i]}`;
    typeSegments += 1;
  }

  parts.type = normaliseArmType(type);
  if (restCount % 2 === 0) parts.name = segments[segments.length - 1];
  if (typeSegments > 1 && restCount % 2 === 0) {
    const prefix = id.startsWith('/') ? '/' : '';
    parts.parentId = prefix + segments.slice(0, segments.length - 2).join('/');
    parts.childKind = parts.type.slice(parts.type.lastIndexOf('/') + 1);
  }
  return parts;
}

/** Index of the first (or last) segment equal to `keyword` ignoring case, or -1. */
function keywordAt(segments: string[], keyword: string, last: boolean): number {
  const n = keyword.length;
  if (last) {
    for (let i = segments.length - 1; i >= 0; i--) {
      const s = segments[i];
      if (s.length === n && s.toLowerCase() === keyword) return i;
    }
    return -1;
  }
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.length === n && s.toLowerCase() === keyword) return i;
  }
  return -1;
}

/** Case-insensitive key for matching ARM ids. */
export function idKey(id: string): string {
  return id.toLowerCase();
}
