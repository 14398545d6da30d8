/** `aws_ebs_volume` and `aws_ebs_snapshot` into DescribeVolumes / DescribeSnapshots items. */

import { unknownValue, type Relationship, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { bool, compact, num, present, str } from './tf-values.js';

/** Translates one volume; a volume made from a snapshot inherits the snapshot's encryption. */
export function ebsVolume(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  // Known gap: account-level "EBS encryption by default" is not modelled; an unset `encrypted`
  // reads as the API default for a new empty volume, false.
  const encrypted = present(a.encrypted)
    ? bool(a.encrypted, false)
    : present(a.snapshot_id)
      ? unknownValue('volume encryption follows its snapshot')
      : false;
  const properties = compact({
    AvailabilityZone: a.availability_zone,
    Encrypted: encrypted,
    KmsKeyId: a.kms_key_id,
    Size: num(a.size),
    VolumeType: str(a.type, 'gp2'),
    Iops: num(a.iops),
    SnapshotId: a.snapshot_id,
    MultiAttachEnabled: bool(a.multi_attach_enabled, false),
  });
  const relationships: Relationship[] = ctx
    .owned('aws_volume_attachment', b, 'volume_id')
    .flatMap((att) => ctx.referenced(att, 'aws_instance'))
    .map((i) => ({ kind: 'attachedTo', target: ctx.idOf(i) }));
  return toResource(b, { type: 'AWS::EC2::Volume', properties, relationships });
}

/** Translates one snapshot: encrypted exactly when its source volume is. */
export function ebsSnapshot(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const volume = ctx.referenced(b, 'aws_ebs_volume')[0];
  const encrypted = volume
    ? ebsVolume(volume, ctx).properties.Encrypted
    : unknownValue('snapshot encryption follows its volume');
  const permissions = ctx
    .owned('aws_snapshot_create_volume_permission', b, 'snapshot_id')
    .map((p) => ({ UserId: p.attributes.account_id }));
  const properties = compact({
    VolumeId: a.volume_id,
    Description: a.description,
    Encrypted: encrypted,
    CreateVolumePermissions: permissions,
  });
  const relationships: Relationship[] = volume
    ? [{ kind: 'references', target: ctx.idOf(volume) }]
    : [];
  return toResource(b, { type: 'AWS::EC2::Snapshot', properties, relationships });
}
