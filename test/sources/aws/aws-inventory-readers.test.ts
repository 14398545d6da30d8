import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { awsConfigReader } from '../../../src/sources/aws/aws-config-reader.js';
import { describeReader } from '../../../src/sources/aws/describe-reader.js';
import { awsReaders } from '../../../src/sources/aws/index.js';
import { placeboReader } from '../../../src/sources/aws/placebo-reader.js';
import type { Reader } from '../../../src/sources/reader.js';

const INVENTORY = path.resolve(process.cwd(), '../shared/data/cloud-inventory/aws');
const PLACEBO = path.join(INVENTORY, 'cloud-custodian-placebo');
const CONFIG = path.join(INVENTORY, 'cloud-custodian-config-items');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

async function readWith(reader: Reader, file: string): Promise<Resource[]> {
  const source = { path: file, text: readFileSync(file, 'utf8') };
  expect(reader.detect(source)).toBe(true);
  return (await reader.read(source)).resources;
}

function one(resources: Resource[], name: string): Resource {
  const found = resources.filter((r) => r.name === name || r.id === name);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe('AWS inventory readers on every shared inventory file', () => {
  /** Files in the set that are not inventory: a CloudTrail event and a scheduled rule poll. */
  const notInventory = new Set(['event-cloudsearch.json', 'poll-evaluation.json']);

  it.each(walk(INVENTORY).map((f) => [path.relative(INVENTORY, f), f]))(
    'reads %s',
    async (_, file) => {
      const source = { path: file, text: readFileSync(file, 'utf8') };
      const reader = awsReaders.find((r) => r.detect(source));
      if (notInventory.has(path.basename(file))) {
        expect(reader).toBeUndefined();
        return;
      }
      expect(reader).toBeDefined();
      const { resources } = await reader!.read(source);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.cloud).toBe('aws');
        expect(r.type).toMatch(/^AWS::/);
        expect(r.id).not.toBe('');
        expect(JSON.stringify(r.properties)).not.toContain('"__class__"');
      }
    },
  );
});

describe('AWS Config reader', () => {
  it('maps S3 supplementary configuration into the bucket API shape', async () => {
    const bucket = one(
      await readWith(awsConfigReader, path.join(CONFIG, 's3-lifecycle.json')),
      'testing-99',
    );
    expect(bucket.source.kind).toBe('aws-config');
    expect(bucket.account).toBe('644160558196');
    expect(bucket.region).toBe('us-east-1');
    expect(bucket.properties.Versioning).toEqual({ Status: 'Suspended' });
    expect(bucket.properties.Logging).toEqual({});
    expect(bucket.properties.Acl).toMatchObject({
      Grants: expect.arrayContaining([
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
          Permission: 'READ',
        },
      ]),
    });
    expect(bucket.properties.LifecycleConfiguration).toMatchObject({
      Rules: [{ Id: 'Docs', Status: 'Enabled' }],
    });
    expect(bucket.unknown).toBeUndefined();
  });

  it('reads versioning "Off" as never enabled and keeps tags', async () => {
    const bucket = one(
      await readWith(awsConfigReader, path.join(CONFIG, 's3.json')),
      'config-rule-sanity',
    );
    expect(bucket.properties.Versioning).toEqual({});
    expect(bucket.tags).toEqual({ Planet: 'Earth', Verbose: 'Game' });
    expect(bucket.region).toBe('us-east-2');
  });

  it('renames RDS cluster fields to the RDS API spelling', async () => {
    const cluster = one(
      await readWith(awsConfigReader, path.join(CONFIG, 'rds-cluster.json')),
      'database-1',
    );
    expect(cluster.type).toBe('AWS::RDS::DBCluster');
    expect(cluster.properties).toMatchObject({
      StorageEncrypted: true,
      DeletionProtection: false,
      BackupRetentionPeriod: 7,
      IAMDatabaseAuthenticationEnabled: false,
      DBClusterIdentifier: 'database-1',
      Engine: 'aurora-postgresql',
    });
    expect(cluster.relationships).toContainEqual({
      kind: 'Is associated with',
      target: 'sg-6c7fa917',
    });
  });

  it('unwraps configuration items from Config rule events and maps ALB attributes', async () => {
    const lb = one(
      await readWith(awsConfigReader, path.join(CONFIG, 'app-elb-config-event.json')),
      'test',
    );
    expect(lb.properties).toMatchObject({ Scheme: 'internal', Type: 'application' });
    expect(lb.properties.Attributes).toMatchObject({
      'access_logs.s3.enabled': 'false',
      'deletion_protection.enabled': 'false',
    });
    const rds = one(
      await readWith(awsConfigReader, path.join(CONFIG, 'rds-from-rule.json')),
      'c7n-data-index',
    );
    expect(rds.properties).toMatchObject({
      DBInstanceIdentifier: 'c7n-data-index',
      Engine: 'postgres',
      MultiAZ: false,
    });
  });
  it('reads the security group item of a Config rule event with its open SSH range', async () => {
    const file = path.resolve(
      process.cwd(),
      '../shared/data/findings/aws/cloud-custodian-cwe/event-config-rule-security-group.json',
    );
    const group = one(await readWith(awsConfigReader, file), 'sg_open_ssh');
    expect(group.id).toBe('arn:aws:ec2:eu-west-1:123456789012:security-group/sg-e2fb6999');
    expect(group.properties.IpPermissions).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 22,
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      }),
    ]);
    expect(group.relationships).toContainEqual({
      kind: 'Is contained in Vpc',
      target: 'vpc-f16e4296',
    });
  });

  it('reads a configuration snapshot: security group ranges and IAM user policies', async () => {
    const doc = encodeURIComponent(
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: '*' }] }),
    );
    const snapshot = {
      fileVersion: '1.0',
      configSnapshotId: 'abc',
      configurationItems: [
        {
          configurationItemVersion: '1.3',
          resourceType: 'AWS::EC2::SecurityGroup',
          resourceId: 'sg-1',
          resourceName: 'web',
          ARN: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1',
          awsAccountId: '111122223333',
          awsRegion: 'eu-west-1',
          tags: { team: 'web' },
          configuration: {
            groupName: 'web',
            groupId: 'sg-1',
            ipPermissions: [
              {
                fromPort: 22,
                toPort: 22,
                ipProtocol: 'tcp',
                ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
                ipRanges: ['0.0.0.0/0'],
                ipv6Ranges: [],
                userIdGroupPairs: [],
              },
            ],
            ipPermissionsEgress: [],
          },
          supplementaryConfiguration: {},
        },
        {
          resourceType: 'AWS::IAM::User',
          resourceId: 'AIDA1',
          resourceName: 'bob',
          ARN: 'arn:aws:iam::111122223333:user/bob',
          awsRegion: 'global',
          configuration: {
            userName: 'bob',
            userPolicyList: [{ policyName: 'inline', policyDocument: doc }],
            attachedManagedPolicies: [
              {
                policyName: 'AdministratorAccess',
                policyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
              },
            ],
          },
        },
      ],
    };
    const { resources } = await awsConfigReader.read({
      path: 'snap.json',
      text: JSON.stringify(snapshot),
    });
    const group = one(resources, 'web');
    expect(group.properties.IpPermissions).toEqual([
      {
        FromPort: 22,
        ToPort: 22,
        IpProtocol: 'tcp',
        IpRanges: [{ CidrIp: '0.0.0.0/0' }],
        Ipv6Ranges: [],
        UserIdGroupPairs: [],
      },
    ]);
    expect(group.tags).toEqual({ team: 'web' });
    const user = one(resources, 'bob');
    expect(user.account).toBe('111122223333');
    expect(user.properties.UserPolicies).toEqual([
      { PolicyName: 'inline', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*' }] } },
    ]);
    expect(user.properties.AttachedManagedPolicies).toEqual([
      {
        PolicyName: 'AdministratorAccess',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    ]);
  });
});

describe('placebo recording reader', () => {
  it("sees other publishers' images from the recording's own account", async () => {
    // The folder's snapshots are 644160558196's; Amazon's and Canonical's public images are not.
    const images = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_asg_invalid_third_ami/ec2.DescribeImages_1.json'),
    );
    expect(new Set(images.map((i) => i.account))).toEqual(new Set(['644160558196']));
    expect(images.map((i) => i.properties.OwnerId)).toContain('099720109477');
  });

  it('maps security groups with their ingress CIDRs', async () => {
    const groups = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_only_ports_and_cidr_ingress/ec2.DescribeSecurityGroups_1.json'),
    );
    expect(groups).toHaveLength(19);
    const open = groups.filter((g) =>
      (g.properties.IpPermissions as { IpRanges: { CidrIp: string }[] }[]).some((p) =>
        p.IpRanges.some((r) => r.CidrIp === '0.0.0.0/0'),
      ),
    );
    expect(open.length).toBeGreaterThan(0);
    expect(groups[0]!.source.kind).toBe('aws-api');
  });

  it('reads a missing public access block as all four settings off', async () => {
    const [bucket] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_s3_check_public_block/s3.GetPublicAccessBlock_1.json'),
    );
    expect(bucket!.id).toBe('arn:aws:s3:::644160558196-us-east-1-s3-logs');
    expect(bucket!.properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: false,
      IgnorePublicAcls: false,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    expect(bucket!.unknown).toEqual([
      'Acl',
      'Policy',
      'ServerSideEncryptionConfiguration',
      'Versioning',
      'Logging',
    ]);
  });

  it('parses bucket policies and names the bucket from the policy resource', async () => {
    const [bucket] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_cloudtrail_enable/s3.GetBucketPolicy_1.json'),
    );
    expect(bucket!.name).toBe('nosetest-bucket');
    expect(bucket!.properties.Policy).toMatchObject({
      Statement: [
        {
          Sid: 'AWSCloudTrailAclCheck20150319',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
        },
        {},
      ],
    });
  });

  it('names the bucket from a policy resource in any partition (GovCloud, China)', async () => {
    const recording = readFileSync(
      path.join(PLACEBO, 'test_cloudtrail_enable/s3.GetBucketPolicy_1.json'),
      'utf8',
    );
    for (const partition of ['aws-us-gov', 'aws-cn']) {
      const folder = path.join(
        mkdtempSync(path.join(os.tmpdir(), 'palisade-partition-')),
        'test_cloudtrail_enable',
      );
      mkdirSync(folder);
      const file = path.join(folder, 's3.GetBucketPolicy_1.json');
      writeFileSync(file, recording.replaceAll('arn:aws:s3:::', `arn:${partition}:s3:::`));
      const [bucket] = await readWith(placeboReader, file);
      expect(bucket!.name, partition).toBe('nosetest-bucket');
    }
  });

  it('files an unnamed ACL under the recording folder', async () => {
    const [bucket] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_s3_enable_logging/s3.GetBucketAcl_1.json'),
    );
    expect(bucket!.id).toBe('unrecorded-bucket:test_s3_enable_logging');
    expect(bucket!.properties.Acl).toMatchObject({
      Grants: [{ Permission: 'FULL_CONTROL' }, { Permission: 'WRITE' }, { Permission: 'READ_ACP' }],
    });
  });

  it('splits the credential report into one row per user, root included', async () => {
    const users = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_iam_user_console_old/iam.GetCredentialReport_1.json'),
    );
    const root = one(users, '<root_account>');
    expect(root.id).toBe('arn:aws:iam::644160558196:root');
    expect(root.properties.CredentialReport).toMatchObject({
      mfa_active: 'true',
      password_enabled: 'not_supported',
    });
    expect(one(users, 'andrew').properties.CredentialReport).toMatchObject({
      access_key_1_active: 'true',
      mfa_active: 'false',
    });
  });

  it('files access keys under the user name when no user list is recorded', async () => {
    const [user] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_iam_user_access_key_active/iam.ListAccessKeys_1.json'),
    );
    expect(user!.id).toBe('alphabet_soup');
    expect(user!.properties.AccessKeys).toEqual([
      expect.objectContaining({
        AccessKeyId: 'AKIAJRLD3ESRQSWUHEWA',
        Status: 'Active',
        CreateDate: '2016-12-08T19:36:32.000Z',
      }),
      expect.objectContaining({ AccessKeyId: 'AKIAJRLD3ESRQSWUHEGG' }),
    ]);
  });

  it('URL-decodes and parses IAM policy documents', async () => {
    const [policy] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_iam_policy_check_permission/iam.GetPolicyVersion_1.json'),
    );
    const version = policy!.properties.PolicyVersion as {
      Document: { Statement: { Action: string[] }[] };
    };
    expect(version.Document.Statement[0]!.Action).toContain('logs:CreateLogGroup');
  });

  it('keeps EKS clusters camelCase and trails, keys, password policy as recorded', async () => {
    const [eks] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_eks_metrics/eks.DescribeCluster_1.json'),
    );
    expect(eks!.properties.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    const trails = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_cloudtrail_delete/cloudtrail.DescribeTrails_1.json'),
    );
    expect(one(trails, 'orgTrail').properties).toMatchObject({
      IsOrganizationTrail: true,
      IsMultiRegionTrail: true,
    });
    expect(one(trails, 'orgTrail').unknown).toEqual(['Status', 'EventSelectors']);
    const [key] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_backup_vault_kms_filter/kms.DescribeKey_1.json'),
    );
    expect(key!.properties).toMatchObject({ KeyManager: 'AWS', KeyState: 'Enabled' });
    const [pw] = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_account_password_policy_update/iam.GetAccountPasswordPolicy_1.json'),
    );
    expect(pw!.properties).toMatchObject({ MinimumPasswordLength: 10, RequireSymbols: false });
  });

  it('attaches flow logs to their VPCs', async () => {
    const vpcs = await readWith(
      placeboReader,
      path.join(PLACEBO, 'test_vpc_flow_logs_misconfigured/ec2.DescribeFlowLogs_1.json'),
    );
    expect(
      vpcs.every((v) => v.type === 'AWS::EC2::VPC' && Array.isArray(v.properties.FlowLogs)),
    ).toBe(true);
  });

  it('names sub-resource calls after the single bucket or user recorded beside them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'placebo-'));
    const copy = (from: string, to: string) => {
      writeFileSync(path.join(dir, to), readFileSync(path.join(PLACEBO, from), 'utf8'));
    };
    copy('test_s3_enable_logging/s3.GetBucketAcl_1.json', 's3.GetBucketAcl_1.json');
    const buckets = { status_code: 200, data: { Buckets: [{ Name: 'only-bucket' }] } };
    writeFileSync(path.join(dir, 's3.ListBuckets_1.json'), JSON.stringify(buckets));
    const [bucket] = await readWith(placeboReader, path.join(dir, 's3.GetBucketAcl_1.json'));
    expect(bucket!.id).toBe('arn:aws:s3:::only-bucket');

    const arn = 'arn:aws:iam::644160558196:user/alphabet_soup';
    const users = { status_code: 200, data: { Users: [{ UserName: 'alphabet_soup', Arn: arn }] } };
    writeFileSync(path.join(dir, 'iam.ListUsers_1.json'), JSON.stringify(users));
    copy('test_iam_user_access_key_active/iam.ListAccessKeys_1.json', 'iam.ListAccessKeys_1.json');
    const [user] = await readWith(placeboReader, path.join(dir, 'iam.ListAccessKeys_1.json'));
    expect(user!.id).toBe(arn);
  });

  it('rejects a broken recording with a SourceReadError', () => {
    const attempt = () =>
      placeboReader.read({
        path: 'x/ec2.DescribeVpcs_1.json',
        text: '{"status_code": 200, "data": ',
      });
    expect(attempt).toThrow(SourceReadError);
  });
});

describe('saved describe response reader', () => {
  it('reads a CLI describe output without the placebo envelope', async () => {
    const recording = JSON.parse(
      readFileSync(path.join(PLACEBO, 'test_rds_retention/rds.DescribeDBInstances_1.json'), 'utf8'),
    );
    const file = { path: 'rds.json', text: JSON.stringify(recording.data, null, 2) };
    expect(placeboReader.detect(file)).toBe(false);
    expect(describeReader.detect(file)).toBe(true);
    const { resources } = await describeReader.read(file);
    expect(resources).toHaveLength(5);
    expect(one(resources, 'oneness')).toMatchObject({
      type: 'AWS::RDS::DBInstance',
      region: 'us-west-2',
      account: '644160558196',
    });
    expect(typeof one(resources, 'oneness').properties.StorageEncrypted).toBe('boolean');
  });

  it('does not claim unrelated JSON', () => {
    expect(describeReader.detect({ path: 'a.json', text: '{"Records": []}' })).toBe(false);
    expect(describeReader.detect({ path: 'a.json', text: '{"foo": 1}' })).toBe(false);
  });
});
