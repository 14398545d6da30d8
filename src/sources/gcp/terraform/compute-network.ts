/** google_compute_network, _subnetwork and _firewall in the Compute API's shape. */

import { isUnknown, type Resource, type UnknownValue } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import { caiIdIfKnown, tfResource } from './tf-resource.js';
import {
  block,
  blocks,
  mapBlocks,
  bool,
  compact,
  num,
  str,
  strList,
  type Attrs,
} from './values.js';

const globalId = (collection: string, a: Attrs) =>
  caiIdIfKnown(
    'compute',
    [a.project, a.name],
    ([p, n]) => `projects/${p}/global/${collection}/${n}`,
  );

export function translateNetwork(b: TerraformBlock): Resource {
  const a = b.attributes;
  return tfResource(b, {
    type: 'compute.googleapis.com/Network',
    caiId: globalId('networks', a),
    name: a.name,
    account: a.project,
    properties: compact({
      name: str(a.name),
      description: str(a.description),
      autoCreateSubnetworks: bool(a.auto_create_subnetworks, true),
      routingConfig: { routingMode: str(a.routing_mode) ?? 'REGIONAL' },
      mtu: num(a.mtu),
    }),
  });
}

export function translateSubnetwork(b: TerraformBlock): Resource {
  const a = b.attributes;
  const log = block(a, 'log_config');
  return tfResource(b, {
    type: 'compute.googleapis.com/Subnetwork',
    caiId: caiIdIfKnown(
      'compute',
      [a.project, a.region, a.name],
      ([p, r, n]) => `projects/${p}/regions/${r}/subnetworks/${n}`,
    ),
    name: a.name,
    account: a.project,
    region: a.region,
    properties: compact({
      name: str(a.name),
      network: str(a.network),
      region: str(a.region),
      ipCidrRange: str(a.ip_cidr_range),
      purpose: str(a.purpose) ?? 'PRIVATE',
      privateIpGoogleAccess: bool(a.private_ip_google_access, false),
      secondaryIpRanges: blocks(a, 'secondary_ip_range').map((r) =>
        compact({ rangeName: str(r.range_name), ipCidrRange: str(r.ip_cidr_range) }),
      ),
      logConfig: log
        ? compact({
            enable: true,
            aggregationInterval: str(log.aggregation_interval) ?? 'INTERVAL_5_SEC',
            flowSampling: num(log.flow_sampling, 0.5),
            metadata: str(log.metadata) ?? 'INCLUDE_ALL_METADATA',
          })
        : { enable: false },
    }),
  });
}

/** `allow { protocol ports }` / `deny` blocks as `allowed` / `denied` with ports as strings. */
function rules(a: Attrs, key: string): unknown[] | UnknownValue {
  return mapBlocks(a, key, (r) => {
    const ports = strList(r.ports);
    return compact({
      IPProtocol: str(r.protocol),
      ports: Array.isArray(ports) && ports.length === 0 ? undefined : ports,
    });
  });
}

export function translateFirewall(b: TerraformBlock): Resource {
  const a = b.attributes;
  const log = block(a, 'log_config');
  const direction = str(a.direction) ?? 'INGRESS';
  const allowed = rules(a, 'allow');
  const denied = rules(a, 'deny');
  return tfResource(b, {
    type: 'compute.googleapis.com/Firewall',
    caiId: globalId('firewalls', a),
    name: a.name,
    account: a.project,
    properties: compact({
      name: str(a.name),
      description: str(a.description),
      network: str(a.network),
      direction,
      priority: num(a.priority, 1000),
      disabled: bool(a.disabled, false),
      sourceRanges:
        strList(a.source_ranges) ??
        (direction === 'INGRESS' && !a.source_tags && !a.source_service_accounts
          ? ['0.0.0.0/0']
          : undefined),
      destinationRanges: strList(a.destination_ranges),
      sourceTags: strList(a.source_tags),
      targetTags: strList(a.target_tags),
      sourceServiceAccounts: strList(a.source_service_accounts),
      targetServiceAccounts: strList(a.target_service_accounts),
      allowed: isUnknown(allowed) || allowed.length > 0 ? allowed : undefined,
      denied: isUnknown(denied) || denied.length > 0 ? denied : undefined,
      logConfig: log ? compact({ enable: true, metadata: str(log.metadata) }) : { enable: false },
    }),
  });
}
