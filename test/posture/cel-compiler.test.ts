/**
 * The compiled form of rule expressions against the cel-js interpreter (the oracle): the same
 * value or the same error on every bundled rule, for the real resources under ../shared/data
 * and the sample estate, and for thousands of mutations of them (values of other kinds, keys
 * removed, values JSON never gives).
 */

import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../src/model/resource.js';
import type { Rule } from '../../src/model/rule.js';
import { summaryOf } from '../../src/posture/engine.js';
import { loadRules } from '../../src/posture/rule-loader.js';
import {
  compileExpression,
  interpretedProgram,
  type Program,
} from '../../src/posture/rule-environment.js';
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
function mutate(value: unknown, next: () => number, rate: number, depth = 0): unknown {
  if (next() < 1 / rate) return REPLACEMENTS[Math.floor(next() * REPLACEMENTS.length)]();
  if (depth > 12 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v) => mutate(v, next, rate, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (next() < 1 / (rate * 2)) continue;
    out[key] = mutate(v, next, rate, depth + 1);
  }
  return out;
}

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
    const { resources } = await readPaths([
      shared('iac'),
      shared('cloud-inventory'),
      'samples/estate',
    ]);
    const byType = new Map<string, Compared[]>();
    for (const p of programs) {
      for (const type of p.rule.resource_types) {
        const key = type.toLowerCase();
        byType.set(key, [...(byType.get(key) ?? []), p]);
      }
    }
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

  it('gives the interpreter’s outcome for each compiled construct on values of every kind', () => {
    const expressions = [
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
      'r.a.lowerAscii()',
      'r.a < r.b',
      'r.a >= 2',
      'r.a == r.b',
      'r.a != null',
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
});
