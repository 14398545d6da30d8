/** The AWS translator behind the real Terraform reader, on TerraGoat's AWS module. */

import { describe, expect, it } from 'vitest';
import { isUnknown, type Resource } from '../../../src/model/resource.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { shared } from '../../support/paths.js';

const { resources } = await readPaths([shared('iac/terragoat/terraform/aws')]);

function at(address: string): Resource {
  const found = resources.filter((r) => r.source.address === address);
  expect(found, address).toHaveLength(1);
  return found[0]!;
}

describe('TerraGoat AWS through the Terraform reader', () => {
  it('gives one resource per modelled block and none for blocks that only decorate another', () => {
    const types = new Set(resources.map((r) => r.type));
    for (const t of [
      'AWS::S3::Bucket',
      'AWS::EC2::SecurityGroup',
      'AWS::EC2::Instance',
      'AWS::EC2::Volume',
      'AWS::EC2::Snapshot',
      'AWS::EC2::VPC',
      'AWS::EC2::Subnet',
      'AWS::IAM::User',
      'AWS::IAM::Role',
      'AWS::RDS::DBInstance',
      'AWS::RDS::DBCluster',
      'AWS::KMS::Key',
      'AWS::EKS::Cluster',
      'AWS::ECR::Repository',
    ]) {
      expect(types, t).toContain(t);
    }
    expect(resources.filter((r) => r.type === 'AWS::S3::Bucket')).toHaveLength(6);
    expect(resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup')).toHaveLength(2);
    expect(
      resources.some((r) =>
        /aws_(security_group_rule|iam_user_policy|flow_log)\./.test(r.source.address ?? ''),
      ),
    ).toBe(false);
  });

  it("keeps each resource's file, line and address", () => {
    const volume = at('aws_ebs_volume.web_host_storage');
    expect(volume.source.file).toMatch(/terragoat\/terraform\/aws\/ec2\.tf$/);
    expect(volume.source.line).toBe(34);
    expect(
      resources.every((r) => r.source.kind === 'terraform' && typeof r.source.line === 'number'),
    ).toBe(true);
  });

  it('reads the legacy inline bucket arguments', () => {
    const logs = at('aws_s3_bucket.logs').properties as any;
    expect(logs.Versioning).toEqual({ Status: 'Enabled' });
    expect(
      logs.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
        .SSEAlgorithm,
    ).toBe('aws:kms');
    expect(logs.Acl.Grants.map((g: any) => g.Permission)).toEqual([
      'FULL_CONTROL',
      'WRITE',
      'READ_ACP',
    ]);
    const science = at('aws_s3_bucket.data_science');
    expect((science.properties as any).Logging.LoggingEnabled.TargetPrefix).toBe('log/');
    expect(science.relationships).toContainEqual({
      kind: 'references',
      target: 'aws_s3_bucket.logs',
    });
    expect(at('aws_s3_bucket.data').properties.Versioning).toEqual({});
  });

  it('merges aws_security_group_rule blocks into their group', () => {
    const sg = at('aws_security_group.default').properties as any;
    expect(sg.IpPermissions).toEqual([
      {
        IpProtocol: 'tcp',
        FromPort: 3306,
        ToPort: 3306,
        IpRanges: [{ CidrIp: '172.16.0.0/16' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
        PrefixListIds: [],
      },
    ]);
    expect(sg.IpPermissionsEgress[0]).toMatchObject({
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    expect(at('aws_security_group.default').relationships).toContainEqual({
      kind: 'attachedTo',
      target: 'aws_db_instance.default',
    });
  });

  it('links groups to instances, subnets to VPCs and flow logs to their VPC', () => {
    expect(at('aws_security_group.web-node').relationships).toEqual(
      expect.arrayContaining([
        { kind: 'attachedTo', target: 'aws_instance.web_host' },
        { kind: 'attachedTo', target: 'aws_instance.db_app' },
      ]),
    );
    expect(at('aws_subnet.eks_subnet1').relationships).toEqual([
      { kind: 'attachedTo', target: 'aws_vpc.eks_vpc' },
    ]);
    expect((at('aws_vpc.web_vpc').properties.FlowLogs as any[])[0]).toMatchObject({
      TrafficType: 'ALL',
      LogDestinationType: 's3',
    });
    expect(at('aws_vpc.eks_vpc').properties.FlowLogs).toEqual([]);
  });

  it('parses heredoc policies and rebuilds a policy-document data source', () => {
    const user = at('aws_iam_user.user').properties as any;
    expect(user.UserPolicies[0].PolicyDocument.Statement[0].Action).toEqual([
      'ec2:*',
      's3:*',
      'lambda:*',
      'cloudwatch:*',
    ]);
    expect(user.AccessKeys).toEqual([{ Status: 'Active' }]);
    const eks = at('aws_iam_role.iam_for_eks').properties as any;
    expect(eks.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({
      Service: 'eks.amazonaws.com',
    });
    expect(eks.AttachedManagedPolicies.map((p: any) => p.PolicyName)).toEqual([
      'AmazonEKSClusterPolicy',
      'AmazonEKSServicePolicy',
    ]);
  });

  it('keeps literal user data and marks interpolated apply-time user data unknown', () => {
    expect(String(at('aws_instance.web_host').properties.UserData)).toContain(
      'AKIAIOSFODNN7EXAMAAA',
    );
    const dbApp = at('aws_instance.db_app');
    expect(isUnknown(dbApp.properties.UserData)).toBe(true);
    expect(dbApp.unknown).toContain('UserData');
  });

  it("gives the snapshot its volume's encryption and the database its declared settings", () => {
    expect(at('aws_ebs_snapshot.example_snapshot').properties.Encrypted).toBe(false);
    expect(at('aws_db_instance.default').properties).toMatchObject({
      Engine: 'mysql',
      StorageEncrypted: false,
      PubliclyAccessible: true,
      BackupRetentionPeriod: 0,
      MultiAZ: false,
    });
    expect(at('aws_eks_cluster.eks_cluster').properties.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      endpointPrivateAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
  });
});
