import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { terraformDirectoryReader } from '../../../src/sources/terraform/index.js';
import type {
  TerraformTranslator,
  TranslationContext,
} from '../../../src/sources/terraform/terraform-block.js';

const fixtures = path.resolve(process.cwd(), 'test/fixtures/terraform');
const terragoatAws = path.resolve(process.cwd(), '../shared/data/iac/terragoat/terraform/aws');

/** A stand-in translator: a bucket per aws_s3_bucket block, with the policies that refer to it. */
function fakeTranslator(seen: TranslationContext[] = []): TerraformTranslator {
  return {
    prefix: 'aws_s3_',
    translate(ctx) {
      seen.push(ctx);
      return ctx.blocks
        .filter((b) => b.type === 'aws_s3_bucket')
        .map((b): Resource => ({
          cloud: 'aws',
          type: 'AWS::S3::Bucket',
          id: b.address,
          name: String(b.attributes.bucket),
          tags: {},
          relationships: [],
          properties: {
            policies: ctx.referrers('aws_s3_bucket_policy', b.address, 'bucket').length,
          },
          source: { kind: 'terraform', file: b.file, line: b.line, address: b.address },
          suppressions: b.suppressions,
        }));
    },
  };
}

describe('Terraform directory reader', () => {
  it('claims folders with .tf files only', () => {
    const reader = terraformDirectoryReader([]);
    expect(reader.claims('/x', ['/x/main.tf', '/x/README.md'])).toBe(true);
    expect(reader.claims('/x', ['/x/template.yaml', '/x/main.tf.bak'])).toBe(false);
  });

  it('gives the translators a context that finds blocks and their referrers', async () => {
    const seen: TranslationContext[] = [];
    const dir = path.join(fixtures, 'evaluation');
    const files = [
      'main.tf',
      'functions.tf',
      'variables.tf',
      'terraform.tfvars',
      'override.auto.tfvars',
      'policy.json',
    ].map((f) => path.join(dir, f));
    const result = await terraformDirectoryReader([fakeTranslator(seen)]).readDirectory(dir, files);

    expect(result.errors).toEqual([]);
    expect(result.consumed).not.toContain(path.join(dir, 'policy.json'));
    expect(result.consumed).toContain(path.join(dir, 'terraform.tfvars'));
    // Local module files are read with the root, so the scan does not read them again alone.
    expect(result.consumed).toContain(path.join(dir, 'modules', 'net', 'main.tf'));
    expect(result.consumed).toContain(path.join(fixtures, 'shared-modules', 'bucket', 'main.tf'));
    const logs = result.resources.find((r) => r.id === 'aws_s3_bucket.per_team["logs"]');
    expect(logs?.name).toBe('palisade-prod-logs');
    expect(logs?.properties.policies).toBe(1);
    expect(
      result.resources.find((r) => r.id === 'aws_s3_bucket.per_team["public"]')?.properties
        .policies,
    ).toBe(0);

    const ctx = seen[0];
    expect(ctx.byAddress('aws_subnet.private[1]')?.attributes.cidr_block).toBe('10.20.1.0/24');
    expect(ctx.byAddress('aws_subnet.private')?.address).toBe('aws_subnet.private[0]');
    expect(ctx.referrers('aws_instance', 'aws_subnet.private[1]').map((b) => b.address)).toEqual([
      'aws_instance.web[1]',
    ]);
    expect(
      ctx.referrers('aws_instance', 'aws_security_group.web', 'vpc_security_group_ids'),
    ).toHaveLength(2);
    expect(ctx.referrers('aws_instance', 'aws_security_group.web', 'subnet_id')).toHaveLength(0);
  });

  it('summarises the block types no translator owns in a warning', async () => {
    const files = ['s3.tf', 'consts.tf', 'kms.tf'].map((f) => path.join(terragoatAws, f));
    const result = await terraformDirectoryReader([fakeTranslator()]).readDirectory(
      terragoatAws,
      files,
    );
    expect(result.resources.map((r) => r.id).sort()).toEqual([
      'aws_s3_bucket.data',
      'aws_s3_bucket.data_science',
      'aws_s3_bucket.financials',
      'aws_s3_bucket.logs',
      'aws_s3_bucket.operations',
    ]);
    const summary = result.warnings?.find((w) => w.includes('no translator reads'));
    expect(summary).toContain('aws_kms_key (1)');
    expect(summary).toContain('aws_caller_identity (1)');
  });

  it('reports a broken file with its line and returns resources from the rest', async () => {
    const dir = path.join(fixtures, 'broken');
    const files = [path.join(dir, 'good.tf'), path.join(dir, 'bad.tf')];
    const result = await terraformDirectoryReader([fakeTranslator()]).readDirectory(dir, files);
    expect(result.resources.map((r) => r.name)).toEqual(['still-read']);
    expect(result.errors).toEqual([
      expect.objectContaining({ file: path.join(dir, 'bad.tf'), line: 4, code: 'PARSE_ERROR' }),
    ]);
    expect(result.consumed.sort()).toEqual(files.sort());
  });

  it('keeps going when a translator throws, and says which one failed', async () => {
    const failing: TerraformTranslator = {
      prefix: 'aws_',
      translate: () => {
        throw new Error('boom');
      },
    };
    const dir = path.join(fixtures, 'broken');
    const result = await terraformDirectoryReader([failing, fakeTranslator()]).readDirectory(dir, [
      path.join(dir, 'good.tf'),
    ]);
    expect(result.resources).toHaveLength(1);
    expect(result.warnings?.some((w) => w.includes('aws_* translator failed: boom'))).toBe(true);
  });
});
