import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/posture/rule-loader.js';
import { compileExpression, type Program } from '../../src/posture/rule-environment.js';

/** The outcome of a program: its value, or the error's first line. */
function outcome(program: Program, r: unknown): unknown {
  try {
    return { value: program({ r, resource: { name: 'n' }, related: [], params: {} }) };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}

/** Values of every kind CEL meets in resource properties, nested a little. */
const LEAVES: unknown[] = ['x', 'Enabled', '', 0, 1, 2.5, true, false, null, [], ['x'], {}];
const SHAPES: unknown[] = [
  {},
  ...LEAVES.map((a) => ({ a })),
  ...LEAVES.map((b) => ({ a: { b } })),
  ...LEAVES.map((c) => ({ a: { b: { c } }, b: c })),
  { a: [{ b: 'x' }, { b: 1 }] },
  'text',
  [],
  // Values JSON never gives, which cel-js types (or refuses) by their constructor.
  { a: new Map([['b', 'x']]) },
  { a: { b: new Date(0) } },
  { a: { constructor: 'x', b: 'y' } },
  { a: { b: { constructor: 'x' } } },
  { a: Object.assign(Object.create(null) as object, { b: 'x' }) },
  { a: { b: new Set(['x']) } },
  { a: { b: undefined }, b: 1n },
  { a: { b: 2n } },
  new Map([['a', { b: 'x' }]]),
  { constructor: 'x', a: { b: 'y' } },
  { a: [{ constructor: 'x', b: 1 }] },
  { a: [Object.assign(new Map(), { b: 1 })] },
  Object.assign(new Date(0), { a: { b: 'x' } }),
];

describe('CEL fast paths', () => {
  const expressions = [
    "r.?a.?b.orValue('none')",
    "r.?a.?b.?c.orValue(r.a) == 'x'",
    'r.?a.orValue([]).exists(i, i.?b.orValue(0) == 1)',
    "r.?a.?b.orValue('') in ['x', 'Enabled']",
    "r.a in ['x', 'y'] || r.b",
    "r.a == 'x' && r.?b.orValue(true)",
    "r.a != 'x' || !r.b",
    '!r.a',
    '!(r.?a.?b.orValue(false))',
    "r.?a.?b.orValue({}).?c.orValue('d')",
    'r.a == true || r.?b.orValue(false) != false',
    '!cidrIsPublic(r.a) && cidrIsPublic(r.?a.orValue("")) == false',
  ];

  it('gives the interpreter’s value or error for every expression and input', () => {
    for (const source of expressions) {
      const fast = compileExpression(source);
      const plain = compileExpression(source, { fastPaths: false });
      for (const r of SHAPES) {
        expect(outcome(fast, r), `${source} on ${inspect(r)}`).toEqual(outcome(plain, r));
      }
    }
  });

  it('gives the interpreter’s outcome for every bundled rule expression', async () => {
    const rules = await loadRules([], { preview: true });
    let compared = 0;
    for (const rule of rules) {
      for (const source of [rule.check, rule.applies_if, rule.evidence]) {
        if (!source) continue;
        const fast = compileExpression(source);
        const plain = compileExpression(source, { fastPaths: false });
        for (const r of SHAPES) {
          expect(outcome(fast, r), `${rule.id}: ${source}`).toEqual(outcome(plain, r));
          compared += 1;
        }
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
