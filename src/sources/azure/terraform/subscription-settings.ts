/**
 * Subscription-level azurerm settings: Defender plans, security contacts, the activity log
 * profile, custom role definitions; and container registries.
 */

import { isUnknown } from '../../../model/resource.js';
import type { BlockMapper } from './mapped-block.js';
import { block, enabledFlag, first, mapBlocks, mapv, type Attrs } from './tf-values.js';

const onOff = (v: unknown) => mapv(v, (x) => (x === true ? 'On' : 'Off'));

const pricing: BlockMapper = (a) => ({
  type: 'Microsoft.Security/pricings',
  // The provider prices VirtualMachines when resource_type is not set.
  fixedName: typeof a.resource_type === 'string' ? a.resource_type : 'VirtualMachines',
  subscriptionScope: true,
  body: { properties: { pricingTier: a.tier, subPlan: a.subplan } },
});

// The provider writes the 2017-08-01-preview contact shape (`alertNotifications: On|Off`).
const contact: BlockMapper = (a) => ({
  type: 'Microsoft.Security/securityContacts',
  fixedName: typeof a.name === 'string' ? a.name : 'default1',
  subscriptionScope: true,
  body: {
    properties: {
      email: a.email,
      phone: a.phone,
      alertNotifications: onOff(first(a.alert_notifications, a.alert_notifications_enabled)),
      alertsToAdmins: onOff(first(a.alerts_to_admins, a.alerts_to_admins_enabled)),
    },
  },
});

const logProfile: BlockMapper = (a) => {
  const retention = block(a.retention_policy);
  return {
    type: 'Microsoft.Insights/logprofiles',
    subscriptionScope: true,
    body: {
      properties: {
        storageAccountId: a.storage_account_id,
        serviceBusRuleId: a.servicebus_rule_id,
        locations: a.locations,
        categories: a.categories,
        retentionPolicy: retention
          ? { enabled: retention.enabled, days: first(retention.days, 0) }
          : undefined,
      },
    },
  };
};

/**
 * A scope read from `data.azurerm_subscription` is a subscription id, even though its value is
 * known only at plan time.
 */
function scopeOf(value: unknown, block: { references: string[] }): unknown {
  const fromSubscription = block.references.some((r) =>
    /(^|\.)data\.azurerm_subscription\./.test(r),
  );
  if (isUnknown(value) && fromSubscription) return '/subscriptions/{subscription}';
  return value;
}

const roleDefinition: BlockMapper = (a, b) => {
  const scopes = Array.isArray(a.assignable_scopes)
    ? a.assignable_scopes.map((s) => scopeOf(s, b))
    : mapv(scopeOf(a.scope, b), (s) => [s]);
  return {
    type: 'Microsoft.Authorization/roleDefinitions',
    subscriptionScope: true,
    body: {
      properties: {
        roleName: a.name,
        description: a.description,
        type: 'CustomRole',
        permissions:
          mapBlocks(a.permissions, (p: Attrs) => ({
            actions: first(p.actions, []),
            notActions: first(p.not_actions, []),
            dataActions: first(p.data_actions, []),
            notDataActions: first(p.not_data_actions, []),
          })) ?? [],
        assignableScopes: isUnknown(a.assignable_scopes) ? a.assignable_scopes : scopes,
      },
    },
  };
};

const registry: BlockMapper = (a) => {
  const rules = block(a.network_rule_set);
  return {
    type: 'Microsoft.ContainerRegistry/registries',
    body: {
      sku: { name: a.sku },
      properties: {
        // The provider sends false when admin_enabled is not set.
        adminUserEnabled: first(a.admin_enabled, false),
        publicNetworkAccess: enabledFlag(a.public_network_access_enabled),
        anonymousPullEnabled: a.anonymous_pull_enabled,
        zoneRedundancy: enabledFlag(a.zone_redundancy_enabled),
        networkRuleSet: rules
          ? {
              defaultAction: rules.default_action,
              ipRules:
                mapBlocks(rules.ip_rule, (r) => ({ action: r.action, value: r.ip_range })) ?? [],
            }
          : undefined,
      },
    },
  };
};

export const subscriptionMappers: Record<string, BlockMapper> = {
  azurerm_security_center_subscription_pricing: pricing,
  azurerm_security_center_contact: contact,
  azurerm_monitor_log_profile: logProfile,
  azurerm_role_definition: roleDefinition,
  azurerm_container_registry: registry,
};
