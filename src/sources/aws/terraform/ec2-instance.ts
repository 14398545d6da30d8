/**
 * `aws_instance` into a DescribeInstances Instance (block devices, metadata options, decoded
 * user data) and `aws_launch_template` into its LaunchTemplateData.
 */

import {
  isUnknown,
  unknownValue,
  type Relationship,
  type Resource,
} from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import {
  block,
  blocks,
  bool,
  compact,
  joinLists,
  mapList,
  num,
  present,
  str,
  unknownBlock,
  type Attrs,
} from './tf-values.js';

/** Translates one instance block. */
export function ec2Instance(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const properties: Record<string, unknown> = compact({
    ImageId: a.ami,
    InstanceType: a.instance_type,
    SubnetId: a.subnet_id,
    KeyName: a.key_name,
    MetadataOptions:
      unknownBlock(a.metadata_options) ?? metadataOptions(block(a.metadata_options), true),
    Monitoring: { State: bool(a.monitoring, false) === true ? 'enabled' : 'disabled' },
    EbsOptimized: bool(a.ebs_optimized),
    IamInstanceProfile: present(a.iam_instance_profile)
      ? { Arn: a.iam_instance_profile }
      : undefined,
    SecurityGroups: joinLists(
      mapList(a.vpc_security_group_ids, (id) => ({ GroupId: id })),
      mapList(a.security_groups, (name) => ({ GroupName: name })),
    ),
    BlockDeviceMappings: instanceDevices(a),
    UserData: userData(a.user_data, a.user_data_base64),
  });
  if (bool(a.associate_public_ip_address) === true) {
    properties.PublicIpAddress = unknownValue('public IP is assigned at launch');
  }

  const relationships: Relationship[] = ctx
    .referenced(b)
    .filter((r) => ['aws_subnet', 'aws_iam_instance_profile'].includes(r.type))
    .map((r) => ({ kind: 'references', target: ctx.idOf(r) }));
  return toResource(b, { type: 'AWS::EC2::Instance', properties, name: nameTag(a), relationships });
}

/** Translates one launch template block into {LaunchTemplateName, LaunchTemplateData}. */
export function launchTemplate(b: TerraformBlock, _ctx: AwsContext): Resource {
  const a = b.attributes;
  const nic = blocks(a.network_interfaces);
  const data = compact({
    ImageId: a.image_id,
    InstanceType: a.instance_type,
    MetadataOptions:
      unknownBlock(a.metadata_options) ??
      (block(a.metadata_options) ? metadataOptions(block(a.metadata_options), false) : undefined),
    BlockDeviceMappings: blocks(a.block_device_mappings).map((d) => {
      const ebs = block(d.ebs);
      return compact({
        DeviceName: d.device_name,
        Ebs: ebs
          ? compact({
              Encrypted: bool(ebs.encrypted),
              KmsKeyId: ebs.kms_key_id,
              VolumeSize: num(ebs.volume_size),
              VolumeType: ebs.volume_type,
              DeleteOnTermination: bool(ebs.delete_on_termination),
            })
          : undefined,
      });
    }),
    NetworkInterfaces: nic.map((n) =>
      compact({
        AssociatePublicIpAddress: bool(n.associate_public_ip_address),
        Groups: n.security_groups,
      }),
    ),
    SecurityGroupIds: a.vpc_security_group_ids,
    UserData: userData(undefined, a.user_data),
    IamInstanceProfile: block(a.iam_instance_profile)
      ? compact({
          Arn: block(a.iam_instance_profile)!.arn,
          Name: block(a.iam_instance_profile)!.name,
        })
      : undefined,
  });
  return toResource(b, {
    type: 'AWS::EC2::LaunchTemplate',
    properties: compact({ LaunchTemplateName: a.name, LaunchTemplateData: data }),
    name: a.name,
  });
}

/**
 * MetadataOptions; `withDefaults` fills what a new instance gets (tokens optional, endpoint
 * enabled, hop limit 1) when the block is absent.
 */
function metadataOptions(m: Attrs | undefined, withDefaults: boolean): Attrs {
  const o = m ?? {};
  if (!withDefaults) {
    return compact({
      HttpTokens: o.http_tokens,
      HttpEndpoint: o.http_endpoint,
      HttpPutResponseHopLimit: num(o.http_put_response_hop_limit),
    });
  }
  return compact({
    HttpTokens: str(o.http_tokens, 'optional'),
    HttpEndpoint: str(o.http_endpoint, 'enabled'),
    HttpPutResponseHopLimit: num(o.http_put_response_hop_limit, 1),
    InstanceMetadataTags: str(o.instance_metadata_tags),
  });
}

function instanceDevices(a: Attrs): Attrs[] {
  const root = block(a.root_block_device);
  const rootEncrypted =
    root && present(root.encrypted)
      ? bool(root.encrypted, false)
      : unknownValue('root volume encryption follows the AMI snapshot and the account default');
  const mappings: Attrs[] = [
    {
      DeviceName: 'root',
      Ebs: compact({
        Encrypted: rootEncrypted,
        KmsKeyId: root?.kms_key_id,
        DeleteOnTermination: bool(root?.delete_on_termination, true),
        VolumeSize: num(root?.volume_size),
        VolumeType: root?.volume_type,
      }),
    },
  ];
  for (const d of blocks(a.ebs_block_device)) {
    const encrypted = present(d.encrypted)
      ? bool(d.encrypted, false)
      : present(d.snapshot_id)
        ? unknownValue('volume encryption follows its snapshot')
        : false;
    mappings.push({
      DeviceName: d.device_name,
      Ebs: compact({
        Encrypted: encrypted,
        KmsKeyId: d.kms_key_id,
        DeleteOnTermination: bool(d.delete_on_termination, true),
        VolumeSize: num(d.volume_size),
        VolumeType: d.volume_type,
      }),
    });
  }
  return mappings;
}

/** User data as text: `user_data` as written, `user_data_base64` decoded. */
export function userData(plain: unknown, base64: unknown): unknown {
  if (plain !== undefined && plain !== null) return plain;
  if (base64 === undefined || base64 === null || isUnknown(base64)) return base64 ?? undefined;
  if (typeof base64 !== 'string') return undefined;
  const decoded = Buffer.from(base64, 'base64').toString('utf8');
  // Text that is not base64 at all (a template rendered in place) is kept as written.
  return Buffer.from(decoded, 'utf8').toString('base64').replace(/=+$/, '') ===
    base64.replace(/\s/g, '').replace(/=+$/, '')
    ? decoded
    : base64;
}

function nameTag(a: Attrs): unknown {
  const t = a.tags;
  if (typeof t === 'object' && t !== null && !isUnknown(t)) return (t as Attrs).Name;
  return undefined;
}
