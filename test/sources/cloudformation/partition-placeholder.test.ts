/**
 * AWS::Partition and AWS::URLSuffix are known only at deploy: inside a string built with Fn::Sub
 * or Fn::Join they stay as their placeholder text, and whatever would depend on their value (a
 * condition, a split) is unknown.
 */

import { describe, expect, it } from 'vitest';
import { isUnknown, type Resource } from '../../../src/model/resource.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { REPO_ROOT } from '../../support/paths.js';

const { resources } = await readPaths([
  `${REPO_ROOT}test/fixtures/aws-partition/cloudformation.yaml`,
]);
const byAddress = (address: string): Resource =>
  resources.find((r) => r.source.address === address)!;

describe('CloudFormation partition pseudo parameters', () => {
  it('keeps AWS::Partition as placeholder text inside Fn::Sub and Fn::Join', () => {
    const arns = ['AdminRole', 'JoinedAdminRole'].map(
      (id) => (byAddress(id).properties.AttachedManagedPolicies as { PolicyArn: unknown }[])[0],
    );
    expect(arns.map((a) => a?.PolicyArn)).toEqual([
      'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess',
      'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess',
    ]);
  });

  it('keeps AWS::URLSuffix as placeholder text instead of assuming amazonaws.com', () => {
    const trust = JSON.stringify(byAddress('AdminRole').properties.AssumeRolePolicyDocument);
    expect(trust).toContain('ec2.${AWS::URLSuffix}');
  });

  it('leaves conditions and splits on the partition unknown', () => {
    const role = byAddress('ChinaOnlyRole').properties;
    expect(isUnknown(role.RoleName)).toBe(true);
    expect(isUnknown(role.Path)).toBe(true);
  });
});
