/** The AWS Terraform translator on hand-built evaluated blocks: shapes, merges, unknowns. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUnknown, unknownValue, type Resource } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import {
  awsTerraformTranslator,
  AWS_TERRAFORM_TYPES,
} from '../../../src/sources/aws/terraform/translator.js';
import { context, ref, tf } from './terraform-test-blocks.js';

function translate(...built: Parameters<typeof context>): Resource[] {
  return awsTerraformTranslator.translate(context(...built));
}

function only(resources: Resource[], type: string): Resource {
  const found = resources.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0]!;
}

const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' }],
});

describe('aws_s3_bucket', () => {
  it('merges the bucket sub-resources into one bucket in the S3 API shape', () => {
    const resources = translate(
      tf('aws_s3_bucket.data', { bucket: 'acme-data' }),
      tf('aws_s3_bucket_versioning.v', {
        bucket: ref('aws_s3_bucket.data'),
        versioning_configuration: [{ status: 'Enabled' }],
      }),
      tf('aws_s3_bucket_public_access_block.p', {
        bucket: ref('aws_s3_bucket.data'),
        block_public_acls: true,
        ignore_public_acls: true,
      }),
      tf('aws_s3_bucket_server_side_encryption_configuration.e', {
        bucket: ref('aws_s3_bucket.data'),
        rule: [
          {
            apply_server_side_encryption_by_default: [
              { sse_algorithm: 'aws:kms', kms_master_key_id: ref('aws_kms_key.k') },
            ],
          },
        ],
      }),
      tf('aws_s3_bucket_logging.l', {
        bucket: ref('aws_s3_bucket.data'),
        target_bucket: ref('aws_s3_bucket.logs'),
        target_prefix: 'log/',
      }),
      tf('aws_s3_bucket_policy.pol', { bucket: ref('aws_s3_bucket.data'), policy: POLICY }),
      tf('aws_s3_bucket_acl.a', { bucket: ref('aws_s3_bucket.data'), acl: 'public-read' }),
      tf('aws_s3_bucket.logs', { bucket: 'acme-logs' }),
    );
    expect(resources.map((r) => r.type)).toEqual(['AWS::S3::Bucket', 'AWS::S3::Bucket']);
    const data = resources.find((r) => r.name === 'acme-data')!;
    expect(data.id).toBe('arn:aws:s3:::acme-data');
    expect(data.properties.Versioning).toEqual({ Status: 'Enabled' });
    expect(data.properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: false,
      RestrictPublicBuckets: false,
    });
    const sse = data.properties.ServerSideEncryptionConfiguration as any;
    expect(sse.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    expect(isUnknown(sse.Rules[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID)).toBe(true);
    expect((data.properties.Logging as any).LoggingEnabled.TargetPrefix).toBe('log/');
    expect((data.properties.Policy as any).Statement[0].Principal).toBe('*');
    expect((data.properties.Acl as any).Grants).toContainEqual({
      Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    });
    expect(data.relationships).toContainEqual({
      kind: 'references',
      target: 'arn:aws:s3:::acme-logs',
    });
  });

  it('reads the legacy inline acl, versioning, logging and encryption arguments', () => {
    const [bucket] = translate(
      tf('aws_s3_bucket.logs', {
        bucket: 'logs',
        acl: 'log-delivery-write',
        versioning: [{ enabled: true }],
        logging: [{ target_bucket: 'other', target_prefix: 'x/' }],
        server_side_encryption_configuration: [
          { rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: 'aws:kms' }] }] },
        ],
        policy: POLICY,
      }),
    );
    expect(bucket!.properties.Versioning).toEqual({ Status: 'Enabled' });
    expect(bucket!.properties.Logging).toEqual({
      LoggingEnabled: { TargetBucket: 'other', TargetPrefix: 'x/' },
    });
    expect((bucket!.properties.Acl as any).Grants.map((g: any) => g.Permission)).toEqual([
      'FULL_CONTROL',
      'WRITE',
      'READ_ACP',
    ]);
    expect((bucket!.properties.Policy as any).Version).toBe('2012-10-17');
  });

  it('gives an unconfigured bucket the API defaults of a new bucket', () => {
    const [bucket] = translate(tf('aws_s3_bucket.plain', { bucket: 'plain' }));
    expect(bucket!.properties.Versioning).toEqual({});
    expect(bucket!.properties.Logging).toEqual({});
    expect(bucket!.properties.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      IgnorePublicAcls: true,
      BlockPublicPolicy: true,
      RestrictPublicBuckets: true,
    });
    expect(
      (bucket!.properties.ServerSideEncryptionConfiguration as any).Rules[0]
        .ApplyServerSideEncryptionByDefault.SSEAlgorithm,
    ).toBe('AES256');
    expect((bucket!.properties.Acl as any).Grants).toHaveLength(1);
  });

  it('keeps an unparseable policy as an unknown marker and lists its path', () => {
    const [bucket] = translate(tf('aws_s3_bucket.b', { bucket: 'b', policy: '{not json' }));
    expect(isUnknown(bucket!.properties.Policy)).toBe(true);
    expect(bucket!.unknown).toContain('Policy');
  });

  it("keeps the evaluator's unknown markers and the block location and suppressions", () => {
    const built = tf('aws_s3_bucket.b', { bucket: unknownValue('var.name') }, 12);
    built.block.suppressions = [{ ruleId: 'aws-s3-bucket-versioning-enabled', reason: 'scratch' }];
    const [bucket] = translate(built);
    expect(isUnknown(bucket!.properties.Name)).toBe(true);
    expect(bucket!.name).toBe('b');
    expect(bucket!.source).toEqual({
      kind: 'terraform',
      file: 'main.tf',
      line: 12,
      address: 'aws_s3_bucket.b',
    });
    expect(bucket!.suppressions).toEqual([
      { ruleId: 'aws-s3-bucket-versioning-enabled', reason: 'scratch' },
    ]);
  });
});

describe('aws_security_group', () => {
  it('merges inline, aws_security_group_rule and vpc ingress rules into IpPermissions', () => {
    const resources = translate(
      tf('aws_security_group.web', {
        name: 'web',
        vpc_id: ref('aws_vpc.main'),
        ingress: [{ from_port: 22, to_port: 22, protocol: 'tcp', cidr_blocks: ['0.0.0.0/0'] }],
        egress: [{ from_port: 0, to_port: 0, protocol: '-1', cidr_blocks: ['0.0.0.0/0'] }],
      }),
      tf('aws_security_group_rule.db', {
        type: 'ingress',
        from_port: '3306',
        to_port: '3306',
        protocol: '6',
        cidr_blocks: ['10.0.0.0/16'],
        security_group_id: ref('aws_security_group.web'),
      }),
      tf('aws_vpc_security_group_ingress_rule.rdp', {
        security_group_id: ref('aws_security_group.web'),
        cidr_ipv4: '0.0.0.0/0',
        from_port: 3389,
        to_port: 3389,
        ip_protocol: 'tcp',
      }),
      tf('aws_instance.host', {
        ami: 'ami-1',
        vpc_security_group_ids: [ref('aws_security_group.web')],
      }),
      tf('aws_vpc.main', { cidr_block: '10.0.0.0/16' }),
    );
    const sg = only(resources, 'AWS::EC2::SecurityGroup');
    const ingress = sg.properties.IpPermissions as any[];
    expect(ingress).toHaveLength(3);
    expect(ingress[0]).toMatchObject({
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
    });
    expect(ingress[1]).toMatchObject({ IpProtocol: 'tcp', FromPort: 3306, ToPort: 3306 });
    expect(ingress[2]).toMatchObject({ FromPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
    expect((sg.properties.IpPermissionsEgress as any[])[0]).toEqual({
      IpProtocol: '-1',
      IpRanges: [{ CidrIp: '0.0.0.0/0' }],
      Ipv6Ranges: [],
      UserIdGroupPairs: [],
      PrefixListIds: [],
    });
    expect(sg.relationships).toContainEqual({ kind: 'attachedTo', target: 'aws_instance.host' });
    expect(sg.relationships).toContainEqual({ kind: 'references', target: 'aws_vpc.main' });
  });

  it('gives a group without egress blocks no egress rules, as Terraform strips the default', () => {
    const sg = only(
      translate(tf('aws_default_security_group.d', { vpc_id: 'vpc-1' })),
      'AWS::EC2::SecurityGroup',
    );
    expect(sg.properties).toMatchObject({
      GroupName: 'default',
      IpPermissions: [],
      IpPermissionsEgress: [],
    });
  });
});

describe('aws_instance and EBS', () => {
  it('defaults metadata options to IMDSv1-allowed and keeps user data text', () => {
    const i = only(
      translate(tf('aws_instance.web', { ami: 'ami-1', user_data: 'export K=AKIA' })),
      'AWS::EC2::Instance',
    );
    expect(i.properties.MetadataOptions).toMatchObject({
      HttpTokens: 'optional',
      HttpEndpoint: 'enabled',
    });
    expect(i.properties.UserData).toBe('export K=AKIA');
    expect(i.unknown).toContain('BlockDeviceMappings.0.Ebs.Encrypted');
  });

  it('maps root_block_device and metadata_options and decodes user_data_base64', () => {
    const i = only(
      translate(
        tf('aws_instance.web', {
          root_block_device: [{ encrypted: true }],
          metadata_options: [{ http_tokens: 'required' }],
          ebs_block_device: [{ device_name: '/dev/sdb' }],
          user_data_base64: Buffer.from('#!/bin/sh\necho hi').toString('base64'),
        }),
      ),
      'AWS::EC2::Instance',
    );
    expect((i.properties.MetadataOptions as any).HttpTokens).toBe('required');
    expect((i.properties.BlockDeviceMappings as any[]).map((m) => m.Ebs.Encrypted)).toEqual([
      true,
      false,
    ]);
    expect(i.properties.UserData).toBe('#!/bin/sh\necho hi');
  });

  it("reads unset volume encryption as false; a snapshot takes its volume's", () => {
    const resources = translate(
      tf('aws_ebs_volume.v', { size: 1 }),
      tf('aws_ebs_snapshot.s', { volume_id: ref('aws_ebs_volume.v') }),
    );
    expect(only(resources, 'AWS::EC2::Volume').properties.Encrypted).toBe(false);
    expect(only(resources, 'AWS::EC2::Snapshot').properties).toMatchObject({
      Encrypted: false,
      CreateVolumePermissions: [],
    });
  });
});

describe('networks', () => {
  it('puts flow logs on their VPC and links subnets to it', () => {
    const resources = translate(
      tf('aws_vpc.main', { cidr_block: '10.0.0.0/16' }),
      tf('aws_flow_log.f', {
        vpc_id: ref('aws_vpc.main'),
        traffic_type: 'ALL',
        log_destination_type: 's3',
      }),
      tf('aws_subnet.a', { vpc_id: ref('aws_vpc.main'), map_public_ip_on_launch: true }),
    );
    expect((only(resources, 'AWS::EC2::VPC').properties.FlowLogs as any[])[0]).toMatchObject({
      TrafficType: 'ALL',
      LogDestinationType: 's3',
      FlowLogStatus: 'ACTIVE',
    });
    const subnet = only(resources, 'AWS::EC2::Subnet');
    expect(subnet.properties.MapPublicIpOnLaunch).toBe(true);
    expect(subnet.relationships).toEqual([{ kind: 'attachedTo', target: 'aws_vpc.main' }]);
  });

  it('writes network ACL entries with protocol numbers and the implicit denies', () => {
    const acl = only(
      translate(
        tf('aws_network_acl.n', {
          ingress: [
            {
              rule_no: 100,
              protocol: 'tcp',
              action: 'allow',
              cidr_block: '0.0.0.0/0',
              from_port: 22,
              to_port: 22,
            },
          ],
        }),
      ),
      'AWS::EC2::NetworkAcl',
    );
    expect(acl.properties.Entries).toContainEqual({
      RuleNumber: 100,
      Protocol: '6',
      RuleAction: 'allow',
      Egress: false,
      CidrBlock: '0.0.0.0/0',
      PortRange: { From: 22, To: 22 },
    });
    expect((acl.properties.Entries as any[]).filter((e) => e.RuleNumber === 32767)).toHaveLength(2);
  });
});

describe('IAM', () => {
  it('merges inline policies, attachments, access keys and login profiles into the user', () => {
    const resources = translate(
      tf('aws_iam_user.u', { name: 'deploy' }),
      tf('aws_iam_user_policy.p', {
        name: 'excess',
        user: ref('aws_iam_user.u'),
        policy:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}',
      }),
      tf('aws_iam_user_policy_attachment.a', {
        user: 'deploy',
        policy_arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      }),
      tf('aws_iam_access_key.k', { user: ref('aws_iam_user.u') }),
      tf('aws_iam_user_login_profile.l', { user: ref('aws_iam_user.u') }),
    );
    const user = only(resources, 'AWS::IAM::User');
    expect((user.properties.UserPolicies as any[])[0].PolicyDocument.Statement[0].Action).toBe('*');
    expect(user.properties.AttachedManagedPolicies).toEqual([
      {
        PolicyName: 'AdministratorAccess',
        PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
      },
    ]);
    expect(user.properties.AccessKeys).toEqual([{ Status: 'Active' }]);
    expect(user.properties.LoginProfile).toBeDefined();
    expect(only(resources, 'AWS::IAM::AccessKey').relationships).toEqual([
      { kind: 'attachedTo', target: 'aws_iam_user.u' },
    ]);
  });

  it('rebuilds an assume-role policy from an aws_iam_policy_document data source', () => {
    const role = only(
      translate(
        tf('data.aws_iam_policy_document.trust', {
          statement: [
            {
              actions: ['sts:AssumeRole'],
              principals: [{ type: 'Service', identifiers: ['eks.amazonaws.com'] }],
            },
          ],
        }),
        tf('aws_iam_role.r', {
          name: 'eks',
          assume_role_policy: ref('data.aws_iam_policy_document.trust'),
        }),
        tf('aws_iam_role_policy_attachment.a', {
          role: ref('aws_iam_role.r'),
          policy_arn: 'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
        }),
      ),
      'AWS::IAM::Role',
    );
    expect(role.properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'eks.amazonaws.com' } },
      ],
    });
    expect((role.properties.AttachedManagedPolicies as any[])[0].PolicyName).toBe(
      'AmazonEKSClusterPolicy',
    );
  });
});

describe('data and compute services', () => {
  it('fills RDS, EKS, KMS and ECR API defaults', () => {
    const resources = translate(
      tf('aws_db_instance.db', { engine: 'mysql', publicly_accessible: true }),
      tf('aws_eks_cluster.k', { name: 'k', vpc_config: [{ endpoint_private_access: true }] }),
      tf('aws_kms_key.key', { description: 'k' }),
      tf('aws_ecr_repository.r', { name: 'r' }),
    );
    expect(only(resources, 'AWS::RDS::DBInstance').properties).toMatchObject({
      StorageEncrypted: false,
      PubliclyAccessible: true,
      BackupRetentionPeriod: 1,
      MultiAZ: false,
    });
    const eks = only(resources, 'AWS::EKS::Cluster').properties as any;
    expect(eks.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
    expect(eks.logging.clusterLogging).toEqual([
      {
        types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
        enabled: false,
      },
    ]);
    expect(only(resources, 'AWS::KMS::Key').properties).toMatchObject({
      KeyRotationEnabled: false,
      KeyManager: 'CUSTOMER',
    });
    expect(only(resources, 'AWS::ECR::Repository').properties).toMatchObject({
      imageTagMutability: 'MUTABLE',
      imageScanningConfiguration: { scanOnPush: false },
    });
  });

  it('rebuilds a Lambda resource policy from permissions and lists function URLs', () => {
    const fn = only(
      translate(
        tf('aws_lambda_function.f', {
          function_name: 'f',
          environment: [{ variables: { KEY: 'v' } }],
        }),
        tf('aws_lambda_permission.p', {
          function_name: ref('aws_lambda_function.f'),
          principal: '*',
          action: 'lambda:InvokeFunction',
        }),
        tf('aws_lambda_function_url.u', {
          function_name: ref('aws_lambda_function.f'),
          authorization_type: 'NONE',
        }),
      ),
      'AWS::Lambda::Function',
    );
    expect(fn.properties.Environment).toEqual({ Variables: { KEY: 'v' } });
    expect((fn.properties.Policy as any).Statement[0]).toMatchObject({
      Principal: '*',
      Effect: 'Allow',
    });
    expect(fn.properties.FunctionUrlConfigs).toEqual([{ AuthType: 'NONE' }]);
  });

  it("writes load balancer attributes as the API's strings and merges listeners", () => {
    const lb = only(
      translate(
        tf('aws_lb.lb', { name: 'lb', access_logs: [{ bucket: 'logs' }] }),
        tf('aws_lb_listener.http', {
          load_balancer_arn: ref('aws_lb.lb'),
          port: 80,
          protocol: 'HTTP',
          default_action: [{ type: 'forward' }],
        }),
      ),
      'AWS::ElasticLoadBalancingV2::LoadBalancer',
    );
    expect(lb.properties.Scheme).toBe('internet-facing');
    expect((lb.properties.Attributes as any)['access_logs.s3.enabled']).toBe('true');
    expect((lb.properties.Listeners as any[])[0]).toMatchObject({ Protocol: 'HTTP', Port: 80 });
  });
});

describe('robustness', () => {
  it('translates every supported type from empty attributes without throwing', () => {
    for (const type of AWS_TERRAFORM_TYPES) {
      expect(translate(tf(`${type}.x`, {}))).toHaveLength(1);
    }
  });

  it('returns resources or a SourceReadError for arbitrary attribute values', () => {
    const value = fc.letrec((t) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string(),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.constant(unknownValue('x')),
        fc.array(t('v'), { maxLength: 3 }),
        fc.dictionary(
          fc.constantFrom(
            'enabled',
            'rule',
            'status',
            'policy',
            'ingress',
            'from_port',
            'cidr_blocks',
            'statement',
            'principals',
          ),
          t('v'),
          { maxKeys: 3 },
        ),
      ),
    })).v;
    const attrs = fc.dictionary(
      fc.constantFrom(
        'bucket',
        'acl',
        'versioning',
        'ingress',
        'egress',
        'policy',
        'tags',
        'root_block_device',
        'metadata_options',
        'user_data',
        'user_data_base64',
        'vpc_config',
        'access_logs',
        'environment',
        'encrypted',
        'name',
        'logging',
        'rule',
        'server_side_encryption_configuration',
        'assume_role_policy',
        'listener',
      ),
      value,
      { maxKeys: 6 },
    );
    fc.assert(
      fc.property(fc.constantFrom(...AWS_TERRAFORM_TYPES), attrs, (type, a) => {
        const started = Date.now();
        try {
          expect(translate(tf(`${type}.x`, a))).toHaveLength(1);
        } catch (err) {
          expect(err).toBeInstanceOf(SourceReadError);
        }
        expect(Date.now() - started).toBeLessThan(1000);
      }),
      { numRuns: 400 },
    );
  });
});
