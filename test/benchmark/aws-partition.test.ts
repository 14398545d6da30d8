/**
 * Managed policy ARNs are compared whatever the partition: an IaC ARN built from the partition
 * reference (`AWS::Partition`, `data.aws_partition`) and an inventory ARN of GovCloud or China
 * are judged as the commercial one is, while a value that depends on which partition it is stays
 * unknown.
 */

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../src/model/finding.js';
import type { Resource } from '../../src/model/resource.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT } from '../support/paths.js';

const rule = (await loadRules()).find((r) => r.id === 'aws-iam-no-full-admin-policies')!;
const compiled = compileRules([rule]);
const fixtures = `${REPO_ROOT}test/fixtures/aws-partition`;

async function verdicts(path: string): Promise<Map<string, Finding>> {
  const { resources } = await readPaths([path]);
  const findings = evaluate(compiled, resources);
  return new Map(resources.map((r) => [r.source.address ?? r.name, findingOf(findings, r)]));
}

function findingOf(findings: Finding[], resource: Resource): Finding {
  return findings.find((f) => f.resourceId === resource.id)!;
}

function inventoryRole(arn: string): Resource {
  return {
    cloud: 'aws',
    type: 'AWS::IAM::Role',
    id: 'gov-admin',
    name: 'gov-admin',
    tags: {},
    properties: { RoleName: 'gov-admin', AttachedManagedPolicies: [{ PolicyArn: arn }] },
    relationships: [],
    source: { kind: 'aws-config' },
  };
}

describe('aws-iam-no-full-admin-policies in every partition', () => {
  it('fails a CloudFormation role attaching AdministratorAccess through AWS::Partition', async () => {
    const found = await verdicts(`${fixtures}/cloudformation.yaml`);
    expect(found.get('AdminRole')?.status).toBe('fail');
    expect(found.get('JoinedAdminRole')?.status).toBe('fail');
    expect(found.get('ReadOnlyRole')?.status).toBe('pass');
  });

  it('fails a Terraform attachment of AdministratorAccess through data.aws_partition', async () => {
    const found = await verdicts(`${fixtures}/terraform`);
    expect(found.get('aws_iam_role.admin')?.status).toBe('fail');
    expect(found.get('aws_iam_role.read_only')?.status).toBe('pass');
  });

  it('cannot judge an ARN computed from the partition value itself', async () => {
    const cfn = await verdicts(`${fixtures}/cloudformation.yaml`);
    expect(cfn.get('ChinaOnlyRole')?.message).toContain('cannot be judged');
    const tf = await verdicts(`${fixtures}/terraform`);
    expect(tf.get('aws_iam_role.china_only')?.message).toContain('cannot be judged');
  });

  it('fails GovCloud and China inventory roles holding AdministratorAccess', () => {
    for (const partition of ['aws-us-gov', 'aws-cn']) {
      const arn = `arn:${partition}:iam::aws:policy/AdministratorAccess`;
      const [finding] = evaluate(compiled, [inventoryRole(arn)]);
      expect(finding?.status, arn).toBe('fail');
    }
    const [readOnly] = evaluate(compiled, [
      inventoryRole('arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess'),
    ]);
    expect(readOnly?.status).toBe('pass');
  });
});
