/**
 * Managed databases in their describe shapes: RDS instances and clusters (DescribeDBInstances /
 * DescribeDBClusters), Neptune and DocumentDB clusters, Redshift clusters, DynamoDB tables and
 * ElastiCache replication groups.
 */

import type { Relationship, Resource } from '../../../model/resource.js';
import { literalSecrets } from '../../literal-secrets.js';
import type { TerraformBlock } from '../../terraform/terraform-block.js';
import type { AwsContext } from './aws-context.js';
import { toResource } from './tf-resource.js';
import { block, bool, compact, items, num, present, str, type Attrs } from './tf-values.js';

function securityGroupLinks(b: TerraformBlock, ctx: AwsContext): Relationship[] {
  return ctx
    .referenced(b)
    .filter((r) => r.type === 'aws_security_group' || r.type === 'aws_db_subnet_group')
    .map((r) => ({ kind: 'references', target: ctx.idOf(r) }));
}

/** Translates one RDS instance; an Aurora member takes storage encryption from its cluster. */
export function dbInstance(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const cluster = ctx.referenced(b, 'aws_rds_cluster')[0];
  const encrypted =
    cluster && !present(a.storage_encrypted)
      ? bool(cluster.attributes.storage_encrypted, false)
      : bool(a.storage_encrypted, false);
  const properties = compact({
    DBInstanceIdentifier: a.identifier,
    DBInstanceClass: a.instance_class,
    Engine: a.engine,
    EngineVersion: a.engine_version,
    DBName: a.db_name ?? a.name,
    MasterUsername: a.username,
    AllocatedStorage: num(a.allocated_storage),
    StorageEncrypted: encrypted,
    KmsKeyId: a.kms_key_id,
    PubliclyAccessible: bool(a.publicly_accessible, false),
    BackupRetentionPeriod: num(a.backup_retention_period, 1),
    MultiAZ: bool(a.multi_az, false),
    DeletionProtection: bool(a.deletion_protection, false),
    IAMDatabaseAuthenticationEnabled: bool(a.iam_database_authentication_enabled, false),
    AutoMinorVersionUpgrade: bool(a.auto_minor_version_upgrade, true),
    EnabledCloudwatchLogsExports: a.enabled_cloudwatch_logs_exports ?? [],
    MonitoringInterval: num(a.monitoring_interval, 0),
    PerformanceInsightsEnabled: bool(a.performance_insights_enabled, false),
    CopyTagsToSnapshot: bool(a.copy_tags_to_snapshot, false),
    DBClusterIdentifier: a.cluster_identifier,
    ReadReplicaSourceDBInstanceIdentifier: a.replicate_source_db,
    VpcSecurityGroups: items(a.vpc_security_group_ids).map((id) => ({
      VpcSecurityGroupId: id,
      Status: 'active',
    })),
    Palisade: literalSecrets(a, ['password']),
  });
  return toResource(b, {
    type: 'AWS::RDS::DBInstance',
    properties,
    name: a.identifier,
    relationships: securityGroupLinks(b, ctx),
  });
}

/** DescribeDBClusters fields shared by RDS, Neptune and DocumentDB clusters. */
function clusterProperties(a: Attrs, engine: string, encryptedByDefault: boolean): Attrs {
  return compact({
    DBClusterIdentifier: a.cluster_identifier,
    Engine: str(a.engine, engine),
    EngineVersion: a.engine_version,
    EngineMode: a.engine_mode,
    DatabaseName: a.database_name,
    MasterUsername: a.master_username,
    StorageEncrypted: bool(a.storage_encrypted, encryptedByDefault),
    KmsKeyId: a.kms_key_id,
    BackupRetentionPeriod: num(a.backup_retention_period, 1),
    DeletionProtection: bool(a.deletion_protection, false),
    IAMDatabaseAuthenticationEnabled: bool(a.iam_database_authentication_enabled, false),
    EnabledCloudwatchLogsExports: a.enabled_cloudwatch_logs_exports ?? [],
    CopyTagsToSnapshot: bool(a.copy_tags_to_snapshot, false),
    VpcSecurityGroups: items(a.vpc_security_group_ids).map((id) => ({
      VpcSecurityGroupId: id,
      Status: 'active',
    })),
    Palisade: literalSecrets(a, ['master_password']),
  });
}

/** Translates one RDS (Aurora) cluster; serverless v1 clusters are always encrypted. */
export function rdsCluster(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const properties = clusterProperties(a, 'aurora', a.engine_mode === 'serverless');
  return toResource(b, {
    type: 'AWS::RDS::DBCluster',
    properties,
    name: a.cluster_identifier,
    relationships: securityGroupLinks(b, ctx),
  });
}

/** Translates one Neptune cluster. */
export function neptuneCluster(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  return toResource(b, {
    type: 'AWS::Neptune::DBCluster',
    properties: clusterProperties(a, 'neptune', false),
    name: a.cluster_identifier,
    relationships: securityGroupLinks(b, ctx),
  });
}

/** Translates one DocumentDB cluster. */
export function docdbCluster(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  return toResource(b, {
    type: 'AWS::DocDB::DBCluster',
    properties: clusterProperties(a, 'docdb', false),
    name: a.cluster_identifier,
    relationships: securityGroupLinks(b, ctx),
  });
}

/** Translates one Redshift cluster (DescribeClusters item + DescribeLoggingStatus). */
export function redshiftCluster(b: TerraformBlock, ctx: AwsContext): Resource {
  const a = b.attributes;
  const logging =
    block(a.logging) ??
    ctx.owned('aws_redshift_logging', b, 'cluster_identifier', [a.cluster_identifier])[0]
      ?.attributes;
  const properties = compact({
    ClusterIdentifier: a.cluster_identifier,
    NodeType: a.node_type,
    // Redshift encrypts new provisioned clusters unless told otherwise.
    Encrypted: bool(a.encrypted, true),
    KmsKeyId: a.kms_key_id,
    PubliclyAccessible: bool(a.publicly_accessible, false),
    EnhancedVpcRouting: bool(a.enhanced_vpc_routing, false),
    AutomatedSnapshotRetentionPeriod: num(a.automated_snapshot_retention_period, 1),
    AllowVersionUpgrade: bool(a.allow_version_upgrade, true),
    LoggingStatus: { LoggingEnabled: logging ? bool(logging.enable, true) : false },
    Palisade: literalSecrets(a, ['master_password']),
  });
  return toResource(b, { type: 'AWS::Redshift::Cluster', properties, name: a.cluster_identifier });
}

/** Translates one DynamoDB table (DescribeTable Table + DescribeContinuousBackups). */
export function dynamodbTable(b: TerraformBlock, _ctx: AwsContext): Resource {
  const a = b.attributes;
  const sse = block(a.server_side_encryption);
  const pitr = block(a.point_in_time_recovery);
  const properties = compact({
    TableName: a.name,
    BillingModeSummary: { BillingMode: str(a.billing_mode, 'PROVISIONED') },
    // DescribeTable reports SSEDescription only for KMS keys; the AWS-owned key leaves it out.
    SSEDescription:
      sse && bool(sse.enabled, false) !== false
        ? compact({
            Status: 'ENABLED',
            SSEType: 'KMS',
            KMSMasterKeyArn: sse.kms_key_arn,
          })
        : undefined,
    DeletionProtectionEnabled: bool(a.deletion_protection_enabled, false),
    ContinuousBackups: {
      ContinuousBackupsStatus: 'ENABLED',
      PointInTimeRecoveryDescription: {
        PointInTimeRecoveryStatus:
          pitr && bool(pitr.enabled, false) === true ? 'ENABLED' : 'DISABLED',
      },
    },
  });
  return toResource(b, { type: 'AWS::DynamoDB::Table', properties, name: a.name });
}

/** Translates one ElastiCache replication group. */
export function elasticacheReplicationGroup(b: TerraformBlock, _ctx: AwsContext): Resource {
  const a = b.attributes;
  const failover = bool(a.automatic_failover_enabled, false);
  const properties = compact({
    ReplicationGroupId: a.replication_group_id,
    Description: a.description ?? a.replication_group_description,
    Engine: str(a.engine, 'redis'),
    AtRestEncryptionEnabled: bool(a.at_rest_encryption_enabled, false),
    TransitEncryptionEnabled: bool(a.transit_encryption_enabled, false),
    AuthTokenEnabled: present(a.auth_token),
    KmsKeyId: a.kms_key_id,
    AutomaticFailover:
      typeof failover === 'boolean' ? (failover ? 'enabled' : 'disabled') : failover,
    MultiAZ: bool(a.multi_az_enabled, false) === true ? 'enabled' : 'disabled',
    SnapshotRetentionLimit: num(a.snapshot_retention_limit, 0),
    Palisade: literalSecrets(a, ['auth_token']),
  });
  return toResource(b, {
    type: 'AWS::ElastiCache::ReplicationGroup',
    properties,
    name: a.replication_group_id,
  });
}
