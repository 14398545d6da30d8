/**
 * ARM resource types in Microsoft's documented casing, and ARM ids built from type and name.
 * Types are case-insensitive in templates; resources leave the reader with one spelling.
 */

/** Documented spellings; a type's longest known prefix lends it its casing. */
const KNOWN_TYPES = [
  'Microsoft.Authorization/locks',
  'Microsoft.Authorization/policyAssignments',
  'Microsoft.Authorization/policyDefinitions',
  'Microsoft.Authorization/roleAssignments',
  'Microsoft.Authorization/roleDefinitions',
  'Microsoft.ApiManagement/service',
  'Microsoft.AppConfiguration/configurationStores',
  'Microsoft.Automation/automationAccounts',
  'Microsoft.Batch/batchAccounts',
  'Microsoft.Cache/redis',
  'Microsoft.Cdn/profiles',
  'Microsoft.CognitiveServices/accounts',
  'Microsoft.Compute/availabilitySets',
  'Microsoft.Compute/disks',
  'Microsoft.Compute/diskEncryptionSets',
  'Microsoft.Compute/images',
  'Microsoft.Compute/snapshots',
  'Microsoft.Compute/virtualMachines',
  'Microsoft.Compute/virtualMachines/extensions',
  'Microsoft.Compute/virtualMachineScaleSets',
  'Microsoft.Compute/virtualMachineScaleSets/extensions',
  'Microsoft.ContainerInstance/containerGroups',
  'Microsoft.ContainerRegistry/registries',
  'Microsoft.ContainerService/managedClusters',
  'Microsoft.ContainerService/managedClusters/agentPools',
  'Microsoft.DataFactory/factories',
  'Microsoft.DBforMariaDB/servers',
  'Microsoft.DBforMySQL/flexibleServers',
  'Microsoft.DBforMySQL/servers',
  'Microsoft.DBforPostgreSQL/flexibleServers',
  'Microsoft.DBforPostgreSQL/flexibleServers/configurations',
  'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules',
  'Microsoft.DBforPostgreSQL/servers',
  'Microsoft.DBforPostgreSQL/servers/configurations',
  'Microsoft.DBforPostgreSQL/servers/firewallRules',
  'Microsoft.Databricks/workspaces',
  'Microsoft.DocumentDB/databaseAccounts',
  'Microsoft.DocumentDB/databaseAccounts/apis/databases',
  'Microsoft.DocumentDB/databaseAccounts/apis/databases/containers',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
  'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
  'Microsoft.EventGrid/topics',
  'Microsoft.EventHub/namespaces',
  'Microsoft.Insights/actionGroups',
  'Microsoft.Insights/activityLogAlerts',
  'Microsoft.Insights/components',
  'Microsoft.Insights/diagnosticSettings',
  'Microsoft.Insights/logProfiles',
  'Microsoft.KeyVault/vaults',
  'Microsoft.KeyVault/vaults/accessPolicies',
  'Microsoft.KeyVault/vaults/keys',
  'Microsoft.KeyVault/vaults/secrets',
  'Microsoft.Logic/workflows',
  'Microsoft.ManagedIdentity/userAssignedIdentities',
  'Microsoft.Network/applicationGateways',
  'Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies',
  'Microsoft.Network/azureFirewalls',
  'Microsoft.Network/bastionHosts',
  'Microsoft.Network/ddosProtectionPlans',
  'Microsoft.Network/dnsZones',
  'Microsoft.Network/frontDoors',
  'Microsoft.Network/loadBalancers',
  'Microsoft.Network/natGateways',
  'Microsoft.Network/networkInterfaces',
  'Microsoft.Network/networkSecurityGroups',
  'Microsoft.Network/networkSecurityGroups/securityRules',
  'Microsoft.Network/networkWatchers',
  'Microsoft.Network/networkWatchers/flowLogs',
  'Microsoft.Network/privateDnsZones',
  'Microsoft.Network/privateEndpoints',
  'Microsoft.Network/publicIPAddresses',
  'Microsoft.Network/routeTables',
  'Microsoft.Network/virtualNetworkGateways',
  'Microsoft.Network/virtualNetworks',
  'Microsoft.Network/virtualNetworks/subnets',
  'Microsoft.Network/virtualNetworks/virtualNetworkPeerings',
  'Microsoft.OperationalInsights/workspaces',
  'Microsoft.RecoveryServices/vaults',
  'Microsoft.Resources/deployments',
  'Microsoft.Resources/resourceGroups',
  'Microsoft.Search/searchServices',
  'Microsoft.Security/autoProvisioningSettings',
  'Microsoft.Security/pricings',
  'Microsoft.Security/securityContacts',
  'Microsoft.ServiceBus/namespaces',
  'Microsoft.SignalRService/signalR',
  'Microsoft.Sql/managedInstances',
  'Microsoft.Sql/servers',
  'Microsoft.Sql/servers/administrators',
  'Microsoft.Sql/servers/auditingSettings',
  'Microsoft.Sql/servers/databases',
  'Microsoft.Sql/servers/databases/auditingSettings',
  'Microsoft.Sql/servers/databases/backupLongTermRetentionPolicies',
  'Microsoft.Sql/servers/databases/backupShortTermRetentionPolicies',
  'Microsoft.Sql/servers/databases/securityAlertPolicies',
  'Microsoft.Sql/servers/databases/transparentDataEncryption',
  'Microsoft.Sql/servers/encryptionProtector',
  'Microsoft.Sql/servers/firewallRules',
  'Microsoft.Sql/servers/securityAlertPolicies',
  'Microsoft.Sql/servers/virtualNetworkRules',
  'Microsoft.Sql/servers/vulnerabilityAssessments',
  'Microsoft.Storage/storageAccounts',
  'Microsoft.Storage/storageAccounts/blobServices',
  'Microsoft.Storage/storageAccounts/blobServices/containers',
  'Microsoft.Storage/storageAccounts/encryptionScopes',
  'Microsoft.Storage/storageAccounts/fileServices',
  'Microsoft.Storage/storageAccounts/fileServices/shares',
  'Microsoft.Storage/storageAccounts/managementPolicies',
  'Microsoft.Storage/storageAccounts/queueServices',
  'Microsoft.Storage/storageAccounts/tableServices',
  'Microsoft.Web/serverfarms',
  'Microsoft.Web/sites',
  'Microsoft.Web/sites/config',
  'Microsoft.Web/sites/slots',
];

const BY_LOWER = new Map<string, string>();
for (const type of KNOWN_TYPES) {
  const segments = type.split('/');
  for (let n = 1; n <= segments.length; n++) {
    const prefix = segments.slice(0, n).join('/');
    if (!BY_LOWER.has(prefix.toLowerCase())) BY_LOWER.set(prefix.toLowerCase(), prefix);
  }
}

/**
 * Microsoft's casing of an ARM type; unknown trailing segments keep the template's spelling.
 *
 * ```ts
 * normalizeType('microsoft.sql/Servers/FIREWALLRULES'); // 'Microsoft.Sql/servers/firewallRules'
 * ```
 */
export function normalizeType(type: string): string {
  const segments = type.split('/').filter((segment) => segment.length > 0);
  for (let n = segments.length; n > 0; n--) {
    const known = BY_LOWER.get(segments.slice(0, n).join('/').toLowerCase());
    if (known) return [known, ...segments.slice(n)].join('/');
  }
  return segments.join('/');
}

/** The resource-group id with placeholders, as the reader cannot know either value. */
export function resourceGroupId(
  subscription = '{subscription}',
  group = '{resourceGroup}',
): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}`;
}

/**
 * Builds an ARM id by interleaving type segments and name segments.
 *
 * ```ts
 * armId('Microsoft.Sql/servers/firewallRules', ['srv', 'rule']);
 * // '/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/Microsoft.Sql/
 * //  servers/srv/firewallRules/rule'
 * ```
 */
export function armId(type: string, names: string[], scope = resourceGroupId()): string {
  const [namespace, ...types] = normalizeType(type).split('/');
  const parts = [namespace];
  types.forEach((segment, i) => {
    parts.push(segment);
    if (i < names.length) parts.push(names[i]);
  });
  const extra = names.slice(types.length);
  return `${scope}/providers/${[...parts, ...extra].join('/')}`;
}

/** Splits a composed name (`server/db`) into its segments. */
export function nameSegments(name: string): string[] {
  return name.split('/').filter((segment) => segment.length > 0);
}

/** Number of type segments after the namespace: 1 for a top-level type, more for children. */
export function typeDepth(type: string): number {
  return type.split('/').length - 1;
}
