/**
 * Companion blocks (ACLs, public access blocks, versioning, security group rules) chained to
 * their owners with `for_each = <resource>` join the owner instance of the same key.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from '../../../src/model/rule.js';
import { assess, type Assessment } from '../../../src/posture/assess.js';
import { compileRules, type CompiledRule } from '../../../src/posture/engine.js';
import { loadRules } from '../../../src/posture/rule-loader.js';

let rules: Rule[];
let compiled: CompiledRule[];
const dirs: string[] = [];

beforeAll(async () => {
  rules = await loadRules();
  compiled = compileRules(rules);
});
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function scan(hcl: string): Promise<Assessment> {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-tf-for-each-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'main.tf'), hcl);
  return assess({ paths: [dir], rules, compiled, now: new Date('2026-01-01T00:00:00Z') });
}

/** The verdict of `ruleId` on the resource whose id or name ends in `suffix`. */
function verdict(result: Assessment, ruleId: string, name: string): string | undefined {
  const found = result.findings.filter((f) => f.ruleId === ruleId && f.resourceName === name);
  expect(found, `${ruleId} on ${name}`).toHaveLength(1);
  return found[0]!.status;
}

const BUCKETS = `
resource "aws_s3_bucket" "b" {
  for_each = toset(["open", "shut"])
  bucket   = "tf-\${each.key}"
}
`;

/** Companions whose settings are public for key "open" and locked down for key "shut". */
function companions(forEach: string, bucket: string): string {
  return `
resource "aws_s3_bucket_public_access_block" "b" {
  for_each                = ${forEach}
  bucket                  = ${bucket}
  block_public_acls       = each.key == "shut"
  block_public_policy     = each.key == "shut"
  ignore_public_acls      = each.key == "shut"
  restrict_public_buckets = each.key == "shut"
}
resource "aws_s3_bucket_acl" "b" {
  for_each = ${forEach}
  bucket   = ${bucket}
  acl      = each.key == "open" ? "public-read" : "private"
}
resource "aws_s3_bucket_versioning" "b" {
  for_each = ${forEach}
  bucket   = ${bucket}
  versioning_configuration {
    status = each.key == "open" ? "Enabled" : "Suspended"
  }
}
`;
}

function expectPairedByKey(result: Assessment): void {
  expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-open')).toBe('fail');
  expect(verdict(result, 'aws-s3-bucket-public-access-blocked', 'tf-open')).toBe('fail');
  expect(verdict(result, 'aws-s3-bucket-versioning-enabled', 'tf-open')).toBe('pass');
  expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-shut')).toBe('pass');
  expect(verdict(result, 'aws-s3-bucket-public-access-blocked', 'tf-shut')).toBe('pass');
  expect(verdict(result, 'aws-s3-bucket-versioning-enabled', 'tf-shut')).toBe('fail');
  expect(result.warnings.filter((w) => w.includes('not declared'))).toEqual([]);
}

describe('Terraform companions chained with for_each', () => {
  it('join the bucket of the same key through each.value.id', async () => {
    expectPairedByKey(await scan(BUCKETS + companions('aws_s3_bucket.b', 'each.value.id')));
  });

  it('join the bucket of the same key through each.value.arn and each.value.bucket', async () => {
    expectPairedByKey(await scan(BUCKETS + companions('aws_s3_bucket.b', 'each.value.arn')));
    expectPairedByKey(await scan(BUCKETS + companions('aws_s3_bucket.b', 'each.value.bucket')));
  });

  it('join through a for expression over the instances, whole or by id', async () => {
    const whole = '{ for k, v in aws_s3_bucket.b : k => v }';
    expectPairedByKey(await scan(BUCKETS + companions(whole, 'each.value.id')));
    const ids = '{ for k, v in aws_s3_bucket.b : k => v.id }';
    expectPairedByKey(await scan(BUCKETS + companions(ids, 'each.value')));
  });

  it('still join through an index by each.key', async () => {
    expectPairedByKey(
      await scan(BUCKETS + companions('aws_s3_bucket.b', 'aws_s3_bucket.b[each.key].id')),
    );
  });

  it('join security group rules to the group of the same key', async () => {
    const result = await scan(`
resource "aws_security_group" "sg" {
  for_each = toset(["web", "db"])
  name     = "sg-\${each.key}"
}
resource "aws_security_group_rule" "ssh" {
  for_each          = aws_security_group.sg
  security_group_id = each.value.id
  type              = "ingress"
  from_port         = 22
  to_port           = 22
  protocol          = "tcp"
  cidr_blocks       = [each.key == "web" ? "0.0.0.0/0" : "10.0.0.0/8"]
}
`);
    expect(verdict(result, 'aws-ec2-sg-no-public-ssh', 'sg-web')).toBe('fail');
    expect(verdict(result, 'aws-ec2-sg-no-public-ssh', 'sg-db')).toBe('pass');
  });

  it('give a companion naming one instance to that bucket alone', async () => {
    for (const bucket of ['aws_s3_bucket.b["open"].id', 'local.first.id']) {
      const result = await scan(
        BUCKETS +
          `
locals {
  first = values(aws_s3_bucket.b)[0]
}
resource "aws_s3_bucket_acl" "one" {
  bucket = ${bucket}
  acl    = "public-read"
}
`,
      );
      expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-open'), bucket).toBe('fail');
      expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-shut'), bucket).toBe('pass');
    }
  });

  it('names a companion that joins no bucket in a warning, and judges that bucket', async () => {
    const result = await scan(
      BUCKETS +
        `
resource "aws_s3_bucket_acl" "elsewhere" {
  bucket = "a-bucket-declared-elsewhere"
  acl    = "public-read"
}
`,
    );
    const warnings = result.warnings.filter((w) => w.includes('not declared'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('aws_s3_bucket_acl.elsewhere');
    expect(warnings[0]).toContain('main.tf:7');
    expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'a-bucket-declared-elsewhere')).toBe(
      'fail',
    );
  });
});

describe('Terraform plan companions chained with for_each', () => {
  /** A plan of two buckets and their ACLs, `for_each = aws_s3_bucket.b`, ids unknown. */
  function plan(): string {
    const keys = ['open', 'shut'];
    const bucket = (k: string) => ({
      address: `aws_s3_bucket.b["${k}"]`,
      mode: 'managed',
      type: 'aws_s3_bucket',
      name: 'b',
      index: k,
      values: { bucket: `tf-${k}` },
    });
    const acl = (k: string) => ({
      address: `aws_s3_bucket_acl.b["${k}"]`,
      mode: 'managed',
      type: 'aws_s3_bucket_acl',
      name: 'b',
      index: k,
      values: { acl: k === 'open' ? 'public-read' : 'private' },
    });
    return JSON.stringify({
      format_version: '1.2',
      planned_values: { root_module: { resources: [...keys.map(bucket), ...keys.map(acl)] } },
      resource_changes: keys.map((k) => ({
        address: `aws_s3_bucket_acl.b["${k}"]`,
        change: { after_unknown: { bucket: true } },
      })),
      configuration: {
        root_module: {
          resources: [
            {
              address: 'aws_s3_bucket.b',
              type: 'aws_s3_bucket',
              name: 'b',
              expressions: { bucket: { references: ['each.key'] } },
              for_each_expression: {},
            },
            {
              address: 'aws_s3_bucket_acl.b',
              type: 'aws_s3_bucket_acl',
              name: 'b',
              expressions: {
                bucket: { references: ['each.value.id', 'each.value'] },
                acl: { constant_value: 'public-read' },
              },
              for_each_expression: { references: ['aws_s3_bucket.b'] },
            },
          ],
        },
      },
    });
  }

  it('join the bucket of the same key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-tf-plan-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'plan.json'), plan());
    const result = await assess({ paths: [dir], rules, compiled });
    expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-open')).toBe('fail');
    expect(verdict(result, 'aws-s3-bucket-no-public-acl', 'tf-shut')).toBe('pass');
    expect(result.warnings.filter((w) => w.includes('not declared'))).toEqual([]);
  });
});
