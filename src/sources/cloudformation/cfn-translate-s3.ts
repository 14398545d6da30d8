/**
 * AWS::S3::Bucket properties -> the S3 API shape (GetBucketEncryption, GetBucketVersioning,
 * GetBucketLogging, GetPublicAccessBlock, GetBucketAcl results merged into one bucket).
 */

import { unknownValue } from '../../model/resource.js';
import { asList, bool, isRecord, or, pick, type Props } from './cfn-values.js';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';
const LOG_DELIVERY = 'http://acs.amazonaws.com/groups/s3/LogDelivery';

/** Extra grants each canned ACL adds to the owner's FULL_CONTROL. */
const CANNED_ACL_GRANTS: Record<string, [string, string][]> = {
  Private: [],
  PublicRead: [[ALL_USERS, 'READ']],
  PublicReadWrite: [
    [ALL_USERS, 'READ'],
    [ALL_USERS, 'WRITE'],
  ],
  AuthenticatedRead: [[AUTH_USERS, 'READ']],
  LogDeliveryWrite: [
    [LOG_DELIVERY, 'WRITE'],
    [LOG_DELIVERY, 'READ_ACP'],
  ],
  BucketOwnerRead: [],
  BucketOwnerFullControl: [],
  AwsExecRead: [],
};

function acl(canned: unknown): Props | unknown {
  // The owner's canonical id is known only after deploy and no rule needs it: left out.
  const ownerGrant = { Grantee: { Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' };
  const name = or(canned, 'Private');
  if (typeof name !== 'string') return unknownValue('AccessControl is not known statically');

  const extra = CANNED_ACL_GRANTS[name] ?? [];
  const grants = extra.map(([uri, permission]) => ({
    Grantee: { Type: 'Group', URI: uri },
    Permission: permission,
  }));
  return { Owner: {}, Grants: [ownerGrant, ...grants] };
}

function encryption(bucketEncryption: unknown): Props {
  if (!isRecord(bucketEncryption)) {
    // S3 encrypts every new bucket with SSE-S3 unless told otherwise.
    return {
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
      ],
    };
  }
  const rules = asList(bucketEncryption.ServerSideEncryptionConfiguration).map((rule) => {
    if (!isRecord(rule)) return rule;
    const byDefault = isRecord(rule.ServerSideEncryptionByDefault)
      ? pick(rule.ServerSideEncryptionByDefault, ['SSEAlgorithm', 'KMSMasterKeyID'])
      : rule.ServerSideEncryptionByDefault;
    return {
      ApplyServerSideEncryptionByDefault: byDefault,
      BucketKeyEnabled: or(bool(rule.BucketKeyEnabled), false),
    };
  });
  return { Rules: rules };
}

function logging(config: unknown, name: unknown): Props {
  if (!isRecord(config)) return {};
  const target = or(config.DestinationBucketName, name);
  return { LoggingEnabled: { TargetBucket: target, TargetPrefix: or(config.LogFilePrefix, '') } };
}

function versioning(config: unknown): Props | unknown {
  if (config === undefined) return {};
  if (!isRecord(config)) return config;
  return { Status: config.Status };
}

/** New buckets get all four Block Public Access settings on unless the template says otherwise. */
function publicAccessBlock(config: unknown): unknown {
  const defaults = {
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  };
  if (config === undefined) return defaults;
  if (!isRecord(config)) return config;
  const out: Props = {};
  for (const key of Object.keys(defaults)) out[key] = or(bool(config[key]), false);
  return out;
}

/** Translates an AWS::S3::Bucket's Properties. */
export function translateS3Bucket(p: Props): Props {
  const name = or(p.BucketName, unknownValue('bucket name generated at deploy'));
  return {
    Name: name,
    Acl: acl(p.AccessControl),
    ServerSideEncryptionConfiguration: encryption(p.BucketEncryption),
    Versioning: versioning(p.VersioningConfiguration),
    Logging: logging(p.LoggingConfiguration, name),
    PublicAccessBlockConfiguration: publicAccessBlock(p.PublicAccessBlockConfiguration),
    ...pick(p, [
      'LifecycleConfiguration',
      'ObjectLockConfiguration',
      'ReplicationConfiguration',
      'WebsiteConfiguration',
      'OwnershipControls',
      'CorsConfiguration',
      'NotificationConfiguration',
    ]),
    ObjectLockEnabled: or(bool(p.ObjectLockEnabled), false),
  };
}
