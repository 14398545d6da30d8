import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/finding.js';
import type { Rule } from '../../../src/model/rule.js';
import { assess } from '../../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';

/**
 * An instance's inventory record (DescribeInstances, a Config item) carries neither its user
 * data nor whether its EBS volumes are encrypted. Both are judged only when the scan holds the
 * record that says (DescribeInstanceAttribute --attribute userData, DescribeVolumes or Config
 * volume items); otherwise the rules on them cannot judge the instance.
 */

const PLACEBO = path.resolve(
  process.cwd(),
  '../shared/data/cloud-inventory/aws/cloud-custodian-placebo',
);

/** The shared DescribeInstances recording as the CLI prints it (no placebo envelope). */
function describeInstances(): { Reservations: { Instances: Record<string, any>[] }[] } {
  const file = path.join(PLACEBO, 'test_ec2_add_by_tag/ec2.DescribeInstances_1.json');
  return JSON.parse(readFileSync(file, 'utf8')).data;
}

const INSTANCE = 'i-08797f38d2e80c9d0';
const VOLUME = 'vol-0bb15d11406b510bd';
const ACCOUNT = '644160558196';
const ARN = `arn:aws:ec2:us-east-1:${ACCOUNT}:instance/${INSTANCE}`;
const SECRET_USER_DATA = '#!/bin/bash\nexport AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n';

function folder(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-aws-joins-'));
  for (const [name, value] of Object.entries(files))
    writeFileSync(path.join(dir, name), JSON.stringify(value, null, 4));
  return dir;
}

function userDataOutput(text: string | undefined): unknown {
  const value = text === undefined ? {} : { Value: Buffer.from(text).toString('base64') };
  return { InstanceId: INSTANCE, UserData: value };
}

function volumesOutput(encrypted: boolean): unknown {
  return {
    Volumes: [
      {
        VolumeId: VOLUME,
        Encrypted: encrypted,
        Size: 8,
        Attachments: [{ InstanceId: INSTANCE, VolumeId: VOLUME, State: 'attached' }],
      },
    ],
  };
}

function configItem(type: string, id: string, arn: string, configuration: unknown): unknown {
  return {
    configurationItemCaptureTime: '2026-11-02T10:11:13.123Z',
    configurationItemStatus: 'OK',
    accountId: ACCOUNT,
    awsRegion: 'us-east-1',
    resourceType: type,
    resourceId: id,
    arn,
    configuration,
    supplementaryConfiguration: {},
    tags: {},
    relationships: [],
  };
}

/** Config items of the instance (camelCase, as Config writes them) and, if given, its volume. */
function configItems(volumeEncrypted?: boolean): unknown {
  const instance = configItem('AWS::EC2::Instance', INSTANCE, ARN, {
    instanceId: INSTANCE,
    metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled' },
    blockDeviceMappings: [{ deviceName: '/dev/xvda', ebs: { volumeId: VOLUME, status: 'ok' } }],
  });
  const volume = configItem(
    'AWS::EC2::Volume',
    VOLUME,
    `arn:aws:ec2:us-east-1:${ACCOUNT}:volume/${VOLUME}`,
    { volumeId: VOLUME, encrypted: volumeEncrypted, size: 8 },
  );
  return {
    configurationItems: volumeEncrypted === undefined ? [instance] : [instance, volume],
  };
}

let rules: Rule[];
let compiled: CompiledRule[];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});

async function instanceFindings(files: Record<string, unknown>): Promise<Map<string, Finding>> {
  const result = await assess({ paths: [folder(files)], rules, compiled });
  const instances = result.resources.filter((r) => r.type === 'AWS::EC2::Instance');
  expect(instances, 'one instance resource').toHaveLength(1);
  const findings = result.findings.filter((f) => f.resourceType === 'AWS::EC2::Instance');
  return new Map(findings.map((f) => [f.ruleId, f]));
}

const USER_DATA = 'aws-ec2-instance-no-secrets-in-user-data';
const VOLUMES = 'aws-ec2-instance-volumes-encrypted';

describe('EC2 instance user data from inventory', () => {
  it('cannot be judged from DescribeInstances or a Config item alone', async () => {
    for (const files of [
      { 'describe-instances.json': describeInstances() },
      { 'config.json': configItems() },
    ]) {
      const finding = (await instanceFindings(files)).get(USER_DATA)!;
      expect(finding.status, finding.message).toBe('not_applicable');
      expect(finding.message).toMatch(/UserData is unknown \(not in the inventory that was read\)/);
    }
  });

  it('is read from describe-instance-attribute, decoded, and joined to its instance', async () => {
    const findings = await instanceFindings({
      'describe-instances.json': describeInstances(),
      'describe-instance-attribute.json': userDataOutput(SECRET_USER_DATA),
    });
    expect(findings.get(USER_DATA)?.status).toBe('fail');
    expect(findings.get(USER_DATA)?.resourceName).toBe('bastion-vpc-07bd7be62998ee0f2');

    const clean = await instanceFindings({
      'describe-instances.json': describeInstances(),
      'describe-instance-attribute.json': userDataOutput('#!/bin/bash\nyum -y update\n'),
    });
    expect(clean.get(USER_DATA)?.status).toBe('pass');

    const none = await instanceFindings({
      'describe-instances.json': describeInstances(),
      'describe-instance-attribute.json': userDataOutput(undefined),
    });
    expect(none.get(USER_DATA)?.status).toBe('pass');
  });

  it('joins the attribute output to a Config item that names the instance by ARN', async () => {
    const findings = await instanceFindings({
      'config.json': configItems(),
      'describe-instance-attribute.json': userDataOutput(SECRET_USER_DATA),
    });
    const finding = findings.get(USER_DATA)!;
    expect(finding.status).toBe('fail');
    expect(finding.resourceId).toBe(ARN);
    expect(findings.get('aws-ec2-instance-imdsv2-required')?.status).toBe('pass');
  });

  it('merges a DescribeInstances record with the Config item of the same instance', async () => {
    const result = await assess({
      paths: [
        folder({
          'config.json': configItems(),
          'describe-instances.json': describeInstances(),
          'describe-instance-attribute.json': userDataOutput(SECRET_USER_DATA),
        }),
      ],
      rules,
      compiled,
    });
    const instances = result.resources.filter((r) => r.type === 'AWS::EC2::Instance');
    expect(instances.map((r) => r.id)).toEqual([ARN]);
    const verdicts = result.findings.filter((f) => f.ruleId === USER_DATA).map((f) => f.status);
    expect(verdicts).toEqual(['fail']);
  });

  it('judges the user data alone when its instance is not in the scan', async () => {
    const findings = await instanceFindings({
      'describe-instance-attribute.json': userDataOutput(SECRET_USER_DATA),
    });
    expect(findings.get(USER_DATA)?.status).toBe('fail');
    expect(findings.get('aws-ec2-instance-imdsv2-required')?.status).toBe('not_applicable');
  });
});

describe('EC2 instance volume encryption from inventory', () => {
  it('cannot be judged when the instance record does not say and no volume record does', async () => {
    for (const files of [
      { 'describe-instances.json': describeInstances() },
      { 'config.json': configItems() },
    ]) {
      const finding = (await instanceFindings(files)).get(VOLUMES)!;
      expect(finding.status, finding.message).toBe('not_applicable');
      expect(finding.message).toMatch(/BlockDeviceMappings\.0\.Ebs\.Encrypted is unknown/);
    }
  });

  it('takes Encrypted from the DescribeVolumes output of the same scan', async () => {
    const plain = await instanceFindings({
      'describe-instances.json': describeInstances(),
      'describe-volumes.json': volumesOutput(false),
    });
    expect(plain.get(VOLUMES)?.status).toBe('fail');

    const encrypted = await instanceFindings({
      'describe-instances.json': describeInstances(),
      'describe-volumes.json': volumesOutput(true),
    });
    expect(encrypted.get(VOLUMES)?.status).toBe('pass');
  });

  it('takes Encrypted from a Config volume item beside the Config instance item', async () => {
    expect(
      (await instanceFindings({ 'config.json': configItems(false) })).get(VOLUMES)?.status,
    ).toBe('fail');
    expect(
      (await instanceFindings({ 'config.json': configItems(true) })).get(VOLUMES)?.status,
    ).toBe('pass');
  });
});
