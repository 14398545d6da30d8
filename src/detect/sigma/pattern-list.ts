/**
 * A long list of Sigma values under one field (an IOC list of hashes, domains, paths) tested as
 * one: equal values through a set, `contains`, `startswith` and `endswith` ones through tries, so
 * the time per event does not grow with the list. Verdicts are those of testing each value alone
 * (`compilePattern`): case-insensitive values fold the text with `toLowerCase` as it does.
 */

import { containsAny, endsWithAny, startsWithAny, type LiteralListTest } from './literal-trie.js';
import {
  ANY_RUN,
  compilePattern,
  normalizePattern,
  type SigmaPattern,
  type StringTest,
} from './sigma-pattern.js';

/** One value of the list: its pattern (lower-cased already unless `cased`), and how to compare. */
export interface ListedPattern {
  pattern: SigmaPattern;
  cased: boolean;
}

/** Below this many values the values are tested one by one, which is as quick. */
export const LONG_LIST = 16;

/**
 * Compiles the patterns into one test that is true when any of them matches.
 *
 * ```ts
 * const test = compilePatternList(iocs.map((ioc) => ({ pattern: [ANY_RUN, ioc, ANY_RUN], cased: false })));
 * test('GET /evil.example/payload'); // true when a lower-cased IOC occurs in it
 * ```
 */
export function compilePatternList(patterns: readonly ListedPattern[]): StringTest {
  const cased = new LiteralGroups();
  const folded = new LiteralGroups();
  const others: StringTest[] = [];
  for (const { pattern, cased: isCased } of patterns) {
    const literal = literalShape(normalizePattern(pattern));
    if (literal === 'any') return () => true;
    if (literal) (isCased ? cased : folded).add(literal);
    // Wildcards inside the value (`a*b`, `?`, windash's character class): tested alone.
    else others.push(compilePattern(pattern, !isCased));
  }

  const casedTest = cased.compile();
  const foldedTest = folded.compile();
  const tests: StringTest[] = [];
  if (casedTest) tests.push(casedTest);
  // The text is folded once for every value of the list. (`compilePattern` also tries some
  // texts as they are first: a lower-cased literal found in a text is found in it folded too.)
  if (foldedTest) tests.push((text) => foldedTest(text.toLowerCase()));
  for (const item of others) tests.push(item);
  if (tests.length === 1) return tests[0];
  return (text) => {
    for (const test of tests) if (test(text)) return true;
    return false;
  };
}

type LiteralKind = 'exact' | 'prefix' | 'suffix' | 'contains';

interface LiteralShape {
  kind: LiteralKind;
  text: string;
}

/** A literal with `*` at neither, one or both ends; 'any' for `*` alone; undefined otherwise. */
function literalShape(pattern: SigmaPattern): LiteralShape | 'any' | undefined {
  if (pattern.length === 0) return { kind: 'exact', text: '' };
  if (pattern.length === 1 && pattern[0] === ANY_RUN) return 'any';
  const leading = pattern[0] === ANY_RUN;
  const trailing = pattern.length > 1 && pattern[pattern.length - 1] === ANY_RUN;
  const middle = pattern.slice(leading ? 1 : 0, trailing ? -1 : undefined);
  if (middle.length !== 1 || typeof middle[0] !== 'string') return undefined;
  const kind: LiteralKind =
    leading && trailing ? 'contains' : leading ? 'suffix' : trailing ? 'prefix' : 'exact';
  return { kind, text: middle[0] };
}

/** The literals of one case mode, by kind; compiled into one test of a text. */
class LiteralGroups {
  readonly #exact = new Set<string>();
  readonly #prefix: string[] = [];
  readonly #suffix: string[] = [];
  readonly #contains: string[] = [];

  add({ kind, text }: LiteralShape): void {
    if (kind === 'exact') this.#exact.add(text);
    else if (kind === 'prefix') this.#prefix.push(text);
    else if (kind === 'suffix') this.#suffix.push(text);
    else this.#contains.push(text);
  }

  compile(): StringTest | undefined {
    const tests: LiteralListTest[] = [];
    const exact = this.#exact;
    if (exact.size > 0) tests.push((text) => exact.has(text));
    if (this.#prefix.length > 0) tests.push(startsWithAny(this.#prefix));
    if (this.#suffix.length > 0) tests.push(endsWithAny(this.#suffix));
    if (this.#contains.length > 0) tests.push(containsAny(this.#contains));
    if (tests.length === 0) return undefined;
    if (tests.length === 1) return tests[0];
    return (text) => {
      for (const test of tests) if (test(text)) return true;
      return false;
    };
  }
}
