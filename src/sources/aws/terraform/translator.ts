/**
 * The AWS Terraform translator: every managed `aws_*` block that stands for an AWS resource
 * becomes one canonical resource in its API shape; decorating blocks are merged into owners.
 */

import type { Resource } from '../../../model/resource.js';
import { SourceReadError } from '../../../model/source-error.js';
import type { TerraformBlock, TerraformTranslator } from '../../terraform/terraform-block.js';
import { awsContext, type AwsContext } from './aws-context.js';
import { undeclaredOwners } from './companions.js';
import { cloudTrail, logGroup } from './logging.js';
import {
  dbInstance,
  docdbCluster,
  dynamodbTable,
  elasticacheReplicationGroup,
  neptuneCluster,
  rdsCluster,
  redshiftCluster,
} from './databases.js';
import { ebsSnapshot, ebsVolume } from './ebs.js';
import { ec2Instance, launchTemplate } from './ec2-instance.js';
import { ecrRepository, eksCluster } from './containers.js';
import { efsFileSystem } from './efs.js';
import { iamAccessKey, iamGroup, iamPolicy, iamRole, iamUser, passwordPolicy } from './iam.js';
import { kmsKey } from './kms.js';
import { lambdaFunction } from './lambda.js';
import { classicLoadBalancer, loadBalancerV2 } from './load-balancers.js';
import { snsTopic, sqsQueue } from './messaging.js';
import { s3Bucket } from './s3-bucket.js';
import { searchDomain } from './search-domains.js';
import { securityGroup } from './security-group.js';
import { networkAcl, subnet, vpc } from './vpc.js';

type BlockTranslator = (block: TerraformBlock, ctx: AwsContext) => Resource;

/**
 * Terraform type → translator. Types absent here either decorate another block (merged by its
 * owner's translator) or are not modelled yet.
 */
const TRANSLATORS: Record<string, BlockTranslator> = {
  aws_s3_bucket: s3Bucket,
  aws_security_group: securityGroup,
  aws_default_security_group: securityGroup,
  aws_instance: ec2Instance,
  aws_launch_template: launchTemplate,
  aws_ebs_volume: ebsVolume,
  aws_ebs_snapshot: ebsSnapshot,
  aws_vpc: vpc,
  aws_default_vpc: vpc,
  aws_subnet: subnet,
  aws_network_acl: networkAcl,
  aws_default_network_acl: networkAcl,
  aws_iam_user: iamUser,
  aws_iam_role: iamRole,
  aws_iam_group: iamGroup,
  aws_iam_policy: iamPolicy,
  aws_iam_account_password_policy: passwordPolicy,
  aws_iam_access_key: iamAccessKey,
  aws_db_instance: dbInstance,
  aws_rds_cluster: rdsCluster,
  aws_neptune_cluster: neptuneCluster,
  aws_docdb_cluster: docdbCluster,
  aws_redshift_cluster: redshiftCluster,
  aws_dynamodb_table: dynamodbTable,
  aws_elasticache_replication_group: elasticacheReplicationGroup,
  aws_cloudtrail: cloudTrail,
  aws_cloudwatch_log_group: logGroup,
  aws_kms_key: kmsKey,
  aws_lb: loadBalancerV2,
  aws_alb: loadBalancerV2,
  aws_elb: classicLoadBalancer,
  aws_lambda_function: lambdaFunction,
  aws_efs_file_system: efsFileSystem,
  aws_sqs_queue: sqsQueue,
  aws_sns_topic: snsTopic,
  aws_elasticsearch_domain: searchDomain,
  aws_opensearch_domain: searchDomain,
  aws_eks_cluster: eksCluster,
  aws_ecr_repository: ecrRepository,
};

/** The Terraform types this translator turns into resources of their own. */
export const AWS_TERRAFORM_TYPES: readonly string[] = Object.keys(TRANSLATORS);

/** Translates the `aws_` blocks of one configuration into canonical resources. */
export const awsTerraformTranslator: TerraformTranslator = {
  prefix: 'aws_',
  translate(tf) {
    const ctx = awsContext(tf);
    const out: Resource[] = [];
    for (const block of tf.blocks) {
      if (block.mode !== 'managed') continue;
      const translate = Object.hasOwn(TRANSLATORS, block.type)
        ? TRANSLATORS[block.type]
        : undefined;
      if (!translate) continue;
      out.push(translateOne(translate, block, ctx));
    }
    // Blocks that configure an owner declared elsewhere: the owner is judged on what they set.
    const undeclared = undeclaredOwners(ctx, (type, block, standIn) => {
      const translate = Object.hasOwn(TRANSLATORS, type) ? TRANSLATORS[type] : undefined;
      return translate ? translateOne(translate, block, standIn) : undefined;
    });
    out.push(...undeclared.resources);
    for (const message of undeclared.warnings) tf.warn?.(message);
    return out;
  },
};

function translateOne(
  translate: BlockTranslator,
  block: TerraformBlock,
  ctx: AwsContext,
): Resource {
  try {
    return translate(block, ctx);
  } catch (err) {
    throw new SourceReadError({
      file: block.file ?? block.address,
      line: block.line,
      code: 'INVALID_STRUCTURE',
      message: `cannot translate ${block.address}: ${(err as Error).message}`,
    });
  }
}
