import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceReadError } from '../../../src/model/source-error.js';
import {
  Scope,
  evaluate,
  type EvalEnvironment,
} from '../../../src/sources/terraform/expression/evaluator.js';
import {
  ExpressionSyntaxError,
  parseTemplate,
} from '../../../src/sources/terraform/expression/parser.js';
import { unknown } from '../../../src/sources/terraform/expression/value.js';
import { evaluateTerraformDirectory } from '../../../src/sources/terraform/evaluate-directory.js';
import { terraformFileReaders } from '../../../src/sources/terraform/index.js';

const terragoat = path.resolve(process.cwd(), '../shared/data/iac/terragoat/terraform');
const corpus = ['aws', 'azure', 'gcp'].flatMap((cloud) =>
  readdirSync(path.join(terragoat, cloud))
    .filter((n) => n.endsWith('.tf'))
    .map((n) => readFileSync(path.join(terragoat, cloud, n), 'utf8')),
);
const scratch = mkdtempSync(path.join(tmpdir(), 'palisade-tf-fuzz-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const env: EvalEnvironment = {
  root: (name) => (name === 'var' ? { a: [1, 2], s: 'x', m: { k: 'v' } } : undefined),
  block: () => unknown('resource'),
  qualify: (a) => a,
  budget: { steps: 1_000_000 },
  maxStringLength: 100_000,
  readFile: () => {
    throw new Error('unexpected file read');
  },
};

/** Random edits of a real file: cut, duplicate, or splice in HCL-ish tokens. */
const tokens = [
  '${',
  '}',
  '{',
  '[',
  ']',
  '"',
  '%{ if ',
  '%{ endfor }',
  'for x in ',
  ' ? ',
  ':',
  '=>',
  '...',
  '(',
  ')',
  'count = 1000000',
  'dynamic "x" {',
  'module "m" { source = "./" }',
  '\n',
  '#',
  '/*',
  '<<EOF\n',
  'var.',
  'local.',
];
const mutation = fc.record({
  file: fc.nat({ max: corpus.length - 1 }),
  edits: fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      cut: fc.nat({ max: 40 }),
      insert: fc.oneof(fc.constantFrom(...tokens), fc.string({ maxLength: 12 })),
    }),
    { minLength: 1, maxLength: 6 },
  ),
});

function mutate(text: string, edits: { at: number; cut: number; insert: string }[]): string {
  let out = text;
  for (const e of edits) {
    const i = Math.floor(e.at * out.length);
    out = out.slice(0, i) + e.insert + out.slice(i + e.cut);
  }
  return out;
}

describe('fuzzing the Terraform readers', () => {
  it('parses and evaluates random templates to a value or a syntax error', () => {
    const pieces = fc.constantFrom(
      '${',
      '}',
      'var.a',
      'var.m',
      '[*]',
      '.k',
      '[0]',
      ' + ',
      ' * ',
      '"',
      '(',
      ')',
      '[for x in var.a : x]',
      '{ k = 1 }',
      'upper(',
      'range(',
      ',',
      '%{ if true }',
      '%{ else }',
      '%{ endif }',
      'x',
      '1',
      '-',
      '!',
      '?',
      ':',
      'try(',
      '...',
      '<<EOT\n',
      '\nEOT\n',
      '~',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(pieces, fc.string({ maxLength: 5 })), { maxLength: 30 }),
        (parts) => {
          const text = parts.join('');
          try {
            evaluate(parseTemplate(text), new Scope({ ...env, budget: { steps: 100_000 } }));
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionSyntaxError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it(
    'reads mutated terragoat files, reporting errors and never throwing',
    { timeout: 120_000 },
    async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(mutation, async ({ file, edits }) => {
          const dir = path.join(scratch, `case-${run++}`);
          mkdirSync(dir);
          writeFileSync(path.join(dir, 'main.tf'), mutate(corpus[file], edits));
          const started = Date.now();
          const result = await evaluateTerraformDirectory(dir);
          expect(Date.now() - started).toBeLessThan(10_000);
          for (const e of result.errors) expect(e.file).toBe(path.join(dir, 'main.tf'));
        }),
        { numRuns: 60 },
      );
    },
  );

  it('reads random plan JSON to resources or a SourceReadError', () => {
    const [reader] = terraformFileReaders([
      { prefix: 'aws_', translate: (ctx) => ctx.blocks.map(() => ({}) as never) },
    ]);
    const planLike = fc.record({
      format_version: fc.constant('1.2'),
      planned_values: fc.anything({ maxDepth: 4 }),
      resource_changes: fc.anything({ maxDepth: 4 }),
      configuration: fc.anything({ maxDepth: 4 }),
    });
    fc.assert(
      fc.property(planLike, fc.nat({ max: 40 }), (doc, cut) => {
        const text = JSON.stringify(doc);
        for (const candidate of [text, text.slice(0, Math.max(0, text.length - cut))]) {
          try {
            reader.read({ path: 'plan.json', text: candidate });
          } catch (error) {
            expect(error).toBeInstanceOf(SourceReadError);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('hostile Terraform stays bounded', () => {
  const write = (name: string, text: string): string => {
    const dir = path.join(scratch, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'main.tf'), text);
    return dir;
  };

  it('caps count and for_each, and total instances', async () => {
    const dir = write(
      'huge-count',
      `
resource "aws_s3_bucket" "many" {
  count  = 100000000
  bucket = "b-\${count.index}"
}
resource "aws_iam_user" "each" {
  for_each = toset([for i in range(5000) : tostring(i)])
  name     = each.key
}`,
    );
    const result = await evaluateTerraformDirectory(dir);
    // A few thousand instances are real configurations, read whole; beyond the cap the rest is
    // read and the cut is an input error of the block's file and line.
    expect(result.blocks.filter((b) => b.type === 'aws_s3_bucket')).toHaveLength(10_000);
    expect(result.blocks.filter((b) => b.type === 'aws_iam_user')).toHaveLength(5000);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ code: 'TOO_LARGE', line: 2 });
    expect(result.errors[0].message).toContain('count 100000000 is more than the 10000');
  });

  it('breaks reference cycles between locals into unknown values', async () => {
    const dir = write(
      'cycle',
      `
locals {
  a = "\${local.b}-x"
  b = "\${local.a}-y"
}
resource "aws_s3_bucket" "b" {
  bucket = local.a
}`,
    );
    const result = await evaluateTerraformDirectory(dir);
    expect(result.blocks[0].attributes.bucket).toHaveProperty('__palisade_unknown__');
  });

  it('stops values that double at each step before they exhaust memory', async () => {
    const levels = Array.from(
      { length: 40 },
      (_x, i) => `  l${i + 1} = [local.l${i}, local.l${i}]`,
    ).join('\n');
    const dir = write(
      'doubling',
      `
locals {
  l0 = "x"
${levels}
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  policy = jsonencode(local.l40)
  same   = local.l40 == local.l39
  tags   = { flat = length(flatten(local.l40)) }
}`,
    );
    const started = Date.now();
    const result = await evaluateTerraformDirectory(dir);
    expect(Date.now() - started).toBeLessThan(20_000);
    const attrs = result.blocks[0].attributes;
    expect(attrs.bucket).toBe('b');
    expect(attrs.policy).toHaveProperty('__palisade_unknown__');
  });

  it('does not follow a module that calls itself', async () => {
    const dir = write(
      'self-module',
      `
module "again" {
  source = "./"
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
}`,
    );
    const result = await evaluateTerraformDirectory(dir);
    expect(result.blocks.map((b) => b.address)).toEqual(['aws_s3_bucket.b']);
    expect(result.warnings.some((w) => w.includes('recursive'))).toBe(true);
  });

  it('refuses file() outside the scanned tree', async () => {
    const dir = write(
      'escape/inner',
      `
resource "aws_s3_bucket" "b" {
  bucket = file("/etc/hostname")
  policy = file("../../../../../../etc/passwd")
}`,
    );
    const result = await evaluateTerraformDirectory(dir);
    expect(result.blocks[0].attributes.bucket).toHaveProperty('__palisade_unknown__');
    expect(result.blocks[0].attributes.policy).toHaveProperty('__palisade_unknown__');
  });
});
