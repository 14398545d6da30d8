import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { isUnknown } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { cloudformationReader } from '../../../src/sources/cloudformation/cloudformation-reader.js';

const SHARED = path.resolve(process.cwd(), '../shared/data/iac/aws-cloudformation-templates');
const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/cloudformation');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : [full];
  });
}

async function read(file: string): Promise<Resource[]> {
  const text = readFileSync(file, 'utf8');
  return (await cloudformationReader.read({ path: file, text })).resources;
}

function byAddress(resources: Resource[], address: string): Resource {
  const found = resources.find((r) => r.source.address === address);
  if (!found) throw new Error(`no resource ${address}`);
  return found;
}

describe('cloudformation reader on the shared sample templates', () => {
  const files = walk(SHARED);

  it.each(files.map((f) => [path.relative(SHARED, f), f]))(
    'detects and reads %s',
    async (_, file) => {
      const text = readFileSync(file, 'utf8');
      expect(cloudformationReader.detect({ path: file, text })).toBe(true);
      const resources = await read(file);
      expect(resources.length).toBeGreaterThan(0);
      for (const r of resources) {
        expect(r.cloud).toBe('aws');
        expect(r.type).toMatch(/^(AWS|Custom|Alexa)::/);
        expect(r.source.line).toBeGreaterThan(0);
      }
    },
  );

  it('resolves the SSH ingress CIDR from the parameter default in YAML and JSON', async () => {
    for (const ext of ['yaml', 'json']) {
      const resources = await read(
        path.join(SHARED, `EC2/EC2InstanceWithSecurityGroupSample.${ext}`),
      );
      const group = byAddress(resources, 'InstanceSecurityGroup');
      expect(group.type).toBe('AWS::EC2::SecurityGroup');
      expect(group.properties.IpPermissions).toEqual([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 22,
          ToPort: 22,
          IpRanges: [{ CidrIp: '192.168.1.0/0' }],
        }),
      ]);
      const instance = byAddress(resources, 'EC2Instance');
      expect(instance.relationships).toContainEqual({ kind: 'references', target: group.id });
    }
  });

  it('translates the compliant bucket into the S3 API shape with its policy merged', async () => {
    const resources = await read(path.join(SHARED, 'S3/compliant-bucket.yaml'));
    const bucket = byAddress(resources, 'ObjectStorageBucket');
    expect(bucket.properties.ServerSideEncryptionConfiguration).toEqual({
      Rules: [
        { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' }, BucketKeyEnabled: false },
      ],
    });
    expect(bucket.properties.Versioning).toEqual({ Status: 'Enabled' });
    expect(bucket.properties.PublicAccessBlockConfiguration).toMatchObject({
      BlockPublicAcls: true,
      RestrictPublicBuckets: true,
    });
    const policy = bucket.properties.Policy as { Statement: { Effect: string }[] };
    expect(policy.Statement[0]).toMatchObject({
      Effect: 'Deny',
      Condition: { Bool: { 'aws:SecureTransport': false } },
    });
    expect(resources.some((r) => r.type === 'AWS::S3::BucketPolicy')).toBe(false);
    expect(isUnknown(bucket.properties.Name)).toBe(true);
    expect(bucket.unknown).toContain('Name');
  });

  it('merges listeners into classic and v2 load balancers with their attributes', async () => {
    const elb = byAddress(
      await read(
        path.join(SHARED, 'ElasticLoadBalancing/ELB_Access_Logs_And_Connection_Draining.yaml'),
      ),
      'ElasticLoadBalancer',
    );
    expect(elb.properties.Attributes).toMatchObject({
      AccessLog: { Enabled: true },
      ConnectionDraining: { Enabled: true, Timeout: 300 },
    });
    const eks = (await read(path.join(SHARED, 'EKS/template.yaml'))).find(
      (r) => r.type === 'AWS::EKS::Cluster',
    )!;
    expect(eks.properties.resourcesVpcConfig).toMatchObject({
      endpointPublicAccess: true,
      publicAccessCidrs: ['0.0.0.0/0'],
    });
  });
});

describe('cloudformation reader evaluation', () => {
  const file = path.join(FIXTURES, 'conditions-and-merges.yaml');

  it('applies mappings, conditions and AWS::NoValue', async () => {
    const bucket = byAddress(await read(file), 'PublicSite');
    expect(bucket.id).toBe('arn:aws:s3:::site-prod');
    expect(bucket.name).toBe('site-prod');
    expect(bucket.tags).toEqual({ env: 'prod' });
    expect(bucket.properties.Versioning).toEqual({ Status: 'Enabled' });
    expect(bucket.properties.Logging).toEqual({});
    expect(bucket.properties.Acl).toMatchObject({
      Grants: expect.arrayContaining([
        {
          Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
          Permission: 'READ',
        },
      ]),
    });
    expect(bucket.properties.Policy).toMatchObject({
      Statement: [{ Principal: '*', Resource: 'arn:aws:s3:::site-prod/*' }],
    });
  });

  it('drops resources whose condition is false and keeps those it cannot decide', async () => {
    const resources = await read(file);
    expect(resources.find((r) => r.source.address === 'DevOnlyBucket')).toBeUndefined();
    expect(byAddress(resources, 'MaybeTrail').properties.Status).toEqual({ IsLogging: true });
  });

  it('merges standalone ingress rules and leaves unknown parameters as markers', async () => {
    const group = byAddress(await read(file), 'WebGroup');
    const perms = group.properties.IpPermissions as Record<string, unknown>[];
    expect(perms).toHaveLength(2);
    expect(perms[0]).toMatchObject({ FromPort: 443, IpRanges: [{ CidrIp: '0.0.0.0/0' }] });
    expect(perms[1]).toMatchObject({ IpProtocol: 'tcp', FromPort: 22, ToPort: 22 });
    expect(isUnknown((perms[1]!.IpRanges as { CidrIp: unknown }[])[0]!.CidrIp)).toBe(true);
    expect(group.unknown).toContain('IpPermissions.1.IpRanges.0.CidrIp');
  });

  it('attaches inline policies to roles and reads KMS rotation from a condition', async () => {
    const resources = await read(file);
    const role = byAddress(resources, 'Admin');
    expect(role.properties.RolePolicies).toEqual([
      {
        PolicyName: 'admin',
        PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] },
      },
    ]);
    expect(byAddress(resources, 'Key').properties.KeyRotationEnabled).toBe(true);
    expect(byAddress(resources, 'Alias2').properties.QueueName).toBe('jobs-prod');
  });

  it('collects suppressions from metadata and comments', async () => {
    const bucket = byAddress(await read(file), 'PublicSite');
    expect(bucket.suppressions).toEqual(
      expect.arrayContaining([
        { ruleId: 'aws-s3-bucket-public-access-blocked', reason: 'static website, reviewed' },
        { ruleId: 'aws-s3-bucket-logging-enabled', reason: 'logs land in the central account' },
      ]),
    );
  });

  it('reads suppression comments inside a resource, and above the next one as its own', async () => {
    const text = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  Logs:',
      '    # palisade:ignore aws-s3-bucket-versioning-enabled logs are write-once',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      BucketName: logs-bucket # palisade:ignore aws-s3-bucket-logging-enabled it is the log bucket',
      '  # palisade:ignore aws-s3-bucket-kms-encryption data is public anyway',
      '  Data:',
      '    Type: AWS::S3::Bucket',
      'Outputs:',
      '  # palisade:ignore aws-s3-bucket-mfa-delete not a resource comment',
      '  Name: { Value: !Ref Data }',
    ].join('\n');
    const [logs, data] = (await cloudformationReader.read({ path: 'in.yaml', text })).resources;
    expect(logs.suppressions).toEqual([
      { ruleId: 'aws-s3-bucket-versioning-enabled', reason: 'logs are write-once' },
      { ruleId: 'aws-s3-bucket-logging-enabled', reason: 'it is the log bucket' },
    ]);
    expect(data.suppressions).toEqual([
      { ruleId: 'aws-s3-bucket-kms-encryption', reason: 'data is public anyway' },
    ]);
  });

  it('takes no suppression from a quoted value, a block scalar or a JSON string', async () => {
    const yaml = [
      "AWSTemplateFormatVersion: '2010-09-09'",
      'Resources:',
      '  Logs:',
      '    Type: AWS::S3::Bucket',
      '    Properties:',
      '      Tags:',
      '        - { Key: note, Value: "# palisade:ignore aws-s3-bucket-mfa-delete in a string" }',
      '        - Key: quoted',
      "          Value: '# palisade:ignore aws-s3-bucket-versioning-enabled single quotes'",
      '        - Key: script',
      '          Value: |',
      '            # palisade:ignore aws-s3-bucket-logging-enabled a line of a block scalar',
      '      BucketName: logs # palisade:ignore aws-s3-bucket-kms-encryption a real comment',
    ].join('\n');
    const [logs] = (await cloudformationReader.read({ path: 'in.yaml', text: yaml })).resources;
    expect(logs.suppressions).toEqual([
      { ruleId: 'aws-s3-bucket-kms-encryption', reason: 'a real comment' },
    ]);
    const json = JSON.stringify(
      {
        Resources: {
          Logs: {
            Type: 'AWS::S3::Bucket',
            Properties: {
              Tags: [{ Key: 'n', Value: '# palisade:ignore aws-s3-bucket-mfa-delete x' }],
            },
          },
        },
      },
      null,
      2,
    );
    const [fromJson] = (await cloudformationReader.read({ path: 'in.json', text: json })).resources;
    expect(fromJson.suppressions ?? []).toEqual([]);
  });

  it('reports a syntax error with its line', async () => {
    const text = 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  A:\n    Type: [unclosed\n';
    const attempt = () => cloudformationReader.read({ path: 'bad.yaml', text });
    expect(attempt).toThrow(SourceReadError);
    try {
      attempt();
    } catch (err) {
      expect((err as SourceReadError).line).toBeGreaterThan(1);
    }
  });

  it('does not claim Kubernetes manifests or ARM templates', () => {
    expect(
      cloudformationReader.detect({ path: 'd.yaml', text: 'apiVersion: v1\nkind: Pod\n' }),
    ).toBe(false);
    expect(
      cloudformationReader.detect({
        path: 'a.json',
        text: '{"resources":[{"type":"Microsoft.Storage/storageAccounts"}]}',
      }),
    ).toBe(false);
  });
});

describe('cloudformation reader merges', () => {
  const file = path.join(FIXTURES, 'network-and-compute.yaml');

  it('attaches flow logs to their VPC and keeps the flow log itself', async () => {
    const resources = await read(file);
    const vpc = byAddress(resources, 'Vpc');
    expect(vpc.properties.FlowLogs).toEqual([
      expect.objectContaining({
        TrafficType: 'ALL',
        LogDestinationType: 's3',
        FlowLogStatus: 'ACTIVE',
      }),
    ]);
    expect(byAddress(resources, 'VpcFlowLog').type).toBe('AWS::EC2::FlowLog');
  });

  it('folds listeners into their load balancer with string attributes', async () => {
    const resources = await read(file);
    const alb = byAddress(resources, 'Alb');
    expect(alb.properties.Listeners).toEqual([
      expect.objectContaining({ Protocol: 'HTTP', Port: 80 }),
    ]);
    expect(alb.properties.Attributes).toMatchObject({
      'routing.http.drop_invalid_header_fields.enabled': 'true',
      'access_logs.s3.enabled': 'false',
    });
    expect(alb.properties.Scheme).toBe('internet-facing');
    expect(resources.some((r) => r.type === 'AWS::ElasticLoadBalancingV2::Listener')).toBe(false);
  });

  it('turns a Lambda permission into the function resource policy', async () => {
    const fn = byAddress(await read(file), 'Fn');
    expect(fn.properties.Policy).toMatchObject({
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction' }],
    });
    expect(fn.properties.TracingConfig).toEqual({ Mode: 'PassThrough' });
  });

  it('uses API defaults where AWS fixes them and markers where the account decides', async () => {
    const resources = await read(file);
    const db = byAddress(resources, 'Db');
    expect(db.properties).toMatchObject({
      StorageEncrypted: false,
      PubliclyAccessible: false,
      BackupRetentionPeriod: 1,
      AllocatedStorage: 20,
    });
    const volume = byAddress(resources, 'Data');
    expect(isUnknown(volume.properties.Encrypted)).toBe(true);
    expect(volume.unknown).toEqual(['Encrypted']);
  });
});
