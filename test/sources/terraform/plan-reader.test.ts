import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../../src/model/resource.js';
import { isUnknown } from '../../../src/model/resource.js';
import { SourceReadError } from '../../../src/model/source-error.js';
import { terraformFileReaders } from '../../../src/sources/terraform/index.js';
import { planToBlocks } from '../../../src/sources/terraform/plan-reader.js';
import type { TerraformTranslator } from '../../../src/sources/terraform/terraform-block.js';

/** Walks into nested attributes: `at(v, 'rule', 0, 'x')`. */
function at(value: unknown, ...keys: (string | number)[]): unknown {
  return keys.reduce<unknown>(
    (x, k) => (x as Record<string | number, unknown> | undefined)?.[k],
    value,
  );
}

const planPath = path.resolve(process.cwd(), 'test/fixtures/terraform/plan/plan.json');
const plan = { path: planPath, text: readFileSync(planPath, 'utf8') };

/** A stand-in translator: one resource per bucket, with its public access block merged in. */
const bucketTranslator: TerraformTranslator = {
  prefix: 'aws_',
  translate(ctx) {
    return ctx.blocks
      .filter((b) => b.type === 'aws_s3_bucket')
      .map((b): Resource => {
        const pab = ctx.referrers('aws_s3_bucket_public_access_block', b.address, 'bucket')[0];
        return {
          cloud: 'aws',
          type: 'AWS::S3::Bucket',
          id: b.address,
          name: String(b.attributes.bucket),
          tags: {},
          properties: { BlockPublicAcls: pab?.attributes.block_public_acls },
          relationships: [],
          source: { kind: 'terraform', file: b.file, line: b.line, address: b.address },
        };
      });
  },
};

describe('Terraform plan JSON reader', () => {
  it('claims plan and state JSON and nothing else', () => {
    const [reader] = terraformFileReaders([]);
    expect(reader.detect(plan)).toBe(true);
    expect(
      reader.detect({
        path: 's.json',
        text: '{"format_version":"1.0","values":{"root_module":{}}}',
      }),
    ).toBe(true);
    expect(
      reader.detect({ path: 'x.json', text: '{"AWSTemplateFormatVersion":"2010-09-09"}' }),
    ).toBe(false);
    expect(reader.detect({ path: 'x.yaml', text: 'format_version: 1\nvalues: {}' })).toBe(false);
  });

  it('makes a block per planned resource, child modules included', () => {
    const blocks = planToBlocks(plan);
    expect(blocks.map((b) => b.address)).toEqual([
      'aws_s3_bucket.logs',
      'aws_s3_bucket_public_access_block.logs',
      'aws_security_group.web',
      'aws_instance.web[0]',
      'module.db.aws_db_instance.this',
    ]);
    const db = blocks[4];
    expect(db).toMatchObject({ module: 'module.db', type: 'aws_db_instance', name: 'this' });
    expect(db.attributes.publicly_accessible).toBe(true);
    expect(blocks[3].index).toBe(0);
    expect(at(blocks[2].attributes, 'ingress', 0, 'cidr_blocks')).toEqual(['0.0.0.0/0']);
  });

  it('turns after_unknown paths into unknown markers and keeps known values', () => {
    const blocks = planToBlocks(plan);
    const bucket = blocks[0].attributes;
    expect(bucket.bucket).toBe('acme-logs');
    expect(isUnknown(bucket.acl)).toBe(true);
    expect(isUnknown(bucket.server_side_encryption_configuration)).toBe(true);
    expect(bucket.tags).toEqual({ Team: 'platform' });
    const options = at(blocks[3].attributes, 'metadata_options', 0);
    expect(at(options, 'http_tokens')).toBe('optional');
    expect(isUnknown(at(options, 'http_put_response_hop_limit'))).toBe(true);
  });

  it('takes references from the configuration, prefixed with the module path', () => {
    const blocks = planToBlocks(plan);
    expect(blocks[1].references).toEqual(['aws_s3_bucket.logs']);
    expect(blocks[3].references).toEqual(['aws_security_group.web']);
    expect(blocks[4].references).toEqual(['module.db.aws_kms_key.db']);
  });

  it('points each block at the line of its address in the plan', () => {
    const blocks = planToBlocks(plan);
    const lines = plan.text.split('\n');
    for (const b of blocks) expect(lines[b.line! - 1]).toContain(`"address": "${b.address}"`);
  });

  it('hands blocks to translators and marks resources as terraform-plan', async () => {
    const [reader] = terraformFileReaders([bucketTranslator]);
    const { resources } = await reader.read(plan);
    expect(resources).toHaveLength(1);
    expect(resources[0].properties.BlockPublicAcls).toBe(true);
    expect(resources[0].source.kind).toBe('terraform-plan');
  });

  it('reports broken JSON as a SourceReadError with its line', () => {
    const text = '{\n  "format_version": "1.2",\n  "planned_values": {\n    oops\n  }\n}';
    const [reader] = terraformFileReaders([]);
    try {
      reader.read({ path: 'bad.json', text });
      expect.unreachable('should have thrown');
    } catch (error) {
      expect(error).toBeInstanceOf(SourceReadError);
      expect((error as SourceReadError).line).toBe(4);
    }
  });

  it('names a syntax error by line and column, as the other JSON readers do', () => {
    const text = '{\n  "format_version": "1.2"\n  "planned_values": {}\n}';
    const [reader] = terraformFileReaders([]);
    expect(() => reader.read({ path: 'plan.json', text })).toThrow(
      expect.objectContaining({
        code: 'PARSE_ERROR',
        line: 3,
        column: 3,
        message:
          "plan.json:3: invalid JSON: Expected ',' or '}' after property value at line 3, column 3",
      }),
    );
  });
});
