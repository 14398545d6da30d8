import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  parseCondition,
  resolveOfTarget,
  wildcardMatch,
} from '../../../src/detect/sigma/condition-parser.js';
import { compileSigmaRule } from '../../../src/detect/sigma/rule-compiler.js';
import { loadSigmaText } from '../../../src/detect/sigma/rule-loader.js';
import { event, matcher, reasonFor, ruleFrom } from './sigma-test-support.js';

const SELECTIONS = [
  '    a:',
  "        f: 'a'",
  '    b:',
  "        g: 'b'",
  '    c:',
  "        h: 'c'",
  '    sel_x:',
  "        x: '1'",
  '    sel_y:',
  "        y: '1'",
  '    _hidden:',
  "        z: '1'",
].join('\n');

const cond = (condition: string) => matcher(SELECTIONS, {}, condition);

describe('Sigma condition precedence', () => {
  it('binds and tighter than or', () => {
    const m = cond('a or b and c');
    expect(m({ f: 'a' })).toBe(true);
    expect(m({ g: 'b' })).toBe(false);
    expect(m({ g: 'b', h: 'c' })).toBe(true);
  });

  it('binds not tighter than and', () => {
    const m = cond('not a and b');
    expect(m({ g: 'b' })).toBe(true);
    expect(m({ f: 'a', g: 'b' })).toBe(false);
    expect(m({})).toBe(false);
  });

  it('honours parentheses', () => {
    const m = cond('(a or b) and c');
    expect(m({ f: 'a' })).toBe(false);
    expect(m({ f: 'a', h: 'c' })).toBe(true);
    const n = cond('not (a or b)');
    expect(n({})).toBe(true);
    expect(n({ g: 'b' })).toBe(false);
  });

  it('reads keywords in any case', () => {
    expect(cond('a AND NOT b')({ f: 'a' })).toBe(true);
    expect(parseCondition('x Or y')).toEqual({
      kind: 'or',
      items: [
        { kind: 'ref', name: 'x' },
        { kind: 'ref', name: 'y' },
      ],
    });
  });
});

describe('Sigma x-of conditions', () => {
  it('1 of pattern ORs the matching identifiers', () => {
    const m = cond('1 of sel_*');
    expect(m({ x: '1' })).toBe(true);
    expect(m({ y: '1' })).toBe(true);
    expect(m({ f: 'a' })).toBe(false);
  });

  it('all of pattern ANDs them', () => {
    const m = cond('all of sel_*');
    expect(m({ x: '1' })).toBe(false);
    expect(m({ x: '1', y: '1' })).toBe(true);
  });

  it('them spans every identifier except those starting with _', () => {
    const one = cond('1 of them');
    expect(one({ z: '1' })).toBe(false);
    expect(one({ h: 'c' })).toBe(true);
    const all = cond('all of them');
    expect(all({ f: 'a', g: 'b', h: 'c', x: '1', y: '1' })).toBe(true);
    expect(all({ f: 'a', g: 'b', h: 'c', x: '1' })).toBe(false);
  });

  it('binds x of tighter than not', () => {
    const m = cond('a and not 1 of sel_*');
    expect(m({ f: 'a' })).toBe(true);
    expect(m({ f: 'a', y: '1' })).toBe(false);
  });

  it('ORs a list of conditions', () => {
    const yaml =
      'title: t\nlogsource: {product: aws}\ndetection:\n    a:\n        f: a\n    b:\n        g: b\n    condition:\n        - a\n        - b\n';
    const compiled = compileSigmaRule(ruleFrom(yaml));
    expect(compiled.matches(event({ g: 'b' }))).toBe(true);
    expect(compiled.matches(event({ f: 'a' }))).toBe(true);
    expect(compiled.matches(event({ h: 'c' }))).toBe(false);
  });
});

describe('Sigma x-of patterns', () => {
  it('match as * over any characters would, on any small pattern and identifier', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', '*', '_', '.'), maxLength: 8 });
    fc.assert(
      fc.property(text, text, (pattern, value) => {
        const escaped = pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\-]/g, '\\$&'));
        const reference = new RegExp(`^${escaped.join('.*')}$`).test(value);
        expect(wildcardMatch(pattern, value)).toBe(reference);
      }),
      { numRuns: 2_000 },
    );
  });

  it('take time linear in the identifier, whatever stars the rule writes (no backtracking)', () => {
    // As a regex (^s.*a.*a ... b$) this took 0.7 s at 30 characters and 22 s at 40.
    const started = performance.now();
    expect(resolveOfTarget(`s*${'a*'.repeat(10)}b`, [`s${'a'.repeat(34)}`])).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
  });
});

describe('Sigma condition errors', () => {
  const rule = (condition: string) =>
    reasonFor(
      `title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        f: a\n    condition: ${condition}\n`,
    );

  it('names undefined identifiers, empty patterns and syntax errors', () => {
    expect(rule('sel and missing')).toContain('"missing", which is not defined');
    expect(rule('1 of filter_*')).toContain('"filter_*" matches no search identifier');
    expect(rule('sel and')).toContain('expected a search identifier at the end');
    expect(rule('(sel')).toContain('expected ")"');
    expect(rule('sel sel')).toContain('unexpected text');
  });

  it('rejects obsolete aggregations with a pointer to correlation rules', () => {
    expect(rule("'sel | count() > 5'")).toContain('write a correlation rule');
  });

  it('quotes a short clipped excerpt of a long condition, not the whole of it', () => {
    const deep = `${'('.repeat(3000)}sel${')'.repeat(3000)}`;
    const { unsupported } = loadSigmaText(
      `title: t\nlogsource: {product: aws}\ndetection:\n    sel:\n        f: a\n    condition: ${deep}\n`,
      'rules/deep.yml',
    );
    expect(unsupported).toHaveLength(1);
    const [refused] = unsupported;
    expect(refused).toMatchObject({
      file: 'rules/deep.yml',
      line: 6,
      field: 'detection.condition',
    });
    expect(refused.reason).toMatch(
      /^detection\.condition: condition "…\(+…": nesting is too deep at column \d+$/,
    );
    expect(refused.reason.length).toBeLessThan(140);

    // Near the end, the excerpt shows where the text stops; a long name is clipped too.
    const tail = `${'sel and '.repeat(40)}sel and`;
    expect(rule(tail)).toMatch(/condition "….*sel and": expected a search identifier at the end$/);
    const name = `x${'y'.repeat(5000)}`;
    const undefinedName = rule(`sel and ${name}`);
    expect(undefinedName).toMatch(/condition names "xy+…", which is not defined$/);
    expect(undefinedName.length).toBeLessThan(140);
    // A short condition is still quoted whole.
    expect(rule('(sel')).toBe('detection.condition: condition "(sel": expected ")" at the end');
  });

  it('refuses absurdly deep nesting instead of overflowing the stack', () => {
    expect(() => parseCondition(`${'not '.repeat(2000)}x`)).toThrow(/too deep/);
    expect(() => parseCondition(`${'('.repeat(5000)}x${')'.repeat(5000)}`)).toThrow(
      /too (deep|long)/,
    );
  });
});
