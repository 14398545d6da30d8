import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/model/resource.js';
import {
  evaluateTerraformDirectory,
  type DirectoryEvaluation,
} from '../../../src/sources/terraform/evaluate-directory.js';
import type { TerraformBlock } from '../../../src/sources/terraform/terraform-block.js';

const fixtures = path.resolve(process.cwd(), 'test/fixtures/terraform');

describe('evaluating a Terraform module folder', () => {
  let result: DirectoryEvaluation;
  const block = (address: string): TerraformBlock => {
    const found = result.blocks.find((b) => b.address === address);
    if (!found) throw new Error(`no block ${address}`);
    return found;
  };

  beforeAll(async () => {
    result = await evaluateTerraformDirectory(path.join(fixtures, 'evaluation'));
  });

  it('reads every file without errors and warns about the remote module', () => {
    expect(result.errors).toEqual([]);
    expect(result.warnings.some((w) => w.includes('terraform-aws-modules/vpc/aws'))).toBe(true);
  });

  it('takes variables from terraform.tfvars and *.auto.tfvars over defaults', () => {
    expect(block('aws_security_group.web').attributes.name).toBe('palisade-prod-web');
    expect(block('aws_instance.web[0]').attributes.user_data).toBe('region=eu-west-1');
  });

  it('evaluates locals in dependency order, whatever the order they are written in', () => {
    expect(block('aws_vpc.main').attributes.tags).toEqual({
      Project: 'palisade',
      Environment: 'prod',
    });
  });

  it('expands count into indexed instances with count.index', () => {
    const subnets = result.blocks.filter((b) => b.type === 'aws_subnet' && b.module === '');
    expect(subnets.map((b) => b.address)).toEqual([
      'aws_subnet.private[0]',
      'aws_subnet.private[1]',
      'aws_subnet.private[2]',
    ]);
    expect(subnets.map((b) => b.attributes.cidr_block)).toEqual([
      '10.20.0.0/24',
      '10.20.1.0/24',
      '10.20.2.0/24',
    ]);
    expect(block('aws_subnet.private[2]').index).toBe(2);
  });

  it('expands count from a conditional, and indexes references by count.index', () => {
    expect(result.blocks.filter((b) => b.type === 'aws_instance')).toHaveLength(2);
    expect(block('aws_instance.web[1]').attributes.instance_type).toBe('m5.large');
    expect(block('aws_instance.web[1]').references).toContain('aws_subnet.private[1]');
  });

  it('expands for_each over maps and sets with each.key and each.value', () => {
    expect(block('aws_s3_bucket.per_team["public"]').attributes).toMatchObject({
      bucket: 'palisade-prod-public',
      acl: 'public-read',
      versioning: [{ enabled: false }],
    });
    expect(block('aws_iam_user.set["bob"]').attributes.name).toBe('BOB');
    expect(block('aws_iam_user.set["bob"]').index).toBe('bob');
  });

  it('expands dynamic blocks into nested blocks next to static ones', () => {
    const sg = block('aws_security_group.web').attributes;
    const ingress = sg.ingress as Record<string, unknown>[];
    expect(ingress).toHaveLength(2);
    expect(ingress.find((i) => i.from_port === 22)?.cidr_blocks).toEqual([
      '0.0.0.0/0',
      '192.168.1.0/24',
    ]);
    expect(ingress.find((i) => i.from_port === 443)?.description).toBe('allow https');
    expect(sg.egress).toEqual([
      { cidr_blocks: ['0.0.0.0/0'], from_port: 0, protocol: '-1', to_port: 0 },
    ]);
  });

  it('resolves configured attributes of other resources and marks computed ones unknown', () => {
    expect(block('aws_s3_bucket_policy.team_logs').attributes.bucket).toBe('palisade-prod-logs');
    expect(block('aws_s3_bucket_policy.team_logs').references).toEqual([
      'aws_s3_bucket.per_team["logs"]',
    ]);
    const db = block('aws_db_instance.db').attributes;
    expect(isUnknown(db.monitoring_role_arn)).toBe(true);
    expect(isUnknown(db.password)).toBe(true);
    expect(db.subnet_group_name).toBe('10.20.0.0/24');
    expect(db.storage_encrypted).toBe(false);
  });

  it('evaluates local modules with their inputs under a module. address prefix', () => {
    expect(block('module.net.aws_vpc.this').attributes).toEqual({
      cidr_block: '10.20.0.0/16',
      tags: { Name: 'palisade-prod' },
    });
    expect(block('module.net.aws_subnet.public[1]').attributes.cidr_block).toBe('10.20.16.0/20');
    expect(block('module.net.aws_subnet.public[1]').module).toBe('module.net');
    expect(block('module.bucket["beta"].aws_s3_bucket.this').attributes.bucket).toBe(
      'mod-beta-prod',
    );
  });

  it('reads module outputs, carrying the references behind them', () => {
    const flow = block('aws_flow_log.net');
    expect(flow.attributes.log_group).toBe('palisade-prod');
    expect(isUnknown(flow.attributes.vpc_id)).toBe(true);
    expect(flow.references).toEqual(['module.net.aws_vpc.this']);
  });

  it('reads files relative to the module with file(), jsondecode and templatefile', () => {
    const role = block('aws_iam_role.monitoring').attributes;
    expect(JSON.parse(role.assume_role_policy as string).Statement[0].Principal).toBe('*');
    expect(block('aws_ssm_parameter.functions').attributes.tags).toMatchObject({
      templatefile: 'hello world!',
    });
  });

  it('evaluates the common functions', () => {
    const tags = block('aws_ssm_parameter.functions').attributes.tags as Record<string, unknown>;
    expect(tags).toMatchObject({
      format: 'web-007',
      join: 'a,b,c',
      split: 4,
      replace: 'a_b_c',
      regex_repl: 'abcN',
      lower: 'abc',
      trimspace: 'padded',
      coalesce: 'fallback',
      lookup: 'default',
      element: 'y',
      flatten: 4,
      keys: 'a|b',
      values: '2|1',
      contains: true,
      base64: 'round trip',
      concat: 3,
      distinct: 2,
      compact: 'a,b',
      zipmap: 'v',
      minmax: 8,
      abs: 4,
      substr: 'pali',
      starts: true,
      ends: true,
      sort: 'a,b,c',
      tonumber: 43,
      tostring: '5',
      try: 'caught',
      can: false,
      cidr: '10.0.2.0/24',
      template: 'a;b;',
      splat: 'ALICE,BOB',
      list_splat: 'p,q',
      conditional: 'production',
      arithmetic: 6,
    });
    expect(isUnknown(tags.unsupported)).toBe(true);
  });

  it('records the header line and the inline suppressions of a block', () => {
    const sg = block('aws_security_group.web');
    expect(sg.line).toBe(24);
    expect(sg.file).toBe(path.join(fixtures, 'evaluation', 'main.tf'));
    expect(sg.suppressions).toEqual([
      { ruleId: 'aws-ec2-sg-ssh-open', reason: 'Bastion host, reviewed by the network team' },
    ]);
    expect(block('aws_iam_role.monitoring').suppressions).toEqual([
      { ruleId: 'aws-iam-role-trust', reason: 'Trust policy checked elsewhere' },
    ]);
    expect(block('aws_vpc.main').suppressions).toBeUndefined();
  });

  it('reports a file that does not parse with its line and still reads the others', async () => {
    const broken = await evaluateTerraformDirectory(path.join(fixtures, 'broken'));
    expect(broken.errors).toHaveLength(1);
    expect(broken.errors[0]).toMatchObject({
      file: path.join(fixtures, 'broken', 'bad.tf'),
      line: 4,
      code: 'PARSE_ERROR',
    });
    expect(broken.blocks.map((b) => b.address)).toEqual(['aws_s3_bucket.ok']);
  });
});
