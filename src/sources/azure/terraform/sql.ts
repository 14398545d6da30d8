/** azurerm SQL servers (mssql and legacy), firewall rules, auditing, alert policies, databases. */

import type { BlockMapper, MappedBlock } from './mapped-block.js';
import { literalSecrets } from '../../literal-secrets.js';
import { block, enabledFlag, first, mapv, type Attrs } from './tf-values.js';

const SERVER_TYPES = ['azurerm_mssql_server', 'azurerm_sql_server'];
const SERVER_PARENT = { types: SERVER_TYPES, attributes: ['server_id', 'server_name'] };

/** Auditing as the ARM `auditingSettings` child. Extended auditing carries the same `state`. */
function auditingBody(a: Attrs): Attrs {
  return {
    name: 'default',
    properties: {
      state: mapv(first(a.enabled, true), (v) => (v === false ? 'Disabled' : 'Enabled')),
      retentionDays: a.retention_in_days,
      storageEndpoint: a.storage_endpoint,
      isAzureMonitorTargetEnabled: a.log_monitoring_enabled,
    },
  };
}

const server: BlockMapper = (a) => {
  const aad = block(a.azuread_administrator);
  const identity = block(a.identity);
  const inlineAudit = block(a.extended_auditing_policy);
  const children: Record<string, unknown[]> = {};
  if (inlineAudit) children.auditingSettings = [auditingBody(inlineAudit)];
  return {
    type: 'Microsoft.Sql/servers',
    body: {
      Palisade: literalSecrets(a, ['administrator_login_password']),
      kind: 'v12.0',
      identity: identity ? { type: identity.type } : undefined,
      properties: {
        administratorLogin: a.administrator_login,
        version: a.version,
        minimalTlsVersion: a.minimum_tls_version,
        publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
        administrators: aad
          ? {
              administratorType: 'ActiveDirectory',
              login: aad.login_username,
              sid: aad.object_id,
              azureADOnlyAuthentication: aad.azuread_authentication_only,
            }
          : undefined,
      },
      children,
    },
  };
};

const firewallRule: BlockMapper = (a) => ({
  type: 'Microsoft.Sql/servers/firewallRules',
  body: { properties: { startIpAddress: a.start_ip_address, endIpAddress: a.end_ip_address } },
  parent: SERVER_PARENT,
});

const auditing: BlockMapper = (a) => ({
  type: 'Microsoft.Sql/servers/auditingSettings',
  fixedName: 'default',
  body: { properties: auditingBody(a).properties as Attrs },
  parent: SERVER_PARENT,
});

const alertPolicy: BlockMapper = (a) => ({
  type: 'Microsoft.Sql/servers/securityAlertPolicies',
  fixedName: 'Default',
  body: {
    properties: {
      state: a.state,
      disabledAlerts: a.disabled_alerts,
      emailAddresses: a.email_addresses,
      // The provider sends false when email_account_admins is not set.
      emailAccountAdmins: first(a.email_account_admins, a.email_account_admins_enabled, false),
      retentionDays: a.retention_days,
      storageEndpoint: a.storage_endpoint,
    },
  },
  parent: SERVER_PARENT,
});

const database: BlockMapper = (a): MappedBlock => {
  const children: Record<string, unknown[]> = {};
  const tde = a.transparent_data_encryption_enabled;
  if (tde !== undefined && tde !== null) {
    children.transparentDataEncryption = [
      { name: 'current', properties: { state: enabledFlag(tde) } },
    ];
  }
  return {
    type: 'Microsoft.Sql/servers/databases',
    body: {
      sku: { name: first(a.sku_name, a.requested_service_objective_name) },
      properties: {
        collation: a.collation,
        maxSizeBytes: mapv(a.max_size_gb, (gb) =>
          typeof gb === 'number' || typeof gb === 'string' ? Number(gb) * 1024 ** 3 : gb,
        ),
        zoneRedundant: a.zone_redundant,
        licenseType: a.license_type,
      },
      children,
    },
    parent: SERVER_PARENT,
  };
};

export const sqlMappers: Record<string, BlockMapper> = {
  azurerm_mssql_server: server,
  azurerm_sql_server: server,
  azurerm_mssql_firewall_rule: firewallRule,
  azurerm_sql_firewall_rule: firewallRule,
  azurerm_mssql_server_extended_auditing_policy: auditing,
  azurerm_mssql_server_security_alert_policy: alertPolicy,
  azurerm_mssql_database: database,
  azurerm_sql_database: database,
};
