/**
 * `aws_elasticsearch_domain` / `aws_opensearch_domain` into DescribeDomain DomainStatus, with the
 * access policy (inline or from a `*_domain_policy` block) parsed.
 */

import type { Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { policyDocument } from './policy-document.js';
import { toResource } from './tf-resource.js';
import { block, blocks, bool, compact, str } from './tf-values.js';

/** Translates one search domain (Elasticsearch or OpenSearch). */
export function searchDomain(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const opensearch = b.type === 'aws_opensearch_domain';
  const atRest = block(a.encrypt_at_rest);
  const n2n = block(a.node_to_node_encryption);
  const endpoint = block(a.domain_endpoint_options);
  const vpc = block(a.vpc_options);
  const security = block(a.advanced_security_options);
  const policyBlock = ctx.owned(
    opensearch ? 'aws_opensearch_domain_policy' : 'aws_elasticsearch_domain_policy',
    b,
    'domain_name',
    [a.domain_name],
  )[0];

  const logs: Record<string, unknown> = {};
  for (const l of blocks(a.log_publishing_options)) {
    const type = str(l.log_type);
    if (typeof type !== 'string') continue;
    logs[type] = compact({
      CloudWatchLogsLogGroupArn: l.cloudwatch_log_group_arn,
      Enabled: bool(l.enabled, true),
    });
  }

  const properties = compact({
    DomainName: a.domain_name,
    [opensearch ? 'EngineVersion' : 'ElasticsearchVersion']: opensearch
      ? a.engine_version
      : str(a.elasticsearch_version, '1.5'),
    EncryptionAtRestOptions: compact({
      Enabled: bool(atRest?.enabled, false),
      KmsKeyId: atRest?.kms_key_id,
    }),
    NodeToNodeEncryptionOptions: { Enabled: bool(n2n?.enabled, false) },
    DomainEndpointOptions: compact({
      EnforceHTTPS: bool(endpoint?.enforce_https, false),
      TLSSecurityPolicy: str(endpoint?.tls_security_policy, 'Policy-Min-TLS-1-0-2019-07'),
    }),
    VPCOptions: vpc
      ? { SubnetIds: vpc.subnet_ids ?? [], SecurityGroupIds: vpc.security_group_ids ?? [] }
      : undefined,
    AdvancedSecurityOptions: { Enabled: bool(security?.enabled, false) },
    LogPublishingOptions: logs,
    AccessPolicies: policyBlock
      ? policyDocument(policyBlock.attributes.access_policies, policyBlock, ctx)
      : policyDocument(a.access_policies, b, ctx),
  });
  return toResource(b, {
    type: opensearch ? 'AWS::OpenSearchService::Domain' : 'AWS::Elasticsearch::Domain',
    properties,
    name: a.domain_name,
  });
}
