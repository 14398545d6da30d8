import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../../src/model/finding.js';
import type { Rule } from '../../../src/model/rule.js';
import { assess } from '../../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';

/**
 * `aws iam get-account-authorization-details` is the whole IAM configuration in one output:
 * users, groups and roles with their inline and attached policies, and managed policies with
 * every version. It is read into the shapes the IAM rules judge for Config items.
 */

const ACCOUNT = '123456789012';
const ADMIN = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};
const READ = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject' }] };
const ANYONE = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
};
const LAMBDA = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ],
};

/** As the IAM API returns policy documents: URL-encoded JSON text. */
const encoded = (document: unknown) => encodeURIComponent(JSON.stringify(document));

function authorizationDetails(): unknown {
  const arn = (kind: string, name: string) => `arn:aws:iam::${ACCOUNT}:${kind}/${name}`;
  return {
    UserDetailList: [
      {
        UserName: 'alice',
        Arn: arn('user', 'alice'),
        UserPolicyList: [{ PolicyName: 'inline-admin', PolicyDocument: encoded(ADMIN) }],
        GroupList: ['developers'],
        AttachedManagedPolicies: [
          {
            PolicyName: 'AdministratorAccess',
            PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess',
          },
        ],
        Tags: [],
      },
      {
        UserName: 'bob',
        Arn: arn('user', 'bob'),
        GroupList: ['developers'],
        AttachedManagedPolicies: [],
        Tags: [],
      },
    ],
    GroupDetailList: [
      {
        GroupName: 'developers',
        Arn: arn('group', 'developers'),
        GroupPolicyList: [{ PolicyName: 'read', PolicyDocument: READ }],
        AttachedManagedPolicies: [],
      },
    ],
    RoleDetailList: [
      {
        RoleName: 'cross-account-any',
        Arn: arn('role', 'cross-account-any'),
        AssumeRolePolicyDocument: encoded(ANYONE),
        RolePolicyList: [],
        AttachedManagedPolicies: [],
        Tags: [],
      },
      {
        RoleName: 'lambda-exec',
        Arn: arn('role', 'lambda-exec'),
        // The CLI prints documents decoded, as objects.
        AssumeRolePolicyDocument: LAMBDA,
        RolePolicyList: [],
        AttachedManagedPolicies: [],
        Tags: [],
      },
    ],
    Policies: [
      {
        PolicyName: 'full-admin-custom',
        Arn: arn('policy', 'full-admin-custom'),
        DefaultVersionId: 'v2',
        PolicyVersionList: [
          { Document: encoded(ADMIN), VersionId: 'v2', IsDefaultVersion: true },
          { Document: encoded(READ), VersionId: 'v1', IsDefaultVersion: false },
        ],
      },
      {
        PolicyName: 'was-admin',
        Arn: arn('policy', 'was-admin'),
        DefaultVersionId: 'v2',
        PolicyVersionList: [
          { Document: READ, VersionId: 'v2', IsDefaultVersion: true },
          { Document: ADMIN, VersionId: 'v1', IsDefaultVersion: false },
        ],
      },
      {
        PolicyName: 'AdministratorAccess',
        Arn: 'arn:aws:iam::aws:policy/AdministratorAccess',
        DefaultVersionId: 'v1',
        PolicyVersionList: [{ Document: encoded(ADMIN), VersionId: 'v1', IsDefaultVersion: true }],
      },
    ],
  };
}

let rules: Rule[];
let compiled: CompiledRule[];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});

interface Scan {
  verdict: (rule: string, name: string) => string;
  names: (type: string) => string[];
}

async function scan(): Promise<Scan> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'palisade-iam-details-'));
  const file = path.join(dir, 'get-account-authorization-details.json');
  writeFileSync(file, JSON.stringify(authorizationDetails(), null, 4));
  const result = await assess({ paths: [dir], rules, compiled });
  expect(result.files.map((f) => f.kind)).toEqual(['aws-api']);
  const findings: Finding[] = result.findings;
  return {
    verdict: (rule, name) => {
      const found = findings.filter((f) => f.ruleId === rule && f.resourceName === name);
      expect(found, `${rule} on ${name}`).toHaveLength(1);
      return found[0]!.status;
    },
    names: (type) => result.resources.filter((r) => r.type === type).map((r) => r.name),
  };
}

describe('IAM authorization details output', () => {
  it('fails a user with AdministratorAccess and an inline *:* policy', async () => {
    const { verdict } = await scan();
    expect(verdict('aws-iam-no-full-admin-policies', 'alice')).toBe('fail');
    expect(verdict('aws-iam-user-no-direct-policies', 'alice')).toBe('fail');
    expect(verdict('aws-iam-no-full-admin-policies', 'bob')).toBe('pass');
    // Not the root user: its ARN says so, without the credential report.
    expect(verdict('aws-iam-root-mfa', 'alice')).toBe('not_applicable');
    expect(verdict('aws-iam-no-full-admin-policies', 'developers')).toBe('pass');
  });

  it('fails a role that anyone may assume, with its URL-encoded trust policy', async () => {
    const { verdict } = await scan();
    expect(verdict('aws-iam-role-no-public-trust', 'cross-account-any')).toBe('fail');
    expect(verdict('aws-iam-role-no-public-trust', 'lambda-exec')).toBe('pass');
  });

  it("judges a customer policy on its default version, and not AWS's own policies", async () => {
    const { verdict, names } = await scan();
    expect(verdict('aws-iam-no-full-admin-policies', 'full-admin-custom')).toBe('fail');
    expect(verdict('aws-iam-no-full-admin-policies', 'was-admin')).toBe('pass');
    expect(names('AWS::IAM::Policy')).toEqual(['full-admin-custom', 'was-admin']);
  });
});
