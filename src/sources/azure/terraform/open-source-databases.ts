/** azurerm PostgreSQL and MySQL single servers and their server parameters (configurations). */

import type { BlockMapper } from './mapped-block.js';
import { literalSecrets } from '../../literal-secrets.js';
import { block, enabledFlag, first, mapv } from './tf-values.js';

function singleServer(type: string): BlockMapper {
  return (a) => {
    const storage = block(a.storage_profile) ?? {};
    const threat = block(a.threat_detection_policy);
    const children: Record<string, unknown[]> = {};
    if (threat) {
      children.securityAlertPolicies = [
        {
          name: 'Default',
          properties: {
            state: enabledFlag(first(threat.enabled, true)),
            disabledAlerts: threat.disabled_alerts,
          },
        },
      ];
    }
    return {
      type,
      body: {
        Palisade: literalSecrets(a, ['administrator_login_password']),
        sku: { name: a.sku_name },
        properties: {
          administratorLogin: a.administrator_login,
          version: a.version,
          // azurerm 2.x wrote ssl_enforcement = "Enabled"; later versions a boolean.
          sslEnforcement: a.ssl_enforcement ?? enabledFlag(a.ssl_enforcement_enabled),
          minimalTlsVersion: a.ssl_minimal_tls_version_enforced,
          publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
          infrastructureEncryption: enabledFlag(a.infrastructure_encryption_enabled),
          storageProfile: {
            storageMB: first(a.storage_mb, storage.storage_mb),
            backupRetentionDays: first(a.backup_retention_days, storage.backup_retention_days),
            geoRedundantBackup:
              a.geo_redundant_backup ??
              enabledFlag(first(a.geo_redundant_backup_enabled, storage.geo_redundant_backup)),
            storageAutogrow: enabledFlag(a.auto_grow_enabled),
          },
        },
        children,
      },
    };
  };
}

function configuration(type: string, serverType: string): BlockMapper {
  return (a) => ({
    type,
    // As text, as ARM holds it; an object (its toString may not be a function) as it is.
    body: { properties: { value: mapv(a.value, (v) => (typeof v === 'object' ? v : String(v))) } },
    parent: { types: [serverType], attributes: ['server_name'] },
  });
}

export const openSourceDatabaseMappers: Record<string, BlockMapper> = {
  azurerm_postgresql_server: singleServer('Microsoft.DBforPostgreSQL/servers'),
  azurerm_mysql_server: singleServer('Microsoft.DBforMySQL/servers'),
  azurerm_postgresql_configuration: configuration(
    'Microsoft.DBforPostgreSQL/servers/configurations',
    'azurerm_postgresql_server',
  ),
  azurerm_mysql_configuration: configuration(
    'Microsoft.DBforMySQL/servers/configurations',
    'azurerm_mysql_server',
  ),
  // Known gap: flexible servers (azurerm_*_flexible_server) are not translated yet.
};
