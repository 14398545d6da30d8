/** azurerm key vaults, their keys and secrets (values are never copied). */

import type { BlockMapper } from './mapped-block.js';
import {
  block,
  blocks,
  enabledFlag,
  epochSeconds,
  first,
  mapItems,
  mapv,
  type Attrs,
} from './tf-values.js';

function accessPolicy(p: Attrs): Attrs {
  return {
    tenantId: p.tenant_id,
    objectId: p.object_id,
    applicationId: p.application_id,
    permissions: {
      keys: p.key_permissions,
      secrets: p.secret_permissions,
      certificates: p.certificate_permissions,
      storage: p.storage_permissions,
    },
  };
}

const vault: BlockMapper = (a) => {
  const acls = block(a.network_acls);
  return {
    type: 'Microsoft.KeyVault/vaults',
    body: {
      properties: {
        tenantId: a.tenant_id,
        sku: { family: 'A', name: a.sku_name },
        accessPolicies: Array.isArray(a.access_policy)
          ? blocks(a.access_policy).map(accessPolicy)
          : a.access_policy,
        enabledForDeployment: a.enabled_for_deployment,
        enabledForDiskEncryption: a.enabled_for_disk_encryption,
        enabledForTemplateDeployment: a.enabled_for_template_deployment,
        enableRbacAuthorization: first(a.enable_rbac_authorization, a.rbac_authorization_enabled),
        enablePurgeProtection: a.purge_protection_enabled,
        enableSoftDelete: a.soft_delete_enabled,
        softDeleteRetentionInDays: a.soft_delete_retention_days,
        publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
        networkAcls: acls
          ? {
              defaultAction: acls.default_action,
              bypass: acls.bypass,
              ipRules: mapItems(acls.ip_rules, (value) => ({ value })),
              virtualNetworkRules: mapItems(acls.virtual_network_subnet_ids, (id) => ({ id })),
            }
          : undefined,
      },
    },
  };
};

const VAULT_PARENT = { types: ['azurerm_key_vault'], attributes: ['key_vault_id'] };

const key: BlockMapper = (a) => ({
  type: 'Microsoft.KeyVault/vaults/keys',
  body: {
    properties: {
      kty: a.key_type,
      keySize: a.key_size,
      curveName: a.curve,
      keyOps: a.key_opts,
      attributes: { exp: epochSeconds(a.expiration_date), nbf: epochSeconds(a.not_before_date) },
      rotationPolicy: mapv(block(a.rotation_policy), (p: Attrs) => ({
        attributes: { expiryTime: p.expire_after },
      })),
    },
  },
  parent: VAULT_PARENT,
});

const secret: BlockMapper = (a) => ({
  type: 'Microsoft.KeyVault/vaults/secrets',
  body: {
    properties: {
      contentType: a.content_type,
      attributes: { exp: epochSeconds(a.expiration_date), nbf: epochSeconds(a.not_before_date) },
    },
  },
  parent: VAULT_PARENT,
});

export const keyVaultMappers: Record<string, BlockMapper> = {
  azurerm_key_vault: vault,
  azurerm_key_vault_key: key,
  azurerm_key_vault_secret: secret,
};
