/**
 * `data "aws_partition"` attributes are known only at apply: inside a template they stay as their
 * placeholder text, and comparisons or string functions on them are unknown.
 */

import { describe, expect, it } from 'vitest';
import { isUnknown, type Resource } from '../../../src/model/resource.js';
import { readPaths } from '../../../src/sources/read-paths.js';
import { REPO_ROOT } from '../../support/paths.js';

const { resources } = await readPaths([`${REPO_ROOT}test/fixtures/aws-partition/terraform`]);
const byAddress = (address: string): Resource =>
  resources.find((r) => r.source.address === address)!;
const policyArns = (address: string): unknown[] =>
  (byAddress(address).properties.AttachedManagedPolicies as { PolicyArn: unknown }[]).map(
    (p) => p.PolicyArn,
  );

describe('Terraform data.aws_partition', () => {
  it('keeps the partition as placeholder text inside a template, directly or via a local', () => {
    expect(policyArns('aws_iam_role.admin')).toEqual([
      'arn:${data.aws_partition.current.partition}:iam::aws:policy/AdministratorAccess',
    ]);
    expect(policyArns('aws_iam_role.read_only')).toEqual([
      'arn:${data.aws_partition.current.partition}:iam::aws:policy/ReadOnlyAccess',
    ]);
  });

  it('leaves comparisons and string functions on the partition unknown', () => {
    const role = byAddress('aws_iam_role.china_only').properties;
    expect(isUnknown(role.RoleName)).toBe(true);
    expect(isUnknown(role.Description)).toBe(true);
    expect(policyArns('aws_iam_role.china_only').every(isUnknown)).toBe(true);
  });
});
