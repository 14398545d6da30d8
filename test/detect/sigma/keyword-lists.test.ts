/**
 * A keyword list is searched in one pass (an alternation of its plain words) and wildcard
 * patterns are ruled out by their longest literal first: both must answer exactly as trying each
 * keyword on each string would, whatever characters the keywords and values hold.
 */

import { describe, expect, it } from 'vitest';
import { compilePattern, parseSigmaString } from '../../../src/detect/sigma/sigma-pattern.js';
import { matcher } from './sigma-test-support.js';

/** Deterministic pseudo-random numbers (a failure reproduces). */
function random(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state % n;
  };
}

/** Characters that mean something to regular expressions, globs and YAML, and some that fold. */
const ALPHABET = [
  'a',
  'b',
  'A',
  '.',
  '*',
  '?',
  '(',
  ')',
  '[',
  ']',
  '\\',
  '$',
  '^',
  '|',
  '/',
  '-',
  ' ',
  'İ',
  'ß',
  '"',
];

function word(rand: (n: number) => number, max: number): string {
  let out = '';
  const length = 1 + rand(max);
  for (let i = 0; i < length; i++) out += ALPHABET[rand(ALPHABET.length)];
  return out;
}

/** A keyword as a YAML double-quoted scalar. */
function yamlString(text: string): string {
  return JSON.stringify(text);
}

/** What Sigma says a keyword list means: any keyword (`*` and `?` wildcards, `\\` escapes) in any value. */
function reference(keywords: string[], values: string[]): boolean {
  return keywords.some((k) => {
    const re = new RegExp(sourceOf(k.toLowerCase()), 'u');
    return values.some((v) => re.test(v.toLowerCase()));
  });
}

describe('keyword lists', () => {
  it('match regular-expression characters literally', () => {
    const keywords = ['a.b', '(x)', '[y]', 'p|q', 'c\\\\d', '$z^', 'm/n-o'];
    const rule = matcher(
      `    keywords:\n${keywords.map((k) => `        - ${yamlString(k)}`).join('\n')}`,
      {},
      'keywords',
    );
    expect(rule({ message: 'axb' })).toBe(false);
    expect(rule({ message: 'a.b' })).toBe(true);
    expect(rule({ message: 'x' })).toBe(false);
    expect(rule({ message: 'in (x) out' })).toBe(true);
    expect(rule({ message: 'p' })).toBe(false);
    expect(rule({ message: 'P|Q' })).toBe(true);
    expect(rule({ message: 'c\\d' })).toBe(true);
    expect(rule({ message: '$Z^' })).toBe(true);
    expect(rule({ message: 'm/n-o' })).toBe(true);
    expect(rule({ message: 'mn-o' })).toBe(false);
  });

  it('answer as each keyword tried on each value would, on random lists and values', () => {
    const rand = random(11);
    for (let round = 0; round < 400; round++) {
      const keywords = Array.from({ length: 2 + rand(5) }, () => word(rand, 4));
      const rule = matcher(
        `    keywords:\n${keywords.map((k) => `        - ${yamlString(k)}`).join('\n')}`,
        {},
        'keywords',
      );
      for (let i = 0; i < 10; i++) {
        const values = Array.from({ length: 1 + rand(3) }, () => word(rand, 12));
        const fields = Object.fromEntries(values.map((v, j) => [`f${j}`, v]));
        expect(rule(fields), `${JSON.stringify(keywords)} on ${JSON.stringify(values)}`).toBe(
          reference(keywords, values),
        );
      }
    }
  });
});

describe('wildcard patterns', () => {
  it('match as the glob does with and without the literal shortcut', () => {
    const rand = random(5);
    for (let round = 0; round < 2_000; round++) {
      const raw = `${rand(2) ? '*' : ''}${word(rand, 3)}${rand(2) ? '*' : '?'}${word(rand, 3)}${rand(2) ? '*' : ''}`;
      const pattern = parseSigmaString(raw.toLowerCase());
      const test = compilePattern(pattern, true);
      const whole = new RegExp(`^(?:${sourceOf(raw.toLowerCase())})$`, 'u');
      for (let i = 0; i < 5; i++) {
        const value = word(rand, 10);
        expect(test(value), `${raw} on ${value}`).toBe(whole.test(value.toLowerCase()));
      }
    }
  });
});

/** The regular-expression source of a glob (whole-value match). */
function sourceOf(glob: string): string {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '\\' && i + 1 < glob.length && '*?\\'.includes(glob[i + 1])) {
      source += glob[++i].replace(/[*?\\]/, '\\$&');
      continue;
    }
    if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return source;
}
