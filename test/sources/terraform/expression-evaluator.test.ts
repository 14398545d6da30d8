import { describe, expect, it } from 'vitest';
import { isUnknown } from '../../../src/model/resource.js';
import {
  Scope,
  evaluate,
  type EvalEnvironment,
} from '../../../src/sources/terraform/expression/evaluator.js';
import {
  parseExpression,
  parseTemplate,
} from '../../../src/sources/terraform/expression/parser.js';
import { collectReferences } from '../../../src/sources/terraform/expression/references.js';
import { unknown, type Value } from '../../../src/sources/terraform/expression/value.js';

const variables: Record<string, Value> = {
  n: 3,
  names: ['web', 'db'],
  tags: { env: 'prod', owner: null },
  missing: unknown('variable "missing" has no value'),
};

function env(blocks: Record<string, Value> = {}): EvalEnvironment {
  return {
    root: (name) => (name === 'var' ? variables : undefined),
    block: (address) => blocks[address] ?? unknown(`${address} not declared`),
    qualify: (a) => a,
    budget: { steps: 100_000 },
    maxStringLength: 10_000,
    readFile: () => {
      throw new Error('no files here');
    },
  };
}

function run(template: string, blocks?: Record<string, Value>): Value {
  return evaluate(parseTemplate(template), new Scope(env(blocks)));
}

describe('HCL expression evaluation', () => {
  it('respects operator precedence and unary minus', () => {
    expect(run('${1 + 2 * 3 - -4}')).toBe(11);
    expect(run('${(1 + 2) * 3 % 4}')).toBe(1);
    expect(run('${!(var.n > 2) || var.n == 3 && true}')).toBe(true);
  });

  it('renders templates with interpolation, if and for directives and escapes', () => {
    expect(run('n=${var.n}; %{ if var.n > 2 }big%{ else }small%{ endif }')).toBe('n=3; big');
    expect(run('%{ for i, s in var.names }${i}:${s} %{ endfor }')).toBe('0:web 1:db ');
    expect(run('$${literal} %%{ also }')).toBe('${literal} %{ also }');
    expect(run('a  ${~ "b" ~}   c')).toBe('abc');
  });

  it('keeps the type of a template that is a single interpolation', () => {
    expect(run('${var.names}')).toEqual(['web', 'db']);
    expect(run('${var.n}')).toBe(3);
  });

  it('evaluates for expressions over lists and maps, with filters and grouping', () => {
    expect(run('${[for s in var.names : upper(s) if s != "db"]}')).toEqual(['WEB']);
    expect(run('${{ for k, v in var.tags : k => v if v != null }}')).toEqual({ env: 'prod' });
    expect(run('${{ for s in ["a", "b", "a"] : s => s... }}')).toEqual({ a: ['a', 'a'], b: ['b'] });
  });

  it('evaluates splats, index and legacy index access', () => {
    expect(run('${[{ a = 1 }, { a = 2 }][*].a}')).toEqual([1, 2]);
    expect(run('${var.names[1]}')).toBe('db');
    expect(run('${var.names.0}')).toBe('web');
    expect(run('${var.tags["env"]}')).toBe('prod');
  });

  it('turns variables without a value into unknown markers that propagate', () => {
    const v = run('prefix-${var.missing}');
    expect(isUnknown(v)).toBe(true);
    expect(isUnknown(run('${upper(var.missing)}'))).toBe(true);
    expect(isUnknown(run('${var.missing == "x" ? 1 : 2}'))).toBe(true);
    expect(run('${var.missing == "x" ? 1 : 1}')).toBe(1);
    expect(run('${false && var.missing}')).toBe(false);
  });

  it('reads configured attributes of other blocks and records the references', () => {
    const bucket = { bucket: 'logs' };
    const { value, references } = collectReferences(() =>
      run('${aws_s3_bucket.b.bucket}-${aws_subnet.s[1].cidr_block}', {
        'aws_s3_bucket.b': bucket,
        'aws_subnet.s': [{ cidr_block: 'a' }, { cidr_block: '10.0.1.0/24' }],
      }),
    );
    expect(value).toBe('logs-10.0.1.0/24');
    expect(references.sort()).toEqual(['aws_s3_bucket.b', 'aws_subnet.s[1]']);
  });

  it('makes try() fall back on errors and can() report them', () => {
    expect(run('${try(var.tags.nope, "fallback")}')).toBe('fallback');
    expect(run('${can(var.tags.nope)}')).toBe(false);
    expect(run('${can(var.tags.env)}')).toBe(true);
  });

  it('turns type errors into unknown values instead of throwing', () => {
    expect(isUnknown(run('${"a" * 2}'))).toBe(true);
    expect(isUnknown(run('${var.names[7]}'))).toBe(true);
    expect(isUnknown(run('${nosuchfunction(1)}'))).toBe(true);
  });

  it('parses heredocs, nested quotes and object keys in expressions', () => {
    expect(run('${jsonencode({ "a" = "b\\"c", (var.tags.env) = 1, bare: true })}')).toBe(
      '{"a":"b\\"c","prod":1,"bare":true}',
    );
    const node = parseExpression('<<-EOT\n    hi ${var.n}\n      there\n    EOT\n');
    expect(evaluate(node, new Scope(env()))).toBe('hi 3\n  there\n');
  });

  it('evaluates the common functions', () => {
    expect(run('${cidrsubnet("10.0.0.0/16", 4, 15)}')).toBe('10.0.240.0/20');
    expect(run('${format("%s=%05.1f|%t|%q", "x", 3.14159, true, "q")}')).toBe('x=003.1|true|"q"');
    expect(run('${flatten([["a"], [["b"]], "c"])}')).toEqual(['a', 'b', 'c']);
    expect(run('${merge({ a = 1, b = 2 }, { b = 3 })}')).toEqual({ a: 1, b: 3 });
    expect(run('${element(["a", "b", "c"], 5)}')).toBe('c');
    expect(run('${range(1, 10, 4)}')).toEqual([1, 5, 9]);
    expect(run('${jsondecode("{\\"k\\": [1, 2]}").k[1]}')).toBe(2);
    expect(run('${lookup({ a = 1 }, "a")}')).toBe(1);
    expect(run('${regex("([a-z]+)-([0-9]+)", "web-42")}')).toEqual(['web', '42']);
    expect(run('${trimsuffix("file.tf", ".tf")}')).toBe('file');
  });
});
