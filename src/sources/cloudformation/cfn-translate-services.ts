/**
 * Data, logging, compute and edge services -> their describe API shapes: RDS, CloudTrail, KMS,
 * load balancers, Lambda, EKS (camelCase), DynamoDB, SQS, SNS, EFS, ElastiCache, Logs, ECR.
 */

import { isServicePrincipal } from '../../model/aws-partition.js';
import { isUnknown, UNKNOWN_KEY, unknownValue } from '../../model/resource.js';
import { literalSecrets } from '../literal-secrets.js';
import { asList, bool, boolOr, isRecord, num, or, pick, policy, type Props } from './cfn-values.js';

/**
 * A secret property that holds text as written: not a `{{resolve:secretsmanager:...}}` or
 * `{{resolve:ssm-secure:...}}` dynamic reference, which CloudFormation fills in at deploy.
 */
function notDynamicReference(value: string): boolean {
  return !value.includes('{{resolve:');
}

export function translateDbInstance(p: Props): Props {
  // Cluster members and read replicas inherit encryption from their cluster or source.
  const inherits =
    p.DBClusterIdentifier !== undefined || p.SourceDBInstanceIdentifier !== undefined;
  return {
    ...pick(p, [
      'DBInstanceIdentifier',
      'DBInstanceClass',
      'Engine',
      'EngineVersion',
      'KmsKeyId',
      'MasterUsername',
      'StorageType',
      'DBClusterIdentifier',
      'CACertificateIdentifier',
      'LicenseModel',
    ]),
    // The describe API's name for the source of a read replica. That there is one is known even
    // when which is not (`!Ref MainDB`): the reference's text stands for it.
    ...(p.SourceDBInstanceIdentifier !== undefined
      ? {
          ReadReplicaSourceDBInstanceIdentifier: isUnknown(p.SourceDBInstanceIdentifier)
            ? p.SourceDBInstanceIdentifier[UNKNOWN_KEY]
            : p.SourceDBInstanceIdentifier,
        }
      : {}),
    AllocatedStorage: num(p.AllocatedStorage),
    StorageEncrypted:
      inherits && p.StorageEncrypted === undefined
        ? unknownValue('encryption is inherited from the cluster or source instance')
        : boolOr(p.StorageEncrypted, false),
    // Without a subnet group the instance lands in the default VPC, where the default is public.
    PubliclyAccessible: or(
      bool(p.PubliclyAccessible),
      p.DBSubnetGroupName === undefined
        ? unknownValue('public accessibility depends on the default VPC')
        : false,
    ),
    BackupRetentionPeriod: num(or(p.BackupRetentionPeriod, 1)),
    MultiAZ: boolOr(p.MultiAZ, false),
    DeletionProtection: boolOr(p.DeletionProtection, false),
    IAMDatabaseAuthenticationEnabled: boolOr(p.EnableIAMDatabaseAuthentication, false),
    AutoMinorVersionUpgrade: boolOr(p.AutoMinorVersionUpgrade, true),
    EnabledCloudwatchLogsExports: or(p.EnableCloudwatchLogsExports, []),
    MonitoringInterval: num(or(p.MonitoringInterval, 0)),
    PerformanceInsightsEnabled: boolOr(p.EnablePerformanceInsights, false),
    CopyTagsToSnapshot: boolOr(p.CopyTagsToSnapshot, false),
    Endpoint: { Port: num(p.Port) },
    VpcSecurityGroups: asList(p.VPCSecurityGroups).map((id) => ({
      VpcSecurityGroupId: id,
      Status: 'active',
    })),
    DBSubnetGroup:
      p.DBSubnetGroupName === undefined ? undefined : { DBSubnetGroupName: p.DBSubnetGroupName },
    Palisade: literalSecrets(p, ['MasterUserPassword'], notDynamicReference),
  };
}

export function translateDbCluster(p: Props): Props {
  return {
    ...pick(p, [
      'DBClusterIdentifier',
      'Engine',
      'EngineVersion',
      'EngineMode',
      'KmsKeyId',
      'MasterUsername',
      'DatabaseName',
    ]),
    StorageEncrypted: boolOr(p.StorageEncrypted, false),
    BackupRetentionPeriod: num(or(p.BackupRetentionPeriod, 1)),
    DeletionProtection: boolOr(p.DeletionProtection, false),
    IAMDatabaseAuthenticationEnabled: boolOr(p.EnableIAMDatabaseAuthentication, false),
    EnabledCloudwatchLogsExports: or(p.EnableCloudwatchLogsExports, []),
    CopyTagsToSnapshot: boolOr(p.CopyTagsToSnapshot, false),
    PubliclyAccessible: boolOr(p.PubliclyAccessible, false),
    Port: num(p.Port),
    VpcSecurityGroups: asList(p.VpcSecurityGroupIds).map((id) => ({
      VpcSecurityGroupId: id,
      Status: 'active',
    })),
    Palisade: literalSecrets(p, ['MasterUserPassword'], notDynamicReference),
  };
}

export function translateTrail(p: Props): Props {
  return {
    Name: or(p.TrailName, unknownValue('trail name generated at deploy')),
    ...pick(p, [
      'S3BucketName',
      'S3KeyPrefix',
      'KmsKeyId',
      'CloudWatchLogsLogGroupArn',
      'CloudWatchLogsRoleArn',
      'SnsTopicName',
    ]),
    IsMultiRegionTrail: boolOr(p.IsMultiRegionTrail, false),
    LogFileValidationEnabled: boolOr(p.EnableLogFileValidation, false),
    IncludeGlobalServiceEvents: boolOr(p.IncludeGlobalServiceEvents, true),
    IsOrganizationTrail: boolOr(p.IsOrganizationTrail, false),
    Status: { IsLogging: bool(p.IsLogging) },
    EventSelectors: or(p.EventSelectors, [
      { ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [] },
    ]),
    ...(p.AdvancedEventSelectors !== undefined
      ? { AdvancedEventSelectors: p.AdvancedEventSelectors }
      : {}),
  };
}

export function translateKmsKey(p: Props): Props {
  const enabled = boolOr(p.Enabled, true);
  return {
    KeyId: unknownValue('key id assigned at deploy'),
    Description: or(p.Description, ''),
    Enabled: enabled,
    KeyState: enabled === true ? 'Enabled' : enabled === false ? 'Disabled' : enabled,
    KeyManager: 'CUSTOMER',
    KeyUsage: or(p.KeyUsage, 'ENCRYPT_DECRYPT'),
    KeySpec: or(p.KeySpec, 'SYMMETRIC_DEFAULT'),
    MultiRegion: boolOr(p.MultiRegion, false),
    KeyRotationEnabled: boolOr(p.EnableKeyRotation, false),
    Policy: policy(p.KeyPolicy),
    ...(p.PendingWindowInDays !== undefined
      ? { PendingDeletionWindowInDays: num(p.PendingWindowInDays) }
      : {}),
  };
}

/** Attribute defaults DescribeLoadBalancerAttributes returns for a new application LB. */
const ALB_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'access_logs.s3.enabled': 'false',
  'deletion_protection.enabled': 'false',
  'idle_timeout.timeout_seconds': '60',
  'routing.http.drop_invalid_header_fields.enabled': 'false',
  'routing.http2.enabled': 'true',
};

export function translateLoadBalancerV2(p: Props): Props {
  const type = or(p.Type, 'application');
  const attributes: Props =
    type === 'application'
      ? { ...ALB_ATTRIBUTE_DEFAULTS }
      : {
          'access_logs.s3.enabled': 'false',
          'deletion_protection.enabled': 'false',
        };
  for (const attr of asList(p.LoadBalancerAttributes)) {
    if (isRecord(attr) && typeof attr.Key === 'string')
      attributes[attr.Key] =
        typeof attr.Value === 'boolean' || typeof attr.Value === 'number'
          ? String(attr.Value)
          : attr.Value;
  }
  return {
    LoadBalancerName: or(p.Name, unknownValue('name generated at deploy')),
    Scheme: or(p.Scheme, 'internet-facing'),
    Type: type,
    IpAddressType: or(p.IpAddressType, 'ipv4'),
    SecurityGroups: asList(p.SecurityGroups),
    AvailabilityZones: asList(p.Subnets).map((s) => ({ SubnetId: s })),
    Attributes: attributes,
    Listeners: [],
  };
}

export function translateListener(p: Props): Props {
  return {
    ...pick(p, [
      'LoadBalancerArn',
      'Protocol',
      'SslPolicy',
      'Certificates',
      'DefaultActions',
      'AlpnPolicy',
    ]),
    Port: num(p.Port),
  };
}

export function translateClassicLoadBalancer(p: Props): Props {
  const log = isRecord(p.AccessLoggingPolicy) ? p.AccessLoggingPolicy : {};
  const draining = isRecord(p.ConnectionDrainingPolicy) ? p.ConnectionDrainingPolicy : {};
  const settings = isRecord(p.ConnectionSettings) ? p.ConnectionSettings : {};
  const listeners = asList(p.Listeners)
    .filter(isRecord)
    .map((l) => ({
      Listener: {
        Protocol: l.Protocol,
        LoadBalancerPort: num(l.LoadBalancerPort),
        InstancePort: num(l.InstancePort),
        InstanceProtocol: or(l.InstanceProtocol, l.Protocol),
        ...(l.SSLCertificateId ? { SSLCertificateId: l.SSLCertificateId } : {}),
      },
      PolicyNames: asList(l.PolicyNames),
    }));
  return {
    LoadBalancerName: or(p.LoadBalancerName, unknownValue('name generated at deploy')),
    Scheme: or(p.Scheme, 'internet-facing'),
    ListenerDescriptions: listeners,
    Policies: p.Policies,
    SecurityGroups: asList(p.SecurityGroups),
    Subnets: asList(p.Subnets),
    Instances: asList(p.Instances).map((id) => ({ InstanceId: id })),
    HealthCheck: p.HealthCheck,
    Attributes: {
      AccessLog: {
        Enabled: boolOr(log.Enabled, false),
        ...pick(log, ['S3BucketName', 'S3BucketPrefix', 'EmitInterval']),
      },
      ConnectionDraining: {
        Enabled: boolOr(draining.Enabled, false),
        Timeout: num(or(draining.Timeout, 300)),
      },
      CrossZoneLoadBalancing: { Enabled: boolOr(p.CrossZone, false) },
      ConnectionSettings: { IdleTimeout: num(or(settings.IdleTimeout, 60)) },
    },
  };
}

export function translateLambda(p: Props): Props {
  const tracing = isRecord(p.TracingConfig) ? p.TracingConfig.Mode : undefined;
  const env = isRecord(p.Environment) ? { Variables: or(p.Environment.Variables, {}) } : undefined;
  return {
    FunctionName: or(p.FunctionName, unknownValue('function name generated at deploy')),
    ...pick(p, [
      'Runtime',
      'Role',
      'Handler',
      'VpcConfig',
      'Layers',
      'Architectures',
      'ImageConfig',
    ]),
    ...(env ? { Environment: env } : {}),
    TracingConfig: { Mode: or(tracing, 'PassThrough') },
    ...(p.KmsKeyArn !== undefined ? { KMSKeyArn: p.KmsKeyArn } : {}),
    ...(isRecord(p.DeadLetterConfig)
      ? { DeadLetterConfig: pick(p.DeadLetterConfig, ['TargetArn']) }
      : {}),
    MemorySize: num(or(p.MemorySize, 128)),
    Timeout: num(or(p.Timeout, 3)),
    PackageType: or(p.PackageType, 'Zip'),
    FunctionUrlConfigs: [],
  };
}

/** AWS::Lambda::Permission -> one statement of the function's resource policy. */
export function lambdaPermissionStatement(p: Props): Props {
  const principal =
    p.Principal === '*'
      ? '*'
      : isServicePrincipal(p.Principal)
        ? { Service: p.Principal }
        : { AWS: p.Principal };
  const condition: Props = {};
  if (p.SourceArn !== undefined) condition.ArnLike = { 'AWS:SourceArn': p.SourceArn };
  if (p.SourceAccount !== undefined)
    condition.StringEquals = { 'AWS:SourceAccount': p.SourceAccount };
  return {
    Effect: 'Allow',
    Principal: principal,
    Action: p.Action,
    Resource: unknownValue('function ARN'),
    ...(Object.keys(condition).length > 0 ? { Condition: condition } : {}),
  };
}

const EKS_LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export function translateEksCluster(p: Props): Props {
  const vpc = isRecord(p.ResourcesVpcConfig) ? p.ResourcesVpcConfig : {};
  const logging =
    isRecord(p.Logging) && isRecord(p.Logging.ClusterLogging) ? p.Logging.ClusterLogging : {};
  const enabled = asList(logging.EnabledTypes).map((t) => (isRecord(t) ? t.Type : t));
  const disabled = EKS_LOG_TYPES.filter((t) => !enabled.includes(t));
  const clusterLogging = [
    ...(enabled.length > 0 ? [{ types: enabled, enabled: true }] : []),
    ...(disabled.length > 0 ? [{ types: disabled, enabled: false }] : []),
  ];
  return {
    name: or(p.Name, unknownValue('cluster name generated at deploy')),
    version: p.Version,
    roleArn: p.RoleArn,
    resourcesVpcConfig: {
      subnetIds: asList(vpc.SubnetIds),
      securityGroupIds: asList(vpc.SecurityGroupIds),
      endpointPublicAccess: boolOr(vpc.EndpointPublicAccess, true),
      endpointPrivateAccess: boolOr(vpc.EndpointPrivateAccess, false),
      publicAccessCidrs: or(vpc.PublicAccessCidrs, ['0.0.0.0/0']),
    },
    logging: { clusterLogging },
    encryptionConfig: asList(p.EncryptionConfig)
      .filter(isRecord)
      .map((e) => ({
        resources: e.Resources,
        provider: isRecord(e.Provider) ? { keyArn: e.Provider.KeyArn } : e.Provider,
      })),
    ...(isRecord(p.AccessConfig)
      ? { accessConfig: { authenticationMode: p.AccessConfig.AuthenticationMode } }
      : {}),
  };
}

export function translateDynamoTable(p: Props): Props {
  const sse = isRecord(p.SSESpecification) ? p.SSESpecification : {};
  const pitr = isRecord(p.PointInTimeRecoverySpecification)
    ? p.PointInTimeRecoverySpecification
    : {};
  const sseEnabled = bool(sse.SSEEnabled);
  return {
    TableName: or(p.TableName, unknownValue('table name generated at deploy')),
    ...pick(p, [
      'KeySchema',
      'AttributeDefinitions',
      'StreamSpecification',
      'GlobalSecondaryIndexes',
    ]),
    BillingModeSummary: { BillingMode: or(p.BillingMode, 'PROVISIONED') },
    // With the default AWS owned key, DescribeTable returns no SSEDescription.
    ...(sseEnabled === true
      ? {
          SSEDescription: {
            Status: 'ENABLED',
            SSEType: or(sse.SSEType, 'KMS'),
            KMSMasterKeyArn: sse.KMSMasterKeyId,
          },
        }
      : {}),
    DeletionProtectionEnabled: boolOr(p.DeletionProtectionEnabled, false),
    ContinuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: {
        PointInTimeRecoveryStatus:
          bool(pitr.PointInTimeRecoveryEnabled) === true ? 'ENABLED' : 'DISABLED',
      },
    },
  };
}

function stringAttr(v: unknown): unknown {
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : v;
}

export function translateQueue(p: Props): Props {
  const attributes: Props = {
    VisibilityTimeout: stringAttr(or(p.VisibilityTimeout, 30)),
    MessageRetentionPeriod: stringAttr(or(p.MessageRetentionPeriod, 345600)),
    DelaySeconds: stringAttr(or(p.DelaySeconds, 0)),
    MaximumMessageSize: stringAttr(or(p.MaximumMessageSize, 262144)),
    ReceiveMessageWaitTimeSeconds: stringAttr(or(p.ReceiveMessageWaitTimeSeconds, 0)),
    // SQS-managed SSE is on for new queues unless a KMS key or an explicit false is given.
    SqsManagedSseEnabled: stringAttr(or(p.SqsManagedSseEnabled, p.KmsMasterKeyId === undefined)),
  };
  if (p.KmsMasterKeyId !== undefined) attributes.KmsMasterKeyId = p.KmsMasterKeyId;
  if (p.FifoQueue !== undefined) attributes.FifoQueue = stringAttr(p.FifoQueue);
  if (p.RedrivePolicy !== undefined) attributes.RedrivePolicy = p.RedrivePolicy;
  return {
    QueueName: or(p.QueueName, unknownValue('queue name generated at deploy')),
    Attributes: attributes,
  };
}

export function translateTopic(p: Props): Props {
  const attributes: Props = { DisplayName: or(p.DisplayName, '') };
  if (p.KmsMasterKeyId !== undefined) attributes.KmsMasterKeyId = p.KmsMasterKeyId;
  if (p.FifoTopic !== undefined) attributes.FifoTopic = stringAttr(p.FifoTopic);
  return {
    TopicName: or(p.TopicName, unknownValue('topic name generated at deploy')),
    Attributes: attributes,
    Subscriptions: asList(p.Subscription),
  };
}

export function translateFileSystem(p: Props): Props {
  return {
    Encrypted: boolOr(p.Encrypted, false),
    ...pick(p, ['KmsKeyId', 'LifecyclePolicies', 'FileSystemPolicy', 'AvailabilityZoneName']),
    PerformanceMode: or(p.PerformanceMode, 'generalPurpose'),
    ThroughputMode: or(p.ThroughputMode, 'bursting'),
    BackupPolicy: isRecord(p.BackupPolicy)
      ? { Status: p.BackupPolicy.Status }
      : { Status: 'DISABLED' },
  };
}

export function translateReplicationGroup(p: Props): Props {
  return {
    ReplicationGroupId: or(p.ReplicationGroupId, unknownValue('id generated at deploy')),
    Description: p.ReplicationGroupDescription,
    ...pick(p, ['CacheNodeType', 'Engine', 'EngineVersion', 'KmsKeyId', 'NumCacheClusters']),
    AtRestEncryptionEnabled: boolOr(p.AtRestEncryptionEnabled, false),
    TransitEncryptionEnabled: boolOr(p.TransitEncryptionEnabled, false),
    AuthTokenEnabled: p.AuthToken !== undefined,
    AutomaticFailover: bool(p.AutomaticFailoverEnabled) === true ? 'enabled' : 'disabled',
    MultiAZ: bool(p.MultiAZEnabled) === true ? 'enabled' : 'disabled',
    SnapshotRetentionLimit: num(or(p.SnapshotRetentionLimit, 0)),
    Palisade: literalSecrets(p, ['AuthToken'], notDynamicReference),
  };
}

export function translateLogGroup(p: Props): Props {
  return {
    logGroupName: or(p.LogGroupName, unknownValue('log group name generated at deploy')),
    ...(p.RetentionInDays !== undefined ? { retentionInDays: num(p.RetentionInDays) } : {}),
    ...(p.KmsKeyId !== undefined ? { kmsKeyId: p.KmsKeyId } : {}),
    logGroupClass: or(p.LogGroupClass, 'STANDARD'),
  };
}

export function translateEcrRepository(p: Props): Props {
  const scan = isRecord(p.ImageScanningConfiguration) ? p.ImageScanningConfiguration : {};
  const enc = isRecord(p.EncryptionConfiguration) ? p.EncryptionConfiguration : {};
  return {
    repositoryName: or(p.RepositoryName, unknownValue('repository name generated at deploy')),
    imageTagMutability: or(p.ImageTagMutability, 'MUTABLE'),
    imageScanningConfiguration: { scanOnPush: boolOr(scan.ScanOnPush, false) },
    encryptionConfiguration: {
      encryptionType: or(enc.EncryptionType, 'AES256'),
      ...(enc.KmsKey !== undefined ? { kmsKey: enc.KmsKey } : {}),
    },
    ...(p.RepositoryPolicyText !== undefined
      ? { repositoryPolicy: policy(p.RepositoryPolicyText) }
      : {}),
  };
}
