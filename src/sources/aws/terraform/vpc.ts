/**
 * Network containers: `aws_vpc` (+ its `aws_flow_log`s as `FlowLogs`), `aws_subnet` and
 * `aws_network_acl` (+ `aws_network_acl_rule`s as `Entries`, with the API's implicit denies).
 */

import { isUnknown, type Relationship, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { bool, compact, joinLists, mapBlocks, mapList, num, str, type Attrs } from './tf-values.js';

/** Translates one VPC with the flow logs that watch it. */
export function vpc(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const flowLogs = ctx.owned('aws_flow_log', b, 'vpc_id').map((f) => {
    const fa = f.attributes;
    return compact({
      ResourceId: fa.vpc_id,
      TrafficType: str(fa.traffic_type, 'ALL'),
      LogDestinationType: str(fa.log_destination_type, 'cloud-watch-logs'),
      LogDestination: fa.log_destination,
      LogGroupName: fa.log_group_name,
      DeliverLogsPermissionArn: fa.iam_role_arn,
      FlowLogStatus: 'ACTIVE',
    });
  });
  const properties = compact({
    CidrBlock: a.cidr_block,
    IsDefault: b.type === 'aws_default_vpc',
    InstanceTenancy: str(a.instance_tenancy, 'default'),
    EnableDnsSupport: bool(a.enable_dns_support, true),
    EnableDnsHostnames: bool(a.enable_dns_hostnames, false),
    FlowLogs: flowLogs,
  });
  return toResource(b, { type: 'AWS::EC2::VPC', properties, name: nameOf(a) });
}

/** Translates one subnet; it is contained in its VPC. */
export function subnet(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const properties = compact({
    CidrBlock: a.cidr_block,
    VpcId: a.vpc_id,
    AvailabilityZone: a.availability_zone,
    MapPublicIpOnLaunch: bool(a.map_public_ip_on_launch, false),
    AssignIpv6AddressOnCreation: bool(a.assign_ipv6_address_on_creation, false),
  });
  const relationships: Relationship[] = ctx
    .referenced(b)
    .filter((r) => r.type === 'aws_vpc' || r.type === 'aws_default_vpc')
    .map((r) => ({ kind: 'attachedTo', target: ctx.idOf(r) }));
  return toResource(b, { type: 'AWS::EC2::Subnet', properties, name: nameOf(a), relationships });
}

/** Translates one network ACL with its inline and separate rules. */
export function networkAcl(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const entries: Attrs[] = [];
  for (const r of ctx.owned('aws_network_acl_rule', b, 'network_acl_id')) {
    entries.push(
      aclEntry(
        { ...r.attributes, action: r.attributes.rule_action },
        bool(r.attributes.egress, false) === true,
      ),
    );
  }
  // Every network ACL ends with a deny-all rule each way that cannot be removed.
  const last: Attrs[] = [];
  for (const egress of [true, false]) {
    last.push({
      RuleNumber: 32767,
      Protocol: '-1',
      Egress: egress,
      CidrBlock: '0.0.0.0/0',
      RuleAction: 'deny',
    });
  }
  const properties = compact({
    VpcId: a.vpc_id,
    IsDefault: b.type === 'aws_default_network_acl',
    // An inline rule list known only after apply stays a marker among the known entries.
    Entries: joinLists(
      mapBlocks(a.ingress, (r) => aclEntry(r, false)),
      mapBlocks(a.egress, (r) => aclEntry(r, true)),
      entries,
      last,
    ),
    Associations: mapList(a.subnet_ids, (s) => ({ SubnetId: s })),
  });
  const relationships: Relationship[] = ctx
    .referenced(b, 'aws_subnet')
    .map((s) => ({ kind: 'attachedTo', target: ctx.idOf(s) }));
  return toResource(b, {
    type: 'AWS::EC2::NetworkAcl',
    properties,
    name: nameOf(a),
    relationships,
  });
}

const PROTOCOL_NUMBERS: Record<string, string> = { tcp: '6', udp: '17', icmp: '1', all: '-1' };

function aclEntry(r: Attrs, egress: boolean): Attrs {
  const raw = str(r.protocol, '-1');
  const protocol = isUnknown(raw) ? raw : (PROTOCOL_NUMBERS[raw.toLowerCase()] ?? raw);
  const from = num(r.from_port);
  const to = num(r.to_port);
  return compact({
    RuleNumber: num(r.rule_no ?? r.rule_number),
    Protocol: protocol,
    RuleAction: str(r.action, 'allow'),
    Egress: egress,
    CidrBlock: r.cidr_block ?? undefined,
    Ipv6CidrBlock: r.ipv6_cidr_block ?? undefined,
    PortRange:
      protocol === '-1' || (from === undefined && to === undefined)
        ? undefined
        : { From: from, To: to },
  });
}

function nameOf(a: Attrs): unknown {
  const t = a.tags;
  return typeof t === 'object' && t !== null && !isUnknown(t) ? (t as Attrs).Name : undefined;
}
