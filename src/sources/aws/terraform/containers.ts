/**
 * Container platforms, camelCase as their APIs are: `aws_eks_cluster` into DescribeCluster
 * `cluster` and `aws_ecr_repository` into a DescribeRepositories item.
 */

import { isUnknown, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { policyDocument } from './policy-document.js';
import { toResource } from './tf-resource.js';
import { block, bool, compact, items, mapBlocks, str } from './tf-values.js';

const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

/** Translates one EKS cluster. */
export function eksCluster(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const vpc = block(a.vpc_config) ?? {};
  const enabledTypes = a.enabled_cluster_log_types;
  const logging = isUnknown(enabledTypes) ? enabledTypes : loggingOf(items(enabledTypes));
  const properties = compact({
    name: a.name,
    version: a.version,
    roleArn: a.role_arn,
    resourcesVpcConfig: compact({
      subnetIds: vpc.subnet_ids ?? [],
      securityGroupIds: vpc.security_group_ids ?? [],
      endpointPublicAccess: bool(vpc.endpoint_public_access, true),
      endpointPrivateAccess: bool(vpc.endpoint_private_access, false),
      publicAccessCidrs: vpc.public_access_cidrs ?? ['0.0.0.0/0'],
    }),
    logging,
    encryptionConfig: mapBlocks(a.encryption_config, (e) => ({
      resources: e.resources,
      provider: { keyArn: block(e.provider)?.key_arn },
    })),
    accessConfig: block(a.access_config)
      ? compact({ authenticationMode: block(a.access_config)!.authentication_mode })
      : undefined,
  });
  const relationships = ctx
    .referenced(b)
    .filter((r) => r.type === 'aws_subnet' || r.type === 'aws_iam_role')
    .map((r) => ({ kind: 'references', target: ctx.idOf(r) }));
  return toResource(b, { type: 'AWS::EKS::Cluster', properties, name: a.name, relationships });
}

/** `logging.clusterLogging` as DescribeCluster groups it: enabled types, then disabled ones. */
function loggingOf(enabled: unknown[]): unknown {
  const on = EKS_LOG_TYPES.filter((t) => enabled.includes(t));
  const off = EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
  const groups = [];
  if (on.length > 0) groups.push({ types: on, enabled: true });
  if (off.length > 0) groups.push({ types: off, enabled: false });
  return { clusterLogging: groups };
}

/** Translates one ECR repository (+ its repository policy, parsed). */
export function ecrRepository(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const scanning = block(a.image_scanning_configuration);
  const encryption = block(a.encryption_configuration);
  const policy = ctx.owned('aws_ecr_repository_policy', b, 'repository', [a.name])[0];
  const properties = compact({
    repositoryName: a.name,
    imageTagMutability: str(a.image_tag_mutability, 'MUTABLE'),
    imageScanningConfiguration: { scanOnPush: bool(scanning?.scan_on_push, false) },
    encryptionConfiguration: compact({
      encryptionType: str(encryption?.encryption_type, 'AES256'),
      kmsKey: encryption?.kms_key,
    }),
    policy: policy ? policyDocument(policy.attributes.policy, policy, ctx) : undefined,
  });
  return toResource(b, { type: 'AWS::ECR::Repository', properties, name: a.name });
}
