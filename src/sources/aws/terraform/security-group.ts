/**
 * `aws_security_group` / `aws_default_security_group` with the inline rules and every
 * `aws_security_group_rule` / `aws_vpc_security_group_*_rule` merged into DescribeSecurityGroups
 * `IpPermissions` and `IpPermissionsEgress`.
 */

import { isUnknown, type Relationship, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { bool, compact, joinLists, mapBlocks, mapList, num, str, type Attrs } from './tf-values.js';

/** Block types that put a security group on a workload, and the attributes that do it. */
const WORKLOADS: [string, string][] = [
  ['aws_instance', 'vpc_security_group_ids'],
  ['aws_instance', 'security_groups'],
  ['aws_launch_template', 'vpc_security_group_ids'],
  ['aws_db_instance', 'vpc_security_group_ids'],
  ['aws_rds_cluster', 'vpc_security_group_ids'],
  ['aws_lb', 'security_groups'],
  ['aws_alb', 'security_groups'],
  ['aws_elb', 'security_groups'],
  ['aws_network_interface', 'security_groups'],
  ['aws_elasticache_replication_group', 'security_group_ids'],
  ['aws_efs_mount_target', 'security_groups'],
];

/** Translates one security group and all rules that target it. */
export function securityGroup(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const isDefault = b.type === 'aws_default_security_group';
  const self = ctx.idOf(b);

  // Rules of the group's own blocks and those of standalone rule blocks, kept apart so an
  // unknown block list (a `dynamic` block over an unknown value) stays unknown when joined.
  const ingress: Attrs[] = [];
  // Terraform removes the allow-all egress rule AWS adds to a new group unless it is written.
  const egress: Attrs[] = [];

  for (const r of ctx.owned('aws_security_group_rule', b, 'security_group_id', [a.id])) {
    const p = inlinePermission(
      {
        ...r.attributes,
        security_groups:
          r.attributes.source_security_group_id === undefined
            ? []
            : [r.attributes.source_security_group_id],
      },
      self,
    );
    (r.attributes.type === 'egress' ? egress : ingress).push(p);
  }
  for (const r of ctx.owned('aws_vpc_security_group_ingress_rule', b, 'security_group_id')) {
    ingress.push(vpcRulePermission(r.attributes));
  }
  for (const r of ctx.owned('aws_vpc_security_group_egress_rule', b, 'security_group_id')) {
    egress.push(vpcRulePermission(r.attributes));
  }

  const properties = compact({
    // AWS refuses "default" as the name of a new group, so a name known only after apply is
    // still known not to be the default group's; it is left out rather than marked unknown.
    GroupName: isDefault ? 'default' : isUnknown(a.name) ? undefined : a.name,
    Description: str(
      a.description,
      isDefault ? 'default VPC security group' : 'Managed by Terraform',
    ),
    VpcId: a.vpc_id,
    IpPermissions: joinLists(
      mapBlocks(a.ingress, (r) => inlinePermission(r, self)),
      ingress,
    ),
    IpPermissionsEgress: joinLists(
      mapBlocks(a.egress, (r) => inlinePermission(r, self)),
      egress,
    ),
  });

  const relationships: Relationship[] = [];
  for (const [type, attr] of WORKLOADS) {
    for (const w of ctx.owned(type, b, attr, [a.name])) {
      relationships.push({ kind: 'attachedTo', target: ctx.idOf(w) });
    }
  }
  for (const vpc of ctx.referenced(b)) {
    if (vpc.type === 'aws_vpc' || vpc.type === 'aws_default_vpc') {
      relationships.push({ kind: 'references', target: ctx.idOf(vpc) });
    }
  }
  return toResource(b, {
    type: 'AWS::EC2::SecurityGroup',
    properties,
    name: properties.GroupName,
    relationships,
  });
}

/** The API's protocol name for a Terraform protocol (`"6"` → `tcp`, `"all"` → `-1`). */
export function ipProtocol(value: unknown): unknown {
  const p = str(value, '-1');
  if (isUnknown(p)) return p;
  const lower = p.toLowerCase();
  const byNumber: Record<string, string> = {
    '6': 'tcp',
    '17': 'udp',
    '1': 'icmp',
    '58': 'icmpv6',
    all: '-1',
    '-1': '-1',
  };
  return byNumber[lower] ?? lower;
}

function inlinePermission(r: Attrs, self: string): Attrs {
  const protocol = ipProtocol(r.protocol);
  const groups = joinLists(
    mapList(r.security_groups, (g) => ({ GroupId: g })),
    bool(r.self, false) === true ? [{ GroupId: self }] : [],
  );
  const description = r.description ?? undefined;
  return compact({
    IpProtocol: protocol,
    ...ports(protocol, r.from_port, r.to_port),
    IpRanges: mapList(r.cidr_blocks, (c) => compact({ CidrIp: c, Description: description })),
    Ipv6Ranges: mapList(r.ipv6_cidr_blocks, (c) =>
      compact({ CidrIpv6: c, Description: description }),
    ),
    UserIdGroupPairs: groups,
    PrefixListIds: mapList(r.prefix_list_ids, (id) => ({ PrefixListId: id })),
  });
}

function vpcRulePermission(r: Attrs): Attrs {
  const protocol = ipProtocol(r.ip_protocol);
  const description = r.description ?? undefined;
  return compact({
    IpProtocol: protocol,
    ...ports(protocol, r.from_port, r.to_port),
    IpRanges:
      r.cidr_ipv4 === undefined ? [] : [compact({ CidrIp: r.cidr_ipv4, Description: description })],
    Ipv6Ranges:
      r.cidr_ipv6 === undefined
        ? []
        : [compact({ CidrIpv6: r.cidr_ipv6, Description: description })],
    UserIdGroupPairs:
      r.referenced_security_group_id === undefined
        ? []
        : [{ GroupId: r.referenced_security_group_id }],
    PrefixListIds: r.prefix_list_id === undefined ? [] : [{ PrefixListId: r.prefix_list_id }],
  });
}

/** FromPort/ToPort as the API reports them: absent for all-protocol rules. */
function ports(protocol: unknown, from: unknown, to: unknown): Attrs {
  if (protocol === '-1') return {};
  return { FromPort: num(from), ToPort: num(to) };
}
