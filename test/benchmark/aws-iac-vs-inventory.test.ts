/**
 * The same AWS resource written as Terraform (test/fixtures/aws/mirror, mirroring recorded API
 * responses and Config items) and read from the recording gets the same verdict from every rule.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const PLACEBO = 'cloud-inventory/aws/cloud-custodian-placebo/';
const CONFIG = 'cloud-inventory/aws/cloud-custodian-config-items/';

/**
 * Inventory file, CloudFormation type, the recorded resource's name or id, the Terraform address
 * that mirrors it, and rules whose verdicts may differ for a stated reason.
 */
interface Pair {
  file: string;
  type: string;
  recorded: string;
  address: string;
  differ?: Record<string, string>;
}

/** A rule that judges only code (applies_if on the source): live resources are not applicable. */
const IAC_ONLY = 'judges IaC only: a password written in the code';

const PAIRS: Pair[] = [
  {
    file: CONFIG + 's3.json',
    type: 'AWS::S3::Bucket',
    recorded: 'config-rule-sanity',
    address: 'aws_s3_bucket.config_rule_sanity',
    // Recorded in 2017; since 2023 S3 encrypts every new bucket with SSE-S3 and blocks public
    // access by default, so the same declaration now yields an encrypted, blocked bucket.
    differ: {
      'aws-s3-bucket-default-encryption': 'S3 default encryption since 2023',
      'aws-s3-bucket-public-access-blocked': 'S3 Block Public Access on new buckets since 2023',
    },
  },
  {
    file: PLACEBO + 'test_only_ports_and_cidr_ingress/ec2.DescribeSecurityGroups_1.json',
    type: 'AWS::EC2::SecurityGroup',
    recorded: 'sg_jantmantest_1',
    address: 'aws_security_group.jantman',
  },
  {
    file: PLACEBO + 'test_ebs_modifyable_filter/ec2.DescribeVolumes_1.json',
    type: 'AWS::EC2::Volume',
    recorded: 'vol-0614474fa940f42b6',
    address: 'aws_ebs_volume.not_resizable',
  },
  {
    file: PLACEBO + 'test_rds_retention/rds.DescribeDBInstances_1.json',
    type: 'AWS::RDS::DBInstance',
    recorded: 'oneness',
    address: 'aws_db_instance.oneness',
    differ: { 'aws-iac-no-literal-secrets': IAC_ONLY },
  },
  {
    file: CONFIG + 'rds-cluster.json',
    type: 'AWS::RDS::DBCluster',
    recorded: 'database-1',
    address: 'aws_rds_cluster.database_1',
    differ: { 'aws-iac-no-literal-secrets': IAC_ONLY },
  },
  {
    file: PLACEBO + 'test_cloudtrail_delete/cloudtrail.DescribeTrails_1.json',
    type: 'AWS::CloudTrail::Trail',
    recorded: 'skunk-trails',
    address: 'aws_cloudtrail.skunk_trails',
  },
  {
    file: PLACEBO + 'test_account_password_policy_update/iam.GetAccountPasswordPolicy_1.json',
    type: 'AWS::IAM::AccountPasswordPolicy',
    recorded: 'account password policy',
    address: 'aws_iam_account_password_policy.recorded',
  },
  {
    file: PLACEBO + 'test_eks_metrics/eks.DescribeCluster_1.json',
    type: 'AWS::EKS::Cluster',
    recorded: 'serious-bluegrass-ladybug',
    address: 'aws_eks_cluster.ladybug',
  },
  {
    file: PLACEBO + 'test_network_acl_s3_present/ec2.DescribeNetworkAcls_1.json',
    type: 'AWS::EC2::NetworkAcl',
    recorded: 'acl-2495b15d',
    address: 'aws_default_network_acl.default',
  },
];

const compiled = compileRules((await loadRules()).filter((r) => r.cloud === 'aws'));
const iac = (await readPaths([resolve(REPO_ROOT, 'test/fixtures/aws/mirror')])).resources;

function pick(
  resources: Resource[],
  type: string,
  match: (r: Resource) => boolean,
  what: string,
): Resource {
  const found = resources.filter((r) => r.type === type && match(r));
  expect(found, `${type} ${what}`).toHaveLength(1);
  return found[0];
}

function verdicts(resource: Resource, all: Resource[]): Record<string, string> {
  const findings = evaluate(compiled, all).filter(
    (f) => f.resourceId === resource.id && f.resourceType === resource.type,
  );
  return Object.fromEntries(findings.map((f) => [f.ruleId, f.status]));
}

function without(v: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(v).filter(([k]) => !keys.includes(k)));
}

describe('AWS IaC and inventory forms of one resource', () => {
  for (const pair of PAIRS) {
    it(`judges ${pair.type} ${pair.recorded} alike from Terraform and the recording`, async () => {
      const inventory = (await readPaths([shared(pair.file)])).resources;
      const recorded = pick(
        inventory,
        pair.type,
        (r) => r.name === pair.recorded || r.id === pair.recorded,
        pair.recorded,
      );
      const declared = pick(iac, pair.type, (r) => r.source.address === pair.address, pair.address);
      const live = verdicts(recorded, inventory);
      const iacVerdicts = verdicts(declared, iac);

      expect(
        Object.values(live).filter((s) => s === 'pass' || s === 'fail').length,
        'rules judged the recorded resource',
      ).toBeGreaterThan(0);
      const differ = Object.keys(pair.differ ?? {});
      expect(without(iacVerdicts, differ)).toEqual(without(live, differ));
      for (const id of differ) expect(iacVerdicts[id], id).not.toBe(live[id]);
    });
  }

  it('covers at least five resource types with both passing and failing verdicts', () => {
    expect(new Set(PAIRS.map((p) => p.type)).size).toBeGreaterThanOrEqual(5);
    const statuses = new Set<string>();
    for (const pair of PAIRS) {
      const declared = pick(iac, pair.type, (r) => r.source.address === pair.address, pair.address);
      for (const s of Object.values(verdicts(declared, iac))) statuses.add(s);
    }
    expect(statuses).toContain('pass');
    expect(statuses).toContain('fail');
  });
});
