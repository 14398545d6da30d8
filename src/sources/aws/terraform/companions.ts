/**
 * Terraform types that only configure another block (a bucket's ACL, a security group's rules)
 * and have no resource of their own: one that joins no owner would be silently dropped, so it is
 * named in a warning instead.
 */

import type { TerraformBlock } from '../../terraform/terraform-block.js';

/** Decorating type → what it configures, in the words of the warning. */
const COMPANIONS: Record<string, string> = {
  aws_s3_bucket_acl: 'bucket',
  aws_s3_bucket_policy: 'bucket',
  aws_s3_bucket_public_access_block: 'bucket',
  aws_s3_bucket_server_side_encryption_configuration: 'bucket',
  aws_s3_bucket_versioning: 'bucket',
  aws_s3_bucket_logging: 'bucket',
  aws_s3_bucket_lifecycle_configuration: 'bucket',
  aws_s3_bucket_object_lock_configuration: 'bucket',
  aws_s3_bucket_replication_configuration: 'bucket',
  aws_s3_bucket_website_configuration: 'bucket',
  aws_security_group_rule: 'security group',
  aws_vpc_security_group_ingress_rule: 'security group',
  aws_vpc_security_group_egress_rule: 'security group',
  aws_network_acl_rule: 'network ACL',
  aws_sqs_queue_policy: 'queue',
  aws_sns_topic_policy: 'topic',
  aws_ecr_repository_policy: 'repository',
  aws_efs_backup_policy: 'file system',
  aws_opensearch_domain_policy: 'domain',
  aws_elasticsearch_domain_policy: 'domain',
  aws_redshift_logging: 'cluster',
  aws_kms_alias: 'key',
  aws_lambda_permission: 'function',
  aws_lambda_function_url: 'function',
};

/**
 * One sentence per decorating block that no owner took, naming its address and place.
 *
 * ```ts
 * unjoinedCompanions(tf.blocks, joined); // ['aws_s3_bucket_acl.a (main.tf:9) configures ...']
 * ```
 */
export function unjoinedCompanions(
  blocks: readonly TerraformBlock[],
  joined: ReadonlySet<TerraformBlock>,
): string[] {
  const out: string[] = [];
  for (const b of blocks) {
    if (b.mode !== 'managed' || joined.has(b) || !Object.hasOwn(COMPANIONS, b.type)) continue;
    const where = b.file ? ` (${b.file}${b.line ? `:${b.line}` : ''})` : '';
    out.push(
      `${b.address}${where} configures a ${COMPANIONS[b.type]} that is not declared in this ` +
        `configuration or could not be matched to one; its settings are not assessed`,
    );
  }
  return out;
}
