/** `aws_efs_file_system` into a DescribeFileSystems item. */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { block, bool, compact, str } from './tf-values.js';

/** Translates one EFS file system. */
export function efsFileSystem(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const backup = ctx.owned('aws_efs_backup_policy', b, 'file_system_id')[0];
  const properties = compact({
    CreationToken: a.creation_token,
    Encrypted: bool(a.encrypted, false),
    KmsKeyId: a.kms_key_id,
    PerformanceMode: str(a.performance_mode, 'generalPurpose'),
    ThroughputMode: str(a.throughput_mode, 'bursting'),
    BackupPolicy: backup ? { Status: block(backup.attributes.backup_policy)?.status } : undefined,
  });
  return toResource(b, { type: 'AWS::EFS::FileSystem', properties, name: a.creation_token });
}
