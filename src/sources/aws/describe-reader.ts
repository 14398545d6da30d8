/**
 * Reads AWS API responses saved from the CLI (`aws ec2 describe-security-groups > sg.json`):
 * the same bodies as placebo recordings without the envelope, recognised by their result key.
 */

import { SourceReadError } from '../../model/source-error.js';
import type { Reader, SourceFile } from '../reader.js';
import { mapApiCall } from './aws-api-mapper.js';
import { isRecord, type Props } from './aws-api-values.js';
import { inventoryResource } from './inventory-resource.js';

/**
 * Result keys that name their call unambiguously. Sub-resource calls whose body does not say
 * which resource they were about (GetBucketAcl, GetKeyPolicy) are left out; GetKeyRotationStatus
 * is read when it names its key (`KeyId`, in outputs since 2024).
 *
 * Known gap: saved S3 get-bucket-*, KMS get-key-policy, ELBv2 describe-load-balancer-attributes
 * and CloudTrail get-trail-status outputs are not read, since their bodies name neither the call
 * nor the resource; record them with placebo or use AWS Config instead.
 */
const RESULT_KEYS: [string, string, (d: Props) => boolean][] = [
  ['SecurityGroups', 'ec2.DescribeSecurityGroups', () => true],
  ['Reservations', 'ec2.DescribeInstances', () => true],
  ['Volumes', 'ec2.DescribeVolumes', () => true],
  ['UserData', 'ec2.DescribeInstanceAttribute', (d) => d.InstanceId !== undefined],
  ['Snapshots', 'ec2.DescribeSnapshots', () => true],
  ['CreateVolumePermissions', 'ec2.DescribeSnapshotAttribute', () => true],
  ['Images', 'ec2.DescribeImages', () => true],
  ['Vpcs', 'ec2.DescribeVpcs', () => true],
  ['FlowLogs', 'ec2.DescribeFlowLogs', () => true],
  ['NetworkAcls', 'ec2.DescribeNetworkAcls', () => true],
  ['Subnets', 'ec2.DescribeSubnets', () => true],
  ['Buckets', 's3.ListBuckets', () => true],
  ['UserDetailList', 'iam.GetAccountAuthorizationDetails', () => true],
  ['RoleDetailList', 'iam.GetAccountAuthorizationDetails', () => true],
  ['GroupDetailList', 'iam.GetAccountAuthorizationDetails', () => true],
  ['Users', 'iam.ListUsers', () => true],
  ['AccessKeyMetadata', 'iam.ListAccessKeys', () => true],
  ['Roles', 'iam.ListRoles', () => true],
  ['PasswordPolicy', 'iam.GetAccountPasswordPolicy', () => true],
  ['Policies', 'iam.ListPolicies', () => true],
  ['MFADevices', 'iam.ListMFADevices', () => true],
  ['Content', 'iam.GetCredentialReport', (d) => d.ReportFormat !== undefined],
  ['DBInstances', 'rds.DescribeDBInstances', () => true],
  ['DBClusters', 'rds.DescribeDBClusters', () => true],
  ['KeyMetadata', 'kms.DescribeKey', () => true],
  ['KeyRotationEnabled', 'kms.GetKeyRotationStatus', (d) => d.KeyId !== undefined],
  ['Keys', 'kms.ListKeys', () => true],
  ['trailList', 'cloudtrail.DescribeTrails', () => true],
  ['EventSelectors', 'cloudtrail.GetEventSelectors', (d) => d.TrailARN !== undefined],
  ['Functions', 'lambda.ListFunctions', () => true],
  ['cluster', 'eks.DescribeCluster', () => true],
  ['LoadBalancers', 'elbv2.DescribeLoadBalancers', () => true],
  ['Listeners', 'elbv2.DescribeListeners', () => true],
  ['LoadBalancerDescriptions', 'elb.DescribeLoadBalancers', () => true],
  ['Table', 'dynamodb.DescribeTable', () => true],
  ['repositories', 'ecr.DescribeRepositories', () => true],
  ['FileSystems', 'efs.DescribeFileSystems', () => true],
  ['logGroups', 'logs.DescribeLogGroups', () => true],
  ['ReplicationGroups', 'elasticache.DescribeReplicationGroups', () => true],
];

const KEY_PATTERN = new RegExp(
  `^\\s*\\{[\\s\\S]{0,200}?"(${RESULT_KEYS.map(([k]) => k).join('|')})"\\s*:`,
);

/** The call a parsed body answers, if any. */
export function describedCall(data: Props): string | undefined {
  if ('status_code' in data || 'configurationItems' in data || 'Records' in data) return undefined;
  return RESULT_KEYS.find(([key, , check]) => key in data && check(data))?.[1];
}

function detect(file: SourceFile): boolean {
  if (!/\.json(\.gz)?$/i.test(file.path)) return false;
  if (!KEY_PATTERN.test(file.text) && !/"ResponseMetadata"\s*:/.test(file.text.slice(0, 4096)))
    return false;
  try {
    const data = JSON.parse(file.text) as unknown;
    return isRecord(data) && describedCall(data) !== undefined;
  } catch {
    return false;
  }
}

/** Reader for saved describe/list/get responses (source kind `aws-api`). */
export const describeReader: Reader = {
  kind: 'aws-api',
  detect,
  read(file) {
    let data: unknown;
    try {
      data = JSON.parse(file.text);
    } catch (err) {
      throw new SourceReadError({
        file: file.path,
        code: 'PARSE_ERROR',
        message: `invalid JSON: ${(err as Error).message}`,
        line: 1,
      });
    }
    const call = isRecord(data) ? describedCall(data) : undefined;
    if (!isRecord(data) || !call) {
      throw new SourceReadError({
        file: file.path,
        code: 'UNSUPPORTED_TEMPLATE',
        message: 'not a recognised AWS API response',
        line: 1,
      });
    }
    const ctx = { status: 200, folder: file.path, sibling: () => [] };
    return {
      resources: mapApiCall(call, data, ctx).map((i) => inventoryResource(i, 'aws-api', file.path)),
    };
  },
};
