/** azurerm network security groups and rules, network watchers, flow logs and basic networking. */

import type { BlockMapper } from './mapped-block.js';
import { block, first, mapBlocks, mapItems, mapv, nonEmpty, type Attrs } from './tf-values.js';

const PROTOCOLS: Record<string, string> = {
  tcp: 'Tcp',
  udp: 'Udp',
  icmp: 'Icmp',
  esp: 'Esp',
  ah: 'Ah',
  '*': '*',
};

/** ARM's spelling of a protocol name; anything else (an object, `constructor`) as written. */
function protocolName(p: unknown): unknown {
  const key = typeof p === 'string' ? p.toLowerCase() : undefined;
  return key !== undefined && Object.hasOwn(PROTOCOLS, key) ? PROTOCOLS[key] : p;
}

/** One Terraform security rule (inline block or resource) as the ARM rule body. */
export function securityRuleBody(r: Attrs): Attrs {
  return {
    name: r.name,
    properties: {
      description: r.description,
      priority: r.priority,
      direction: r.direction,
      access: r.access,
      protocol: mapv(r.protocol, protocolName),
      sourcePortRange: r.source_port_range,
      sourcePortRanges: nonEmpty(r.source_port_ranges),
      destinationPortRange: r.destination_port_range,
      destinationPortRanges: nonEmpty(r.destination_port_ranges),
      sourceAddressPrefix: r.source_address_prefix,
      sourceAddressPrefixes: nonEmpty(r.source_address_prefixes),
      destinationAddressPrefix: r.destination_address_prefix,
      destinationAddressPrefixes: nonEmpty(r.destination_address_prefixes),
    },
  };
}

const nsg: BlockMapper = (a) => ({
  type: 'Microsoft.Network/networkSecurityGroups',
  body: {
    properties: {
      securityRules: Array.isArray(a.security_rule)
        ? mapBlocks(a.security_rule, securityRuleBody)
        : (mapv(a.security_rule, () => undefined) ?? []),
    },
  },
});

const securityRule: BlockMapper = (a) => {
  const body = securityRuleBody(a);
  return {
    type: 'Microsoft.Network/networkSecurityGroups/securityRules',
    body: { properties: body.properties },
    parent: {
      types: ['azurerm_network_security_group'],
      attributes: ['network_security_group_name', 'network_security_group_id'],
    },
  };
};

const networkWatcher: BlockMapper = () => ({
  type: 'Microsoft.Network/networkWatchers',
  body: { properties: {} },
});

const flowLog: BlockMapper = (a) => {
  const retention = block(a.retention_policy);
  const analytics = block(a.traffic_analytics);
  return {
    type: 'Microsoft.Network/networkWatchers/flowLogs',
    fixedName: 'flowLog',
    body: {
      properties: {
        targetResourceId: first(a.network_security_group_id, a.target_resource_id),
        storageId: a.storage_account_id,
        enabled: a.enabled,
        retentionPolicy: retention
          ? { enabled: retention.enabled, days: retention.days }
          : undefined,
        format: { type: 'JSON', version: a.version },
        flowAnalyticsConfiguration: analytics
          ? {
              networkWatcherFlowAnalyticsConfiguration: {
                enabled: analytics.enabled,
                workspaceResourceId: analytics.workspace_resource_id,
                trafficAnalyticsInterval: analytics.interval_in_minutes,
              },
            }
          : undefined,
      },
    },
    parent: { types: ['azurerm_network_watcher'], attributes: ['network_watcher_name'] },
  };
};

const virtualNetwork: BlockMapper = (a) => ({
  type: 'Microsoft.Network/virtualNetworks',
  body: {
    properties: {
      addressSpace: { addressPrefixes: a.address_space },
      dhcpOptions: { dnsServers: nonEmpty(a.dns_servers) },
      enableDdosProtection: mapv(a.ddos_protection_plan, (p) => block(p)?.enable ?? true),
    },
  },
});

const subnet: BlockMapper = (a) => ({
  type: 'Microsoft.Network/virtualNetworks/subnets',
  body: {
    properties: {
      addressPrefixes: a.address_prefixes,
      addressPrefix: a.address_prefix,
      serviceEndpoints: mapItems(a.service_endpoints, (service) => ({ service })),
    },
  },
  parent: { types: ['azurerm_virtual_network'], attributes: ['virtual_network_name'] },
});

const networkInterface: BlockMapper = (a) => ({
  type: 'Microsoft.Network/networkInterfaces',
  body: {
    properties: {
      enableIPForwarding: first(a.enable_ip_forwarding, a.ip_forwarding_enabled),
      ipConfigurations:
        mapBlocks(a.ip_configuration, (c) => ({
          name: c.name,
          properties: {
            privateIPAllocationMethod: c.private_ip_address_allocation,
            subnet: mapv(c.subnet_id, (id) => ({ id })),
            publicIPAddress: mapv(c.public_ip_address_id, (id) => ({ id })),
          },
        })) ?? [],
    },
  },
});

const publicIp: BlockMapper = (a) => ({
  type: 'Microsoft.Network/publicIPAddresses',
  body: {
    sku: { name: a.sku },
    properties: {
      publicIPAllocationMethod: a.allocation_method,
      publicIPAddressVersion: a.ip_version,
      dnsSettings: { domainNameLabel: a.domain_name_label },
    },
  },
});

const resourceGroup: BlockMapper = () => ({
  type: 'Microsoft.Resources/resourceGroups',
  subscriptionScope: true,
  body: { properties: {} },
});

export const networkMappers: Record<string, BlockMapper> = {
  azurerm_network_security_group: nsg,
  azurerm_network_security_rule: securityRule,
  azurerm_network_watcher: networkWatcher,
  azurerm_network_watcher_flow_log: flowLog,
  azurerm_virtual_network: virtualNetwork,
  azurerm_subnet: subnet,
  azurerm_network_interface: networkInterface,
  azurerm_public_ip: publicIp,
  azurerm_resource_group: resourceGroup,
};
