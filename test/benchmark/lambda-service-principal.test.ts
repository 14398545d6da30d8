/**
 * A Lambda permission for a service names it with the partition's DNS suffix, written out
 * (`amazonaws.com`, `amazonaws.com.cn`) or through `AWS::URLSuffix` and `data.aws_partition`: the
 * rebuilt resource policy names that principal a service, not an account, in every partition.
 */

import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import { isServicePrincipal } from '../../src/model/aws-partition.js';
import { compileRules, evaluate } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { REPO_ROOT } from '../support/paths.js';

const fixtures = `${REPO_ROOT}test/fixtures/aws-partition`;
const rule = (await loadRules()).find((r) => r.id === 'aws-lambda-not-public')!;

async function read(path: string): Promise<Resource[]> {
  return (await readPaths([path])).resources;
}

function principals(resources: Resource[], address: string): unknown[] {
  const fn = resources.find((r) => r.source.address === address)!;
  const policy = fn.properties.Policy as { Statement: { Principal: unknown }[] };
  return policy.Statement.map((s) => s.Principal);
}

describe('Lambda permission principals in every partition', () => {
  it('names CloudFormation service principals built on AWS::URLSuffix a service', async () => {
    const resources = await read(`${fixtures}/lambda-permissions.yaml`);
    expect(principals(resources, 'Handler')).toEqual([
      { Service: 'events.${AWS::URLSuffix}' },
      { Service: 's3.${AWS::URLSuffix}' },
      { Service: 'sns.amazonaws.com.cn' },
      { AWS: '444455556666' },
    ]);
  });

  it('names Terraform service principals built on data.aws_partition a service', async () => {
    const resources = await read(`${fixtures}/terraform-lambda`);
    expect(principals(resources, 'aws_lambda_function.handler')).toEqual([
      { Service: 'events.${data.aws_partition.current.dns_suffix}' },
      { AWS: '444455556666' },
      { Service: 'sns.amazonaws.com.cn' },
    ]);
  });

  it('passes a function invoked by services and fails one invoked by anyone', async () => {
    const resources = await read(`${fixtures}/lambda-permissions.yaml`);
    const findings = evaluate(compileRules([rule]), resources);
    const statusOf = (address: string): string | undefined => {
      const fn = resources.find((r) => r.source.address === address)!;
      return findings.find((f) => f.resourceId === fn.id)?.status;
    };
    expect(statusOf('Handler')).toBe('pass');
    expect(statusOf('PublicHandler')).toBe('fail');
  });

  it('tells a service from an account, a role ARN or a lookalike host', () => {
    const services = [
      'events.amazonaws.com',
      'logs.eu-west-1.amazonaws.com',
      'events.amazonaws.com.cn',
      'events.${AWS::URLSuffix}',
      'events.${module.net.data.aws_partition.current.dns_suffix}',
    ];
    const others = [
      '*',
      '444455556666',
      'arn:${AWS::Partition}:iam::444455556666:root',
      'amazonaws.com',
      'events.amazonaws.com.evil.example',
      'events.${AWS::Partition}',
      'events.${data.aws_partition.current.partition}',
      'events.${AWS::URLSuffix}.example',
    ];
    expect(services.filter(isServicePrincipal)).toEqual(services);
    expect(others.filter(isServicePrincipal)).toEqual([]);
  });
});
