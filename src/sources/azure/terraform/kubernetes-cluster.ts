/** azurerm_kubernetes_cluster (provider 2.x and 3.x+ spellings) as a managed cluster body. */

import type { BlockMapper } from './mapped-block.js';
import { block, first, mapv, nonEmpty, type Attrs } from './tf-values.js';

const cluster: BlockMapper = (a) => {
  const rbac = block(a.role_based_access_control);
  const aad = block(
    first(a.azure_active_directory_role_based_access_control, rbac?.azure_active_directory),
  );
  const network = block(a.network_profile) ?? {};
  const pool = block(a.default_node_pool) ?? {};
  const addons = block(a.addon_profile) ?? {};
  const access = block(a.api_server_access_profile) ?? {};
  const identity = block(a.identity);
  const legacyAddon = (name: string) => block(addons[name])?.enabled;
  const oms = block(a.oms_agent);

  return {
    type: 'Microsoft.ContainerService/managedClusters',
    body: {
      identity: identity ? { type: identity.type } : undefined,
      properties: {
        kubernetesVersion: a.kubernetes_version,
        dnsPrefix: a.dns_prefix,
        // The provider turns Kubernetes RBAC on when it is not configured.
        enableRBAC: first(a.role_based_access_control_enabled, rbac?.enabled, true),
        aadProfile: aad
          ? {
              managed: aad.managed,
              adminGroupObjectIDs: aad.admin_group_object_ids,
              enableAzureRBAC: aad.azure_rbac_enabled,
            }
          : undefined,
        disableLocalAccounts: a.local_account_disabled,
        apiServerAccessProfile: {
          authorizedIPRanges: nonEmpty(
            first(a.api_server_authorized_ip_ranges, access.authorized_ip_ranges),
          ),
          enablePrivateCluster: a.private_cluster_enabled,
        },
        networkProfile: {
          networkPlugin: network.network_plugin,
          networkPolicy: network.network_policy,
          outboundType: network.outbound_type,
        },
        addonProfiles: {
          azurepolicy: mapv(
            first(a.azure_policy_enabled, legacyAddon('azure_policy')),
            (enabled) => ({ enabled }),
          ),
          omsagent: mapv(first(oms ? true : undefined, legacyAddon('oms_agent')), (enabled) => ({
            enabled,
          })),
        },
        agentPoolProfiles: [
          {
            name: pool.name,
            count: pool.node_count,
            vmSize: pool.vm_size,
            enableNodePublicIP: first(pool.enable_node_public_ip, pool.node_public_ip_enabled),
            enableEncryptionAtHost: first(
              pool.enable_host_encryption,
              pool.host_encryption_enabled,
            ),
          } as Attrs,
        ],
      },
    },
  };
};

export const kubernetesMappers: Record<string, BlockMapper> = {
  azurerm_kubernetes_cluster: cluster,
};
