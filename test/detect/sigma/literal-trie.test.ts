/**
 * The trie searches for many literals at once answer as `includes`, `startsWith` and `endsWith`
 * tried literal by literal: by UTF-16 code unit, for overlapping, nested and empty literals.
 */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { containsAny, endsWithAny, startsWithAny } from '../../../src/detect/sigma/literal-trie.js';

/** Few characters, so literals overlap and nest; a surrogate pair, a combining mark, a NUL. */
const unit = fc.constantFrom('a', 'b', 'c', 'ab', '\u{1F600}', '\uD83D', '\u0301', '\u0000', 'İ');
const text = fc.array(unit, { maxLength: 8 }).map((parts) => parts.join(''));

describe('literal tries', () => {
  it('find what includes, startsWith and endsWith find, literal by literal', () => {
    fc.assert(
      fc.property(fc.array(text, { minLength: 1, maxLength: 30 }), text, (needles, hay) => {
        expect(containsAny(needles)(hay)).toBe(needles.some((n) => hay.includes(n)));
        expect(startsWithAny(needles)(hay)).toBe(needles.some((n) => hay.startsWith(n)));
        expect(endsWithAny(needles)(hay)).toBe(needles.some((n) => hay.endsWith(n)));
      }),
      { numRuns: 3_000 },
    );
  });

  it('follow failure links to a literal inside a longer partial match', () => {
    const test = containsAny(['he', 'she', 'hers', 'abcd', 'bc']);
    expect(test('ushe')).toBe(true);
    expect(test('xabcx')).toBe(true);
    expect(test('abdc')).toBe(false);
    expect(containsAny(['aab'])('aaab')).toBe(true);
  });

  it('take an empty literal as found in every text', () => {
    expect(containsAny(['x', ''])('')).toBe(true);
    expect(startsWithAny(['x', ''])('y')).toBe(true);
    expect(endsWithAny(['x', ''])('y')).toBe(true);
    expect(containsAny([])('y')).toBe(false);
  });

  it('compare code units beyond Latin-1 and halves of surrogate pairs', () => {
    expect(containsAny(['\u{1F600}'])('x\u{1F600}')).toBe(true);
    expect(containsAny(['\uDE00'])('x\u{1F600}')).toBe(true);
    expect(endsWithAny(['\uDE00'])('x\u{1F600}')).toBe(true);
    expect(startsWithAny(['жу'])('жук')).toBe(true);
    expect(startsWithAny(['жу'])('уж')).toBe(false);
  });
});
