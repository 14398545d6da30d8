/**
 * The compiled form of rule expressions against the cel-js interpreter (the oracle): the same
 * value or the same error on every bundled rule, for the real resources under ../shared/data
 * and the sample estate, and for thousands of mutations of them (values of other kinds, keys
 * removed, values JSON never gives).
 */

import { inspect, isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { unknownValue, type Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { summaryOf } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import {
  compileExpression,
  interpretedProgram,
  type Program,
} from '../../src/posture/rule-environment.js';
import { compileProgram } from '../../src/posture/cel-compiler.js';
import { trackUnknownReads } from '../../src/posture/unknown-tracker.js';
import { readPaths } from '../../src/sources/read-paths.js';
import { shared } from '../support/paths.js';

/** The outcome of a program: its value, or the error's first line. */
function outcome(program: Program, context: Record<string, unknown>): unknown {
  try {
    return { value: program(context) };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

/**
 * `outcome` on a read-watching view of `resource`: a value is compared by its printed form, read
 * leniently (a list the expression returns may hold the view's unknowns).
 */
function watchedOutcome(program: Program, resource: Resource): unknown {
  const tracker = trackUnknownReads(resource);
  const result = outcome(program, contextOf(resource, tracker.properties)) as {
    value?: unknown;
  };
  if (!('value' in result)) return result;
  return { value: tracker.leniently(() => inspect(result.value, { depth: 12 })) };
}

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values a mutation puts in place of another: every JSON kind, CEL ints and non-JSON values. */
const REPLACEMENTS: (() => unknown)[] = [
  () => 'x',
  () => '',
  () => 'Allow',
  () => 'Inbound',
  () => '0.0.0.0/0',
  () => '*',
  () => '22',
  () => 'Enabled',
  () => 0,
  () => 1,
  () => 3389,
  () => 2.5,
  () => true,
  () => false,
  () => null,
  () => [],
  () => ['x'],
  () => [null],
  () => [1, 'x'],
  () => ({}),
  () => ({ a: 1 }),
  () => 2n,
  () => undefined,
  () => new Map([['a', 1]]),
  () => new Date(0),
  () => ({ constructor: 'x' }),
  () => [new Set()],
  () => Object.create(null) as object,
];

/** A copy of `value` with about one in `rate` of its values replaced, removed or kept. */
function mutate(
  value: unknown,
  next: () => number,
  rate: number,
  depth = 0,
  replacements = REPLACEMENTS,
): unknown {
  if (next() < 1 / rate) return replacements[Math.floor(next() * replacements.length)]();
  if (depth > 12 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    return value.map((v) => mutate(v, next, rate, depth + 1, replacements));
  }
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (next() < 1 / (rate * 2)) continue;
    out[key] = mutate(v, next, rate, depth + 1, replacements);
  }
  return out;
}

/** One expression for each construct the compiler handles, on `r.a` and `r.b`. */
const CONSTRUCTS = [
  "'a' in r.a",
  "r.a in ['x', 'Allow']",
  'r.a[0]',
  'r.a[-1]',
  'r.a[1] == r.b',
  "r.a['a']",
  'size(r.a)',
  'r.a.size() > 0',
  'r.a + r.b',
  'r.a + 1',
  'string(r.a)',
  "r.a.startsWith('x') || r.a.endsWith('x') || r.a.contains('x')",
  'r.a.startsWith(r.b)',
  'r.a.exists(x, x == r.b)',
  'cidrIsPublic(r.a) || portInRange(22, r.b, r.a)',
  'r.a.lowerAscii()',
  'r.a < r.b',
  'r.a >= 2',
  'r.a == r.b',
  'r.a != null',
  'r.a == null',
  'null == r.a',
  '-r.a',
  "r.a ? 'y' : 'n'",
  'cel.bind(x, r.a, x.a)',
  'r.a.map(x, x)',
  "r.a.filter(x, x == 'x')",
  'r.a.exists_one(x, x == 1)',
  'r.a.all(x, x != null)',
  'has(r.a.a)',
  'has(r.a)',
  'r.?a.hasValue()',
  'r.?a.?a.orValue(r.b)',
  "lower(r.a) == 'x' && cidrIsPublic(r.b)",
  'portInRange(22, r.a, r.b)',
  'asList(r.a).size()',
  "r.a.matches('^x')",
  '[r.a, r.b]',
  '{}',
];

interface Compared {
  rule: Rule;
  source: string;
  compiled: Program;
  oracle: Program;
}

/** Every bundled rule expression the compiler handles, with its interpreter. */
async function compiledRules(): Promise<{ programs: Compared[]; total: number }> {
  const rules = await loadRules([], { preview: true });
  const programs: Compared[] = [];
  let total = 0;
  for (const rule of rules) {
    for (const source of [rule.applies_if, rule.check, rule.evidence]) {
      if (!source) continue;
      total += 1;
      const compiled = compileExpression(source);
      const oracle = compileExpression(source, { fastPaths: false });
      if (interpretedProgram(compiled) !== compiled) {
        programs.push({ rule, source, compiled, oracle });
      }
    }
  }
  return { programs, total };
}

/** A Terraform-read resource with `properties`, and `unknown` paths an inventory lacked. */
function resourceWith(properties: Record<string, unknown>, unknown?: string[]): Resource {
  return {
    cloud: 'aws',
    type: 'AWS::Test::Thing',
    id: 'thing',
    name: 'thing',
    tags: {},
    properties,
    relationships: [],
    source: { kind: 'terraform', file: 'main.tf' },
    ...(unknown ? { unknown } : {}),
  } as Resource;
}

/** Every resource under ../shared/data's IaC and inventories and the sample estate. */
async function realResources(): Promise<Resource[]> {
  return (await readPaths([shared('iac'), shared('cloud-inventory'), 'samples/estate'])).resources;
}

/** The compiled programs by the lower-cased resource types their rules judge. */
function programsByType(programs: Compared[]): Map<string, Compared[]> {
  const byType = new Map<string, Compared[]>();
  for (const p of programs) {
    for (const type of p.rule.resource_types) {
      const key = type.toLowerCase();
      byType.set(key, [...(byType.get(key) ?? []), p]);
    }
  }
  return byType;
}

function contextOf(resource: Resource, properties: unknown): Record<string, unknown> {
  return {
    r: properties,
    resource: summaryOf(resource),
    related: [],
    params: {},
  };
}

describe('compiled CEL', () => {
  it('compiles nearly every bundled rule expression', async () => {
    const { programs, total } = await compiledRules();
    expect(programs.length).toBeGreaterThan(total * 0.95);
  });

  it('gives the interpreter’s outcome on every real resource and on mutations of it', async () => {
    const { programs } = await compiledRules();
    const resources = await realResources();
    const byType = programsByType(programs);
    const next = random(20261204);
    let compared = 0;
    for (const resource of resources) {
      const judged = byType.get(resource.type.toLowerCase()) ?? [];
      if (judged.length === 0) continue;
      const variants = [resource.properties];
      for (let i = 0; i < 12; i++) variants.push(mutate(resource.properties, next, 2 + i) as never);
      for (const properties of variants) {
        const context = contextOf(resource, properties);
        for (const p of judged) {
          const expected = outcome(p.oracle, context);
          const label = `${p.rule.id}: ${p.source}\non ${inspect(properties, { depth: 6 })}`;
          expect(outcome(p.compiled, context), label).toEqual(expected);
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(20_000);
  }, 120_000);

  it('gives the interpreter’s outcome on real resources holding unknown values', async () => {
    // Unknown values are read through the engine's read-watching view, which throws at an
    // unknown read: the compiled code absorbs those throws where CEL does, so its answer and
    // the interpreter's must agree, values and "x is unknown" errors alike.
    const { programs } = await compiledRules();
    const resources = await realResources();
    const byType = programsByType(programs);
    const unknowns = [() => unknownValue('var.x'), () => unknownValue('module.y')];
    const next = random(20261205);
    let compared = 0;
    let unknownErrors = 0;
    for (const resource of resources) {
      const judged = byType.get(resource.type.toLowerCase()) ?? [];
      if (judged.length === 0) continue;
      // The resource as read (an inventory's unknown sub-resources, an IaC reader's markers),
      // and copies with unknown markers in place of some of its values.
      const variants = [resource];
      for (let i = 0; i < 4; i++) {
        const properties = mutate(resource.properties, next, 2 + i * 2, 0, unknowns);
        variants.push({ ...resource, properties } as Resource);
      }
      for (const variant of variants) {
        for (const p of judged) {
          const expected = watchedOutcome(p.oracle, variant);
          const label = `${p.rule.id}: ${p.source}\non ${inspect(variant.properties, { depth: 6 })}`;
          expect(watchedOutcome(p.compiled, variant), label).toEqual(expected);
          if (/ is unknown \(/.test(String((expected as { error?: string }).error))) {
            unknownErrors += 1;
          }
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(5_000);
    expect(unknownErrors).toBeGreaterThan(1_000);
  }, 120_000);

  it('gives the interpreter’s outcome for parameters, related resources and odd contexts', async () => {
    const { programs } = await compiledRules();
    const contexts: Record<string, unknown>[] = [
      { r: {}, resource: {}, related: [], params: { days: 90n, allowed: ['x'] } },
      { r: { a: 1 }, resource: { name: 'n', tags: { env: 'prod' } }, related: [{ a: 1 }] },
      { r: null, resource: {}, related: [], params: {} },
      { r: [], resource: {}, related: [], params: {} },
      { r: 'text', resource: {}, related: [], params: {} },
      { r: new Map(), resource: {}, related: [], params: {} },
    ];
    for (const p of programs) {
      for (const context of contexts) {
        expect(outcome(p.compiled, context), p.source).toEqual(outcome(p.oracle, context));
      }
    }
  });

  it('gives the interpreter’s outcome when a side of && or || reads an unknown value', () => {
    const marker = unknownValue('var.b');
    // Each expression with the values of b for which the compiled code must answer itself,
    // without handing the evaluation back to the interpreter.
    const expressions: [string, unknown[]][] = [
      ['r.a == 1 && r.b == 1', [1, 2, marker]],
      ['r.a == 1 || r.b == 1', [1, 2, marker]],
      ['r.b == 1 && r.a == 1', [1, 2, marker]],
      ['r.b == 1 || r.a == 1', [1, 2, marker]],
      [
        '!r.?a.?x.orValue([]).exists(v, v == 1) && !r.?b.orValue([]).exists(v, v == 1)',
        [[1], [2], marker],
      ],
      ['r.?a.?x.orValue(0) == 1 || r.?b.orValue(0) == 1', [1, 2, marker]],
      ['(r.a == 1 && r.b == 1) || r.c == 1', [1, 2, marker]],
      ["r.a == 1 && r.b == 'x'", ['x', marker]],
    ];
    const sides: unknown[] = [1, 2, [1], [2], 'x', null, marker];
    const shapes: { label: string; resource: (b: unknown, c: unknown) => Resource }[] = [
      { label: 'a not in the inventory', resource: (b, c) => resourceWith({ b, c }, ['a']) },
      {
        label: 'a an unknown marker',
        resource: (b, c) => resourceWith({ a: unknownValue('var.a'), b, c }),
      },
    ];
    const handedBack: Program = () => {
      throw new Error('handed back to the interpreter');
    };
    let answered = 0;
    for (const [source, decisive] of expressions) {
      const compiled = compileExpression(source);
      const oracle = compileExpression(source, { fastPaths: false });
      const alone = compileProgram((compiled as unknown as { ast: unknown }).ast, handedBack)!;
      for (const shape of shapes) {
        for (const b of sides) {
          for (const c of [1, 2]) {
            const watched = () => ({
              r: trackUnknownReads(shape.resource(b, c)).properties,
              resource: {},
              related: [],
              params: {},
            });
            const label = `${source} with ${shape.label}, b ${inspect(b)}, c ${c}`;
            const expected = outcome(oracle, watched());
            expect(outcome(compiled, watched()), label).toEqual(expected);
            if (decisive.some((d) => isDeepStrictEqual(d, b))) {
              expect(outcome(alone, watched()), label).toEqual(expected);
              answered += 1;
            }
          }
        }
      }
    }
    expect(answered).toBe(2 * 2 * 23);
    // Every construct with unknowns on either operand or both, and known values beside them:
    // which unknown an error names follows cel-js's order of evaluation.
    const values: unknown[] = [unknownValue('var.a'), unknownValue('var.b'), 'x', 1, [1], { a: 1 }];
    for (const source of CONSTRUCTS) {
      const compiled = compileExpression(source);
      const oracle = compileExpression(source, { fastPaths: false });
      for (const a of values) {
        for (const b of values) {
          const resource = resourceWith({ a, b });
          const label = `${source} on ${inspect({ a, b })}`;
          expect(watchedOutcome(compiled, resource), label).toEqual(
            watchedOutcome(oracle, resource),
          );
        }
      }
    }
  });

  it('gives the interpreter’s outcome for each compiled construct on values of every kind', () => {
    const expressions = CONSTRUCTS;
    const values = REPLACEMENTS.map((make) => make());
    class Other {
      a = 1;
    }
    values.push(
      [new Date(0)],
      [{ constructor: 'x' }],
      { a: { constructor: 'x' } },
      { a: new Set() },
    );
    values.push([[1]], ['x', 1], 'X', new Other(), { a: new Other() }, [new Other()]);
    let compared = 0;
    for (const source of expressions) {
      const compiled = compileExpression(source);
      expect(interpretedProgram(compiled), source).not.toBe(compiled);
      const oracle = compileExpression(source, { fastPaths: false });
      for (const a of values) {
        for (const b of values) {
          const context = { r: { a, b }, resource: {}, related: [], params: {} };
          const label = `${source} on ${inspect({ a, b })}`;
          expect(outcome(compiled, context), label).toEqual(outcome(oracle, context));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(30_000);
  });

  it('compares durations without the interpreter, as the interpreter does', () => {
    // Whole seconds (what rules compare, as GCP writes a key's rotation period) and every other
    // form cel-js reads or refuses, which the compiled code hands back.
    const texts: unknown[] = ['7776000s', '7776001s', '2592000s', '0s', '007776000s'];
    texts.push('99999999999999999999s', '1.5s', '90m', '1h30m', '100ms', '-5s', '+5s', 's');
    texts.push('', '7776000', 'x', null, 5, 2n, ['1s'], { a: '1s' });
    const expressions = [
      "r.?a.orValue('') != '' && duration(r.a) <= duration('7776000s')",
      'duration(r.a) < duration(r.b)',
      'duration(r.a) >= duration(r.b)',
      "duration(r.a) > duration('0s')",
    ];
    let compared = 0;
    for (const source of expressions) {
      const compiled = compileExpression(source);
      expect(interpretedProgram(compiled), source).not.toBe(compiled);
      const oracle = compileExpression(source, { fastPaths: false });
      for (const a of texts) {
        for (const b of texts) {
          const context = { r: { a, b }, resource: {}, related: [], params: {} };
          const label = `${source} on ${inspect({ a, b })}`;
          expect(outcome(compiled, context), label).toEqual(outcome(oracle, context));
          compared += 1;
        }
      }
    }
    expect(compared).toBe(expressions.length * texts.length ** 2);
  });
});
