/**
 * A block that configures a resource declared elsewhere (a rule on a shared security group found
 * by a data source or named by its `sg-…` id, a policy on another stack's bucket or queue) is
 * judged: the owner is built from what the blocks here set, the rest of it unknown. A rule that
 * fails on what is set fails; one that needs the rest (other rules of the group, its name, the
 * bucket's versioning) is not judged; none passes on the part alone.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import { isUnknown, type Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { compileRules, evaluate, type CompiledRule } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';

let rules: Rule[];
let compiled: CompiledRule[];
const dirs: string[] = [];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function read(
  name: string,
  text: string,
): Promise<{ resources: Resource[]; warnings: string[]; findings: Finding[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-undeclared-'));
  dirs.push(dir);
  writeFileSync(join(dir, name), text);
  const { resources, warnings } = await readPaths([dir]);
  return { resources, warnings, findings: evaluate(compiled, resources) };
}

function finding(findings: Finding[], ruleId: string, resourceName: string): Finding {
  const found = findings.filter((f) => f.ruleId === ruleId && f.resourceName === resourceName);
  expect(found, `${ruleId} on ${resourceName}`).toHaveLength(1);
  return found[0]!;
}

const statusOf = (findings: Finding[], ruleId: string, name: string) =>
  finding(findings, ruleId, name).status;

/** The trial's configuration: rules added to two groups another stack owns. */
const SHARED_GROUPS = `data "aws_security_group" "shared" {
  name = "shared-bastion"
}
resource "aws_security_group_rule" "open_ssh" {
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = ["0.0.0.0/0"]
  security_group_id = data.aws_security_group.shared.id
}
resource "aws_vpc_security_group_ingress_rule" "open_rdp" {
  security_group_id = "sg-0123456789abcdef0"
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 3389
  to_port           = 3389
  ip_protocol       = "tcp"
}
`;

describe('Terraform blocks configuring a resource declared elsewhere', () => {
  it('fail a shared group on the open port they add, and judge no rule on the rest', async () => {
    const { resources, warnings, findings } = await read('main.tf', SHARED_GROUPS);
    const shared = resources.find((r) => r.name === 'shared-bastion')!;
    expect(shared).toMatchObject({
      type: 'AWS::EC2::SecurityGroup',
      id: 'data.aws_security_group.shared',
      source: { kind: 'terraform', file: expect.stringMatching(/main\.tf$/), line: 4 },
    });
    const ssh = finding(findings, 'aws-ec2-sg-no-public-ssh', 'shared-bastion');
    expect(ssh.status).toBe('fail');
    expect(ssh.message).toBe(
      'Security group shared-bastion allows SSH from the internet ("tcp 22 from 0.0.0.0/0").',
    );
    expect(statusOf(findings, 'aws-ec2-sg-no-public-rdp', 'sg-0123456789abcdef0')).toBe('fail');

    // What the group's other rules open is not known: no pass for the ports not opened here.
    const rdp = finding(findings, 'aws-ec2-sg-no-public-rdp', 'shared-bastion');
    expect(rdp.status).toBe('not_applicable');
    expect(rdp.message).toContain('cannot be judged');
    expect(rdp.message).toContain('IpPermissions.1 is unknown');
    expect(statusOf(findings, 'aws-ec2-sg-no-public-ssh', 'sg-0123456789abcdef0')).toBe(
      'not_applicable',
    );
    // Whether a group is its VPC's default one rests on its name, unknown for the literal id.
    const byId = finding(findings, 'aws-ec2-default-sg-restricts-all', 'sg-0123456789abcdef0');
    expect(byId.message).toContain('cannot be judged');
    expect(byId.message).toContain('GroupName is unknown');
    expect(
      findings.filter(
        (f) => f.resourceId === 'sg-0123456789abcdef0' || f.resourceName === 'shared-bastion',
      ),
    ).not.toContainEqual(expect.objectContaining({ status: 'pass' }));

    expect(warnings).toEqual([
      expect.stringMatching(
        /aws_security_group_rule\.open_ssh \(\S*main\.tf:4\) configures a security group that is not declared in this configuration \(data\.aws_security_group\.shared\); the security group is judged as shared-bastion on what the blocks here set/,
      ),
      expect.stringMatching(
        /aws_vpc_security_group_ingress_rule\.open_rdp \(\S*main\.tf:12\) configures a security group that is not declared/,
      ),
    ]);
    expect(warnings.join('\n')).not.toContain('not assessed');
  });

  it('judge a planned rule on a group the plan reads through a data source', async () => {
    const rule = {
      address: 'aws_security_group_rule.open_ssh',
      mode: 'managed',
      type: 'aws_security_group_rule',
      name: 'open_ssh',
    };
    const plan = {
      format_version: '1.2',
      planned_values: {
        root_module: {
          resources: [
            {
              ...rule,
              values: {
                type: 'ingress',
                from_port: 22,
                to_port: 22,
                protocol: 'tcp',
                cidr_blocks: ['0.0.0.0/0'],
                security_group_id: 'sg-0abc',
              },
            },
          ],
        },
      },
      configuration: {
        root_module: {
          resources: [
            {
              ...rule,
              expressions: {
                security_group_id: {
                  references: [
                    'data.aws_security_group.shared.id',
                    'data.aws_security_group.shared',
                  ],
                },
              },
            },
          ],
        },
      },
    };
    const { findings } = await read('plan.json', JSON.stringify(plan));
    expect(statusOf(findings, 'aws-ec2-sg-no-public-ssh', 'sg-0abc')).toBe('fail');
    expect(statusOf(findings, 'aws-ec2-sg-no-public-rdp', 'sg-0abc')).toBe('not_applicable');
  });

  it('judge a shared default group by the rules added to it', async () => {
    const { findings } = await read(
      'main.tf',
      `data "aws_security_group" "default" {
  name = "default"
}
resource "aws_vpc_security_group_egress_rule" "out" {
  security_group_id = data.aws_security_group.default.id
  cidr_ipv4         = "10.0.0.0/8"
  ip_protocol       = "-1"
}
`,
    );
    expect(statusOf(findings, 'aws-ec2-default-sg-restricts-all', 'default')).toBe('fail');
    expect(statusOf(findings, 'aws-ec2-sg-no-public-ssh', 'default')).toBe('not_applicable');
  });

  it('judge buckets, queues, functions and network ACLs of other stacks on what is set', async () => {
    const { resources, findings } = await read(
      'main.tf',
      `data "aws_s3_bucket" "logs" {
  bucket = "shared-logs"
}
resource "aws_s3_bucket_acl" "logs" {
  bucket = data.aws_s3_bucket.logs.id
  acl    = "public-read"
}
resource "aws_s3_bucket_public_access_block" "logs" {
  bucket            = "shared-logs"
  block_public_acls = false
}
resource "aws_s3_bucket_versioning" "v" {
  bucket = "versioned"
  versioning_configuration {
    status = "Enabled"
  }
}
resource "aws_sqs_queue_policy" "q" {
  queue_url = "https://sqs.us-east-1.amazonaws.com/123456789012/shared-q"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Principal = "*", Action = "sqs:SendMessage", Resource = "*" }]
  })
}
resource "aws_lambda_permission" "public" {
  statement_id  = "AllowAll"
  action        = "lambda:InvokeFunction"
  function_name = "shared-fn"
  principal     = "*"
}
resource "aws_network_acl_rule" "ssh" {
  network_acl_id = "acl-0123"
  rule_number    = 100
  egress         = false
  protocol       = "tcp"
  rule_action    = "allow"
  cidr_block     = "0.0.0.0/0"
  from_port      = 22
  to_port        = 22
}
`,
    );
    // The data source and the literal name one bucket: both blocks configure it.
    const logs = resources.filter((r) => r.name === 'shared-logs');
    expect(logs.map((r) => r.id)).toEqual(['arn:aws:s3:::shared-logs']);
    expect(statusOf(findings, 'aws-s3-bucket-no-public-acl', 'shared-logs')).toBe('fail');
    // A bucket's versioning, encryption and public access block are its own, unknown here.
    const versioning = finding(findings, 'aws-s3-bucket-versioning-enabled', 'shared-logs');
    expect(versioning.status).toBe('not_applicable');
    expect(versioning.message).toContain(
      'Versioning is unknown (the resource is declared outside the files read',
    );
    expect(statusOf(findings, 'aws-s3-bucket-public-access-blocked', 'shared-logs')).toBe('fail');
    expect(statusOf(findings, 'aws-s3-bucket-public-access-blocked', 'versioned')).toBe(
      'not_applicable',
    );
    expect(statusOf(findings, 'aws-s3-bucket-versioning-enabled', 'versioned')).toBe('pass');
    expect(statusOf(findings, 'aws-s3-bucket-no-public-acl', 'versioned')).toBe('not_applicable');

    expect(statusOf(findings, 'aws-sqs-queue-not-public', 'shared-q')).toBe('fail');
    // The queue's other attributes are unknown, not absent.
    const sse = finding(findings, 'aws-sqs-queue-encrypted', 'shared-q');
    expect(sse.status).toBe('not_applicable');
    expect(sse.message).toMatch(/Attributes\.\w+ is unknown/);

    expect(statusOf(findings, 'aws-lambda-not-public', 'shared-fn')).toBe('fail');
    expect(statusOf(findings, 'aws-lambda-tracing-active', 'shared-fn')).toBe('not_applicable');
    expect(statusOf(findings, 'aws-ec2-nacl-no-public-admin-ports', 'acl-0123')).toBe('fail');
  });

  it('give on a group built from its added rules only verdicts every completion confirms', async () => {
    const closed = `resource "aws_security_group_rule" "https" {
  type              = "ingress"
  from_port         = 443
  to_port           = 443
  protocol          = "tcp"
  cidr_blocks       = ["10.0.0.0/8"]
  security_group_id = "sg-0aaaaaaaaaaaaaaaa"
}
`;
    const { resources, findings } = await read('main.tf', SHARED_GROUPS + closed);
    const partial = resources.filter((r) => r.type === 'AWS::EC2::SecurityGroup');
    expect(partial).toHaveLength(3);
    const decided = new Map(
      findings
        .filter((f) => f.status === 'pass' || f.status === 'fail')
        .map((f) => [`${f.ruleId} ${f.resourceId}`, f.status]),
    );
    const others: unknown[][] = [
      [],
      [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
      [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] }],
    ];
    let checked = 0;
    for (const rest of others) {
      for (const name of ['default', 'web']) {
        const complete = partial.map((r) => completed(r, rest, name));
        for (const f of evaluate(compiled, complete)) {
          const before = decided.get(`${f.ruleId} ${f.resourceId}`);
          if (before === undefined) continue;
          checked += 1;
          expect(f.status, `${f.ruleId} on ${f.resourceId}, rest ${JSON.stringify(rest)}`).toBe(
            before,
          );
        }
      }
    }
    expect(checked).toBeGreaterThanOrEqual(12);
  });
});

/** `group` made whole: its lists end with `rest` instead of the unknown, with a name and the rest. */
function completed(group: Resource, rest: unknown[], name: string): Resource {
  const lists: Record<string, unknown> = {};
  for (const key of ['IpPermissions', 'IpPermissionsEgress']) {
    const value = group.properties[key];
    lists[key] = Array.isArray(value) ? [...value.filter((v) => !isUnknown(v)), ...rest] : rest;
  }
  return {
    ...group,
    properties: { GroupName: name, Description: 'd', VpcId: 'vpc-1', ...lists },
    unknown: undefined,
  };
}

describe('CloudFormation resources configuring a resource another stack declares', () => {
  const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Resources:
  OpenSsh:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !ImportValue shared-bastion-sg
      IpProtocol: tcp
      FromPort: 22
      ToPort: 22
      CidrIp: 0.0.0.0/0
  OpenRdp:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: sg-0123456789abcdef0
      IpProtocol: tcp
      FromPort: 3389
      ToPort: 3389
      CidrIp: 0.0.0.0/0
  Https:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !ImportValue shared-bastion-sg
      IpProtocol: tcp
      FromPort: 443
      ToPort: 443
      CidrIp: 10.0.0.0/8
  Pol:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: shared-logs
      PolicyDocument:
        Statement:
          - Effect: Allow
            Principal: '*'
            Action: s3:GetObject
            Resource: arn:aws:s3:::shared-logs/*
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.0.0.0/16
  IntoDefault:
    Type: AWS::EC2::SecurityGroupIngress
    Properties:
      GroupId: !GetAtt Vpc.DefaultSecurityGroup
      IpProtocol: '-1'
      CidrIp: 0.0.0.0/0
  QP:
    Type: AWS::SQS::QueuePolicy
    Properties:
      Queues: ['https://sqs.us-east-1.amazonaws.com/123456789012/q1', !ImportValue q2url]
      PolicyDocument:
        Statement:
          - { Effect: Allow, Principal: '*', Action: 'sqs:SendMessage', Resource: '*' }
`;

  it('fail the imported group on the open port and judge nothing on its other rules', async () => {
    const { resources, warnings, findings } = await read('template.yaml', TEMPLATE);
    // The rules are folded into their group, not left as resources no rule reads.
    expect(resources.map((r) => r.type)).not.toContain('AWS::EC2::SecurityGroupIngress');
    const imported = resources.filter((r) => r.name === '!ImportValue shared-bastion-sg');
    expect(imported).toHaveLength(1);
    expect(imported[0]!.properties.IpPermissions).toHaveLength(3);
    expect(imported[0]!.source).toMatchObject({ kind: 'cloudformation', line: 3 });

    const ssh = finding(findings, 'aws-ec2-sg-no-public-ssh', '!ImportValue shared-bastion-sg');
    expect(ssh.status).toBe('fail');
    expect(ssh.message).toBe(
      'Security group !ImportValue shared-bastion-sg allows SSH from the internet ("tcp 22 from 0.0.0.0/0").',
    );
    const rdp = finding(findings, 'aws-ec2-sg-no-public-rdp', '!ImportValue shared-bastion-sg');
    expect(rdp.status).toBe('not_applicable');
    expect(rdp.message).toContain('IpPermissions.2 is unknown');
    expect(statusOf(findings, 'aws-ec2-sg-no-public-rdp', 'sg-0123456789abcdef0')).toBe('fail');
    expect(statusOf(findings, 'aws-ec2-sg-no-public-ssh', 'sg-0123456789abcdef0')).toBe(
      'not_applicable',
    );

    // A VPC's default group is made by EC2, not the template: rules added to it are judged.
    expect(
      statusOf(findings, 'aws-ec2-sg-no-public-all-ports', '!GetAtt Vpc.DefaultSecurityGroup'),
    ).toBe('fail');

    expect(resources.find((r) => r.name === 'shared-logs')?.id).toBe('arn:aws:s3:::shared-logs');
    expect(statusOf(findings, 'aws-s3-bucket-policy-not-public', 'shared-logs')).toBe('fail');
    expect(statusOf(findings, 'aws-s3-bucket-versioning-enabled', 'shared-logs')).toBe(
      'not_applicable',
    );
    expect(statusOf(findings, 'aws-sqs-queue-not-public', 'q1')).toBe('fail');
    expect(statusOf(findings, 'aws-sqs-queue-not-public', '!ImportValue q2url')).toBe('fail');
    expect(statusOf(findings, 'aws-sqs-queue-encrypted', 'q1')).toBe('not_applicable');

    expect(warnings).toContainEqual(
      expect.stringContaining(
        'OpenSsh (AWS::EC2::SecurityGroupIngress) configures a security group that is not ' +
          'declared in this template (!ImportValue shared-bastion-sg)',
      ),
    );
  });
});
