import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/model/rule.js';
import { compileRules, evaluate } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';
import { readPaths } from '../../../src/sources/read-paths.js';

/**
 * A describe item that carries its ARN (DescribeSecurityGroups' `SecurityGroupArn`,
 * DescribeSubnets' `SubnetArn`) is named by it, as AWS Config names the resource: a group
 * read from both is one resource with one verdict, and relationships naming it by its short id
 * still find it.
 */

const PLACEBO = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/aws/cloud-custodian-placebo',
);

const GROUP = 'sg-0d40e803b8b644e79';
const GROUP_ARN = `arn:aws:ec2:us-east-1:123456789012:security-group/${GROUP}`;

function recording(file: string): Record<string, any> {
  return JSON.parse(readFileSync(path.join(PLACEBO, file), 'utf8')).data;
}

/** The shared DescribeSecurityGroups recording as today's CLI prints it: with each group's ARN. */
function describeGroups(): Record<string, any> {
  const data = recording('test_only_ports_and_cidr_ingress/ec2.DescribeSecurityGroups_1.json');
  for (const g of data.SecurityGroups)
    g.SecurityGroupArn = `arn:aws:ec2:us-east-1:${g.OwnerId}:security-group/${g.GroupId}`;
  return data;
}

/** A Config history output holding the same group (SSH, HTTP and HTTPS open to the world). */
function configHistory(): unknown {
  const group = describeGroups().SecurityGroups.find((g: any) => g.GroupId === GROUP);
  const camel = (p: any) => ({
    ipProtocol: p.IpProtocol,
    fromPort: p.FromPort,
    toPort: p.ToPort,
    ipv4Ranges: p.IpRanges.map((r: any) => ({ cidrIp: r.CidrIp })),
    ipv6Ranges: [],
    userIdGroupPairs: [],
    prefixListIds: [],
  });
  const configuration = {
    groupId: GROUP,
    groupName: group.GroupName,
    ownerId: group.OwnerId,
    vpcId: group.VpcId,
    ipPermissions: group.IpPermissions.map(camel),
    ipPermissionsEgress: [],
  };
  return {
    configurationItems: [
      {
        configurationItemCaptureTime: '2026-12-05T10:00:00.000000+00:00',
        configurationItemStatus: 'OK',
        accountId: group.OwnerId,
        awsRegion: 'us-east-1',
        arn: GROUP_ARN,
        resourceType: 'AWS::EC2::SecurityGroup',
        resourceId: GROUP,
        resourceName: group.GroupName,
        configuration: JSON.stringify(configuration),
        supplementaryConfiguration: {},
        relationships: [],
      },
    ],
  };
}

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-aws-arn-ids-'));
  for (const [name, value] of Object.entries(files))
    writeFileSync(path.join(dir, name), JSON.stringify(value, null, 4));
  return dir;
}

describe('describe items that carry their ARN', () => {
  it('name a security group by its ARN, so a Config item of it merges into one resource', async () => {
    const rules = (await loadRules()).filter((r) => r.id === 'aws-ec2-sg-no-public-ssh');
    const { resources } = await readPaths([
      folder({
        'describe-security-groups.json': describeGroups(),
        'get-resource-config-history.json': configHistory(),
      }),
    ]);
    const groups = resources.filter((r) => r.properties.GroupId === GROUP);
    expect(groups.map((g) => g.id)).toEqual([GROUP_ARN]);
    expect(groups[0]!.region).toBe('us-east-1');
    expect(groups[0]!.name).toBe('sg_jantmantest_1');

    const findings = evaluate(compileRules(rules), resources).filter((f) =>
      f.resourceId.endsWith(GROUP),
    );
    expect(findings.map((f) => f.status)).toEqual(['fail']);
  });

  it('name a subnet by its SubnetArn', async () => {
    const subnet = {
      SubnetId: 'subnet-0a1b2c3d',
      SubnetArn: 'arn:aws:ec2:us-east-1:123456789012:subnet/subnet-0a1b2c3d',
      VpcId: 'vpc-6b7e9b0c',
      OwnerId: '123456789012',
      MapPublicIpOnLaunch: true,
    };
    const { resources } = await readPaths([folder({ 'subnets.json': { Subnets: [subnet] } })]);
    expect(resources.map((r) => [r.id, r.name])).toEqual([[subnet.SubnetArn, 'subnet-0a1b2c3d']]);
  });

  it('keep relationships by short id working: an instance still finds its group', async () => {
    const instances = recording('test_ec2_add_by_tag/ec2.DescribeInstances_1.json');
    instances.Reservations[0].Instances[0].SecurityGroups = [{ GroupId: GROUP }];
    const { resources } = await readPaths([
      folder({
        'describe-instances.json': instances,
        'describe-security-groups.json': describeGroups(),
      }),
    ]);
    const rule: Rule = {
      id: 'test-instance-has-group',
      title: 'Instances have a security group',
      description: '',
      severity: 'low',
      cloud: 'aws',
      control: 'NS-1',
      mappings: {},
      resource_types: ['AWS::EC2::Instance'],
      check: `related.exists(x, x.type == 'AWS::EC2::SecurityGroup' && x.id == '${GROUP_ARN}')`,
      message: { fail: 'Instance {{name}} has no security group.' },
      remediation: { text: 'Attach one.' },
      references: [],
    };
    const findings = evaluate(compileRules([rule]), resources);
    expect(findings.map((f) => f.status)).toEqual(['pass']);
  });
});
