/**
 * Most Terraform code sets the AWS region once, on the provider. A resource that sets none of
 * its own is created where its provider configuration says: the default one, an alias it names,
 * or the one its module is handed, in HCL and in plan JSON (provider v5 plans keep the region
 * only in `configuration.provider_config`).
 */

import { mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/cli/check-command.js';
import { readPaths } from '../../../src/sources/read-paths.js';

const MAIN = `
variable "home" { default = "us-east-1" }
provider "aws" { region = var.home }
provider "aws" {
  alias  = "west"
  region = "eu-west-1"
}
resource "aws_s3_bucket" "east" { bucket = "e" }
resource "aws_s3_bucket" "west" {
  provider = aws.west
  bucket   = "w"
}
resource "aws_s3_bucket" "own" {
  region = "ap-south-1"
  bucket = "o"
}
module "implicit" { source = "./modules/store" }
module "passed" {
  source    = "./modules/store"
  providers = { aws = aws.west }
}
`;

/** A plan as `terraform show -json` writes one, with the region on the provider only. */
function plan(): object {
  const bucket = (address: string, name: string) => ({
    address,
    mode: 'managed',
    type: 'aws_s3_bucket',
    name,
    provider_name: 'registry.terraform.io/hashicorp/aws',
    values: { bucket: name },
  });
  return {
    format_version: '1.2',
    terraform_version: '1.9.0',
    variables: { home: { value: 'us-east-1' } },
    planned_values: {
      root_module: {
        resources: [bucket('aws_s3_bucket.east', 'east'), bucket('aws_s3_bucket.west', 'west')],
      },
    },
    resource_changes: ['east', 'west'].map((name) => ({
      address: `aws_s3_bucket.${name}`,
      mode: 'managed',
      type: 'aws_s3_bucket',
      name,
      change: { actions: ['create'], before: null, after: { bucket: name }, after_unknown: {} },
    })),
    configuration: {
      provider_config: {
        aws: {
          name: 'aws',
          full_name: 'registry.terraform.io/hashicorp/aws',
          expressions: { region: { references: ['var.home'] } },
        },
        'aws.west': {
          name: 'aws',
          full_name: 'registry.terraform.io/hashicorp/aws',
          alias: 'west',
          expressions: { region: { constant_value: 'eu-west-1' } },
        },
      },
      root_module: {
        resources: [
          {
            address: 'aws_s3_bucket.east',
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'east',
            provider_config_key: 'aws',
            expressions: {},
          },
          {
            address: 'aws_s3_bucket.west',
            mode: 'managed',
            type: 'aws_s3_bucket',
            name: 'west',
            provider_config_key: 'aws.west',
            expressions: {},
          },
        ],
      },
    },
  };
}

async function estate(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'palisade-provider-'));
  await mkdir(join(dir, 'tf/modules/store'), { recursive: true });
  await writeFile(join(dir, 'tf/main.tf'), MAIN);
  await writeFile(
    join(dir, 'tf/modules/store/main.tf'),
    'resource "aws_s3_bucket" "inner" { bucket = "i" }\n',
  );
  await writeFile(join(dir, 'plan.json'), JSON.stringify(plan()));
  return dir;
}

describe('the region of a Terraform resource', () => {
  it('comes from its provider configuration when it sets none', async () => {
    const dir = await estate();
    const read = await readPaths([join(dir, 'tf'), join(dir, 'plan.json')]);
    const regions = Object.fromEntries(
      read.resources.map((r) => [`${r.source.kind} ${r.source.address}`, r.region]),
    );
    expect(regions).toEqual({
      'terraform aws_s3_bucket.east': 'us-east-1',
      'terraform aws_s3_bucket.west': 'eu-west-1',
      'terraform aws_s3_bucket.own': 'ap-south-1',
      'terraform module.implicit.aws_s3_bucket.inner': 'us-east-1',
      'terraform module.passed.aws_s3_bucket.inner': 'eu-west-1',
      'terraform-plan aws_s3_bucket.east': 'us-east-1',
      'terraform-plan aws_s3_bucket.west': 'eu-west-1',
    });
  });

  it('is what aws-allowed-regions judges', async () => {
    const dir = await estate();
    const policy = join(dir, 'policy.yaml');
    await writeFile(
      policy,
      [
        'initiatives: [{ id: o, rules: [aws-allowed-regions] }]',
        'assignments: [{ id: o, initiative: o, mode: deny, parameters: { allowed_regions: [eu-west-1] } }]',
        '',
      ].join('\n'),
    );
    const denied = async (path: string): Promise<string[]> => {
      const output = join(dir, 'report.json');
      expect(
        await runCheck([path], {
          format: 'json',
          output,
          policy: [policy],
          rules: [],
          stdinName: 'stdin.yaml',
        }),
      ).toBe(1);
      const report = JSON.parse(await readFile(output, 'utf8')) as {
        deny: { ruleId: string; message: string }[];
      };
      return report.deny
        .filter((d) => d.ruleId === 'aws-allowed-regions')
        .map((d) => d.message)
        .sort();
    };
    expect(await denied(join(dir, 'tf'))).toEqual([
      'AWS::S3::Bucket e is in region "us-east-1", which the assignment does not allow.',
      'AWS::S3::Bucket i is in region "us-east-1", which the assignment does not allow.',
      'AWS::S3::Bucket o is in region "ap-south-1", which the assignment does not allow.',
    ]);
    expect(await denied(join(dir, 'plan.json'))).toEqual([
      'AWS::S3::Bucket east is in region "us-east-1", which the assignment does not allow.',
    ]);
  }, 120_000);
});
