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
  // The id is walked in place, not split: an export's every resource is read this way, and a
  // string for each of a dozen segments took most of reading an id. `first` skips the empty
  // segment a leading slash makes, which is no part of the id.
  const count = cutSegments(id);
  const first = ends[0] === 0 ? 1 : 0;
  const parts: ArmIdParts = {};

  const sub = keywordAt(id, first, count, 'subscriptions', false);
  if (sub >= 0 && hasSegment(sub + 1, count)) parts.subscription = segment(id, sub + 1);
  const rg = keywordAt(id, first, count, 'resourcegroups', false);
  if (rg >= 0 && hasSegment(rg + 1, count)) parts.resourceGroup = segment(id, rg + 1);

  const providers = keywordAt(id, first, count, 'providers', true);
  if (providers < 0 || !hasSegment(providers + 1, count)) return parts;
  const restCount = count - providers - 2;
  if (restCount <= 0) return parts;
  let type = segment(id, providers + 1);
  let typeSegments = 0;
  for (let i = providers + 2; i < count; i += 2) {
    type += `/${segment(id, i)}`;
    typeSegments += 1;
  }

  parts.type = normaliseArmType(type);
  if (restCount % 2 === 0) parts.name = segment(id, count - 1);
  if (typeSegments > 1 && restCount % 2 === 0) {
    // Up to the slash before the parent's last two segments, as joining them back would give.
    parts.parentId = id.slice(0, starts[count - 2] - 1);
    parts.childKind = parts.type.slice(parts.type.lastIndexOf('/') + 1);
  }
  return parts;
}

/** Where each segment of the id being parsed starts and ends (reused; ids are read one by one). */
const starts: number[] = [];
const ends: number[] = [];

/** Records the bounds of each `/`-separated segment of `id`, as `split('/')` cuts it. */
function cutSegments(id: string): number {
  let count = 0;
  let from = 0;
  for (;;) {
    const slash = id.indexOf('/', from);
    starts[count] = from;
    ends[count] = slash < 0 ? id.length : slash;
    count += 1;
    if (slash < 0) return count;
    from = slash + 1;
  }
}

function segment(id: string, i: number): string {
  return id.slice(starts[i], ends[i]);
}

/** True when segment `i` exists and is not empty. */
function hasSegment(i: number, count: number): boolean {
  return i < count && ends[i] > starts[i];
}

/**
 * Index of the first (or last) segment equal to `keyword` ignoring case, or -1. `keyword` is
 * lower-case ASCII without a `k` (the Kelvin sign lower-cases to one), so setting the case bit
 * of a character compares as lower-casing the segment would, without making it.
 */
function keywordAt(id: string, first: number, count: number, keyword: string, last: boolean) {
  const step = last ? -1 : 1;
  for (let i = last ? count - 1 : first; i >= first && i < count; i += step) {
    const start = starts[i];
    if (ends[i] - start !== keyword.length) continue;
    let j = 0;
    while (j < keyword.length && (id.charCodeAt(start + j) | 0x20) === keyword.charCodeAt(j)) j++;
    if (j === keyword.length) return i;
  }
  return -1;
}

/** Case-insensitive key for matching ARM ids. */
export function idKey(id: string): string {
  return id.toLowerCase();
}
