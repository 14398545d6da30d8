/** azurerm_cosmosdb_account as a Microsoft.DocumentDB/databaseAccounts body. */

import type { BlockMapper } from './mapped-block.js';
import { block, blocks, enabledFlag, first, list, mapv, type Attrs } from './tf-values.js';

const account: BlockMapper = (a) => {
  const consistency = block(a.consistency_policy);
  const identity = block(a.identity);
  return {
    type: 'Microsoft.DocumentDB/databaseAccounts',
    body: {
      kind: first(a.kind, 'GlobalDocumentDB'),
      identity: identity ? { type: identity.type } : undefined,
      properties: {
        databaseAccountOfferType: a.offer_type,
        consistencyPolicy: consistency
          ? { defaultConsistencyLevel: consistency.consistency_level }
          : undefined,
        ipRules: mapv(list(a.ip_range_filter), (ips: unknown[]) =>
          ips.map((ipAddressOrRange) => ({ ipAddressOrRange })),
        ),
        isVirtualNetworkFilterEnabled: a.is_virtual_network_filter_enabled,
        virtualNetworkRules: Array.isArray(a.virtual_network_rule)
          ? blocks(a.virtual_network_rule).map((r: Attrs) => ({ id: r.id }))
          : undefined,
        publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
        disableLocalAuth: a.local_authentication_disabled,
        keyVaultKeyUri: a.key_vault_key_id,
        enableAutomaticFailover: first(a.enable_automatic_failover, a.automatic_failover_enabled),
        disableKeyBasedMetadataWriteAccess: mapv(a.access_key_metadata_writes_enabled, (v) => !v),
        locations: blocks(a.geo_location).map((l) => ({
          locationName: l.location,
          failoverPriority: l.failover_priority,
        })),
      },
    },
  };
};

export const cosmosDbMappers: Record<string, BlockMapper> = { azurerm_cosmosdb_account: account };
