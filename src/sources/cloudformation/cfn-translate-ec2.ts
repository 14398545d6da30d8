/**
 * EC2 resources (security groups and their rules, instances, volumes, VPCs, flow logs, subnets,
 * network ACLs) -> the DescribeX item shapes of the EC2 API.
 */

import { unknownValue } from '../../model/resource.js';
import { asList, bool, boolOr, isRecord, num, or, pick, type Props } from './cfn-values.js';

const PROTOCOL_NAMES: Record<string, string> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
};

function protocol(v: unknown): unknown {
  if (typeof v === 'number') return PROTOCOL_NAMES[String(v)] ?? String(v);
  if (typeof v !== 'string') return v;
  const lower = v.toLowerCase();
  return PROTOCOL_NAMES[lower] ?? lower;
}

/** One SecurityGroupIngress/Egress entry (inline or a standalone rule) -> an IpPermission. */
export function ipPermission(rule: Props, direction: 'ingress' | 'egress'): Props {
  const proto = protocol(rule.IpProtocol);
  const peerGroup =
    direction === 'ingress'
      ? (rule.SourceSecurityGroupId ?? rule.SourceSecurityGroupName)
      : rule.DestinationSecurityGroupId;
  const prefixList =
    direction === 'ingress' ? rule.SourcePrefixListId : rule.DestinationPrefixListId;
  const description = rule.Description;
  const permission: Props = {
    IpProtocol: proto,
    IpRanges:
      rule.CidrIp === undefined
        ? []
        : [{ CidrIp: rule.CidrIp, ...(description ? { Description: description } : {}) }],
    Ipv6Ranges: rule.CidrIpv6 === undefined ? [] : [{ CidrIpv6: rule.CidrIpv6 }],
    UserIdGroupPairs: peerGroup === undefined ? [] : [{ GroupId: peerGroup }],
    PrefixListIds: prefixList === undefined ? [] : [{ PrefixListId: prefixList }],
  };
  if (proto !== '-1') {
    permission.FromPort = num(rule.FromPort);
    permission.ToPort = num(rule.ToPort);
  }
  return permission;
}

const ALLOW_ALL_EGRESS = {
  IpProtocol: '-1',
  IpRanges: [{ CidrIp: '0.0.0.0/0' }],
  Ipv6Ranges: [],
  UserIdGroupPairs: [],
  PrefixListIds: [],
};

export function translateSecurityGroup(p: Props): Props {
  const egress =
    p.SecurityGroupEgress === undefined
      ? [ALLOW_ALL_EGRESS]
      : asList(p.SecurityGroupEgress).map((r) => (isRecord(r) ? ipPermission(r, 'egress') : r));
  return {
    GroupName: or(p.GroupName, unknownValue('group name generated at deploy')),
    Description: p.GroupDescription,
    VpcId: p.VpcId,
    IpPermissions: asList(p.SecurityGroupIngress).map((r) =>
      isRecord(r) ? ipPermission(r, 'ingress') : r,
    ),
    IpPermissionsEgress: egress,
  };
}

function blockDevice(mapping: unknown): unknown {
  if (!isRecord(mapping) || !isRecord(mapping.Ebs)) return mapping;
  const ebs = mapping.Ebs;
  return {
    DeviceName: mapping.DeviceName,
    Ebs: {
      ...pick(ebs, ['Encrypted', 'KmsKeyId', 'VolumeType', 'Iops', 'SnapshotId']),
      ...(ebs.Encrypted !== undefined ? { Encrypted: bool(ebs.Encrypted) } : {}),
      ...(ebs.VolumeSize !== undefined ? { VolumeSize: num(ebs.VolumeSize) } : {}),
      DeleteOnTermination: boolOr(ebs.DeleteOnTermination, true),
    },
  };
}

function publicIp(p: Props): unknown {
  const interfaces = asList(p.NetworkInterfaces).filter(isRecord);
  const associate = interfaces
    .map((i) => bool(i.AssociatePublicIpAddress))
    .find((v) => v !== undefined);
  if (associate === false) return undefined;
  if (associate === true) return unknownValue('public IP assigned at launch');
  return unknownValue('public IP depends on the subnet setting');
}

export function translateInstance(p: Props): Props {
  const groups = [
    ...asList(p.SecurityGroupIds).map((id) => ({ GroupId: id })),
    ...asList(p.SecurityGroups).map((name) => ({ GroupName: name })),
  ];
  const out: Props = {
    ...pick(p, [
      'ImageId',
      'KeyName',
      'SubnetId',
      'PrivateIpAddress',
      'AvailabilityZone',
      'UserData',
    ]),
    InstanceType: or(p.InstanceType, 'm1.small'),
    // AWS::EC2::Instance has no metadata options; without a launch template IMDSv1 stays on.
    MetadataOptions:
      p.LaunchTemplate === undefined
        ? { HttpTokens: 'optional', HttpEndpoint: 'enabled' }
        : unknownValue('metadata options come from the launch template'),
    SecurityGroups: groups,
    BlockDeviceMappings: asList(p.BlockDeviceMappings).map(blockDevice),
    Monitoring: { State: bool(p.Monitoring) === true ? 'enabled' : 'disabled' },
    EbsOptimized: boolOr(p.EbsOptimized, false),
    NetworkInterfaces: asList(p.NetworkInterfaces),
  };
  if (p.IamInstanceProfile !== undefined)
    out.IamInstanceProfile = {
      Arn: unknownValue('instance profile ARN'),
      Name: p.IamInstanceProfile,
    };
  const ip = publicIp(p);
  if (ip !== undefined) out.PublicIpAddress = ip;
  return out;
}

export function translateVolume(p: Props): Props {
  return {
    ...pick(p, ['AvailabilityZone', 'KmsKeyId', 'SnapshotId', 'Iops', 'Throughput']),
    Size: num(p.Size),
    VolumeType: or(p.VolumeType, 'gp2'),
    // Unset, encryption follows the account's EBS encryption-by-default setting.
    Encrypted: or(
      bool(p.Encrypted),
      unknownValue('EBS encryption by default is an account setting'),
    ),
    MultiAttachEnabled: boolOr(p.MultiAttachEnabled, false),
  };
}

export function translateVpc(p: Props): Props {
  return {
    ...pick(p, ['CidrBlock', 'InstanceTenancy', 'Ipv4IpamPoolId']),
    IsDefault: false,
    EnableDnsSupport: boolOr(p.EnableDnsSupport, true),
    EnableDnsHostnames: boolOr(p.EnableDnsHostnames, false),
    FlowLogs: [],
  };
}

export function translateFlowLog(p: Props): Props {
  return {
    ...pick(p, [
      'ResourceId',
      'TrafficType',
      'LogDestination',
      'LogGroupName',
      'DeliverLogsPermissionArn',
      'LogFormat',
    ]),
    LogDestinationType: or(p.LogDestinationType, 'cloud-watch-logs'),
    MaxAggregationInterval: num(or(p.MaxAggregationInterval, 600)),
    FlowLogStatus: 'ACTIVE',
  };
}

export function translateSubnet(p: Props): Props {
  return {
    ...pick(p, ['VpcId', 'CidrBlock', 'AvailabilityZone', 'Ipv6CidrBlock']),
    MapPublicIpOnLaunch: boolOr(p.MapPublicIpOnLaunch, false),
  };
}

export function translateNetworkAcl(p: Props): Props {
  return { VpcId: p.VpcId, IsDefault: false, Entries: [] };
}

/** AWS::EC2::NetworkAclEntry -> one DescribeNetworkAcls entry. */
export function networkAclEntry(p: Props): Props {
  const range = isRecord(p.PortRange)
    ? { PortRange: { From: num(p.PortRange.From), To: num(p.PortRange.To) } }
    : {};
  return {
    RuleNumber: num(p.RuleNumber),
    // As text, as the API gives it; any other value (an unknown) stays as it is.
    Protocol:
      typeof p.Protocol === 'number' || typeof p.Protocol === 'string'
        ? String(p.Protocol)
        : p.Protocol,
    RuleAction: p.RuleAction,
    Egress: boolOr(p.Egress, false),
    ...pick(p, ['CidrBlock', 'Ipv6CidrBlock']),
    ...range,
  };
}
