/**
 * A resource policy is public when an Allow statement admits anyone (Principal "*", or every
 * caller but a NotPrincipal) and no condition narrows who the caller can be. Conditions on what
 * the caller controls (aws:SecureTransport) or that an anonymous request escapes (a negated
 * operator, ...IfExists) leave it public. Shared by the S3, SQS, Lambda, KMS and IAM trust rules.
 */

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { celFunctions } from '../../src/posture/cel-functions.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';

const policyAllowsPublic = celFunctions.find((f) => f.signature.startsWith('policyAllowsPublic('))!
  .impl as (policy: unknown) => boolean;

/** A policy of one Allow statement for everyone, with `extra` merged into the statement. */
function open(extra: Record<string, unknown>): unknown {
  return {
    Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 's3:GetObject', ...extra }],
  };
}

describe('policyAllowsPublic', () => {
  it('calls a wildcard principal public whatever the condition when the caller picks its value', () => {
    expect(policyAllowsPublic(open({}))).toBe(true);
    expect(
      policyAllowsPublic(open({ Condition: { Bool: { 'aws:SecureTransport': 'true' } } })),
    ).toBe(true);
    expect(
      policyAllowsPublic(
        open({ Condition: { StringLike: { 'aws:Referer': 'https://a.test/*' } } }),
      ),
    ).toBe(true);
  });

  it('calls it private when a condition pins the caller to an account, organisation or network', () => {
    const pinned = [
      { StringEquals: { 'aws:SourceVpce': 'vpce-1234' } },
      { StringEquals: { 'aws:PrincipalOrgID': 'o-abc' } },
      { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      { ArnLike: { 'aws:SourceArn': 'arn:aws:s3:::logs-bucket' } },
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/*' } },
      { 'ForAnyValue:StringLike': { 'aws:PrincipalOrgPaths': 'o-abc/r-ab12/*' } },
      { StringEquals: { 'kms:CallerAccount': '111122223333' } },
      { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '198.51.100.7/32'] } },
    ];
    for (const Condition of pinned) expect(policyAllowsPublic(open({ Condition }))).toBe(false);
  });

  it('keeps it public when the condition lets an anonymous request through', () => {
    const loose = [
      { StringNotEquals: { 'aws:SourceVpce': 'vpce-1234' } },
      { StringEqualsIfExists: { 'aws:SourceVpce': 'vpce-1234' } },
      { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-abc' } },
      { NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } },
      { IpAddress: { 'aws:SourceIp': ['0.0.0.0/1', '128.0.0.0/1'] } },
      { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/admin' } },
      { StringLike: { 'aws:PrincipalAccount': '*' } },
    ];
    for (const Condition of loose) expect(policyAllowsPublic(open({ Condition }))).toBe(true);
  });

  it('reads an Allow with NotPrincipal as everyone else, anonymous callers too', () => {
    const notPrincipal = {
      Statement: [
        {
          Effect: 'Allow',
          NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' },
          Action: 's3:GetObject',
        },
      ],
    };
    expect(policyAllowsPublic(notPrincipal)).toBe(true);
    const [statement] = (notPrincipal as { Statement: Record<string, unknown>[] }).Statement;
    statement.Condition = { StringEquals: { 'aws:SourceVpc': 'vpc-1' } };
    expect(policyAllowsPublic(notPrincipal)).toBe(false);
    statement.Effect = 'Deny';
    delete statement.Condition;
    expect(policyAllowsPublic(notPrincipal)).toBe(false);
  });

  it('leaves named principals private', () => {
    const named = {
      Statement: [
        { Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: '*' },
      ],
    };
    expect(policyAllowsPublic(named)).toBe(false);
  });
});

const TEMPLATE = `Resources:
${[
  ['VpceOnly', "Principal: '*'", "Condition: {StringEquals: {'aws:SourceVpce': vpce-1234}}"],
  ['OrgOnly', "Principal: {AWS: '*'}", "Condition: {StringEquals: {'aws:PrincipalOrgID': o-abc}}"],
  ['Weak', "Principal: {AWS: '*'}", "Condition: {Bool: {'aws:SecureTransport': 'true'}}"],
  ['NotP', "NotPrincipal: {AWS: 'arn:aws:iam::111122223333:root'}", ''],
]
  .map(
    ([name, principal, condition]) => `  ${name}:
    Type: AWS::S3::Bucket
  ${name}Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref ${name}
      PolicyDocument:
        Statement:
          - Effect: Allow
            ${principal}
            Action: s3:*
            Resource: !Sub '\${${name}.Arn}/*'
            ${condition}`,
  )
  .join('\n')}
`;

describe('aws-s3-bucket-policy-not-public on a CloudFormation template', () => {
  it('fails a wildcard grant guarded only by SecureTransport and a NotPrincipal grant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-public-policy-'));
    writeFileSync(join(dir, 'buckets.yaml'), TEMPLATE);
    const rules = (await loadRules()).filter((r) => r.id === 'aws-s3-bucket-policy-not-public');
    const { resources } = await readPaths([dir]);
    const verdicts = Object.fromEntries(
      evaluate(compileRules(rules), resources).map((f) => [f.resourceName, f.status]),
    );
    expect(verdicts).toEqual({ VpceOnly: 'pass', OrgOnly: 'pass', Weak: 'fail', NotP: 'fail' });
  });
});
