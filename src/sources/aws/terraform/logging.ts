/** Audit and log stores: `aws_cloudtrail` (DescribeTrails + GetTrailStatus + event selectors) and
 * `aws_cloudwatch_log_group` (DescribeLogGroups, camelCase as that API is). */

import { isUnknown, type Resource } from '../../../model/resource.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { bool, compact, mapBlocks, num, str } from './tf-values.js';

/** Translates one trail. */
export function cloudTrail(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const selectors = mapBlocks(a.event_selector, (s) =>
    compact({
      ReadWriteType: str(s.read_write_type, 'All'),
      IncludeManagementEvents: bool(s.include_management_events, true),
      DataResources: mapBlocks(s.data_resource, (d) => ({ Type: d.type, Values: d.values })),
    }),
  );
  const properties = compact({
    Name: a.name,
    S3BucketName: a.s3_bucket_name,
    S3KeyPrefix: a.s3_key_prefix,
    IsMultiRegionTrail: bool(a.is_multi_region_trail, false),
    IncludeGlobalServiceEvents: bool(a.include_global_service_events, true),
    LogFileValidationEnabled: bool(a.enable_log_file_validation, false),
    IsOrganizationTrail: bool(a.is_organization_trail, false),
    KmsKeyId: a.kms_key_id,
    CloudWatchLogsLogGroupArn: a.cloud_watch_logs_group_arn,
    CloudWatchLogsRoleArn: a.cloud_watch_logs_role_arn,
    SnsTopicName: a.sns_topic_name,
    HasCustomEventSelectors: isUnknown(selectors) ? selectors : selectors.length > 0,
    Status: { IsLogging: bool(a.enable_logging, true) },
    EventSelectors: selectors,
  });
  const relationships = ctx
    .referenced(b, 'aws_s3_bucket')
    .map((t) => ({ kind: 'references', target: ctx.idOf(t) }));
  return toResource(b, { type: 'AWS::CloudTrail::Trail', properties, name: a.name, relationships });
}

/** Translates one log group; a retention of 0 or none means events never expire. */
export function logGroup(b: TerraformBlock, _ctx: AwsContext): Resource {
  const a = b.attributes;
  const retention = num(a.retention_in_days);
  const properties = compact({
    logGroupName: a.name,
    retentionInDays: retention === 0 ? undefined : retention,
    kmsKeyId: a.kms_key_id,
    logGroupClass: str(a.log_group_class, 'STANDARD'),
  });
  return toResource(b, { type: 'AWS::Logs::LogGroup', properties, name: a.name });
}
