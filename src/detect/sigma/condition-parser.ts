/**
 * Parses a Sigma `condition` into a tree with the specification's precedence: `or` binds least,
 * then `and`, then `not`, then `1 of` / `all of`, then parentheses.
 */

import { clip } from '../../report/terminal-text.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import { ANY_RUN, compilePattern, type SigmaPattern, type StringTest } from './sigma-pattern.js';

/** A parsed condition. `of` targets a pattern of search identifiers or `them`. */
export type ConditionNode =
  | { kind: 'and'; items: ConditionNode[] }
  | { kind: 'or'; items: ConditionNode[] }
  | { kind: 'not'; item: ConditionNode }
  | { kind: 'ref'; name: string }
  | { kind: 'of'; quantifier: 'one' | 'all'; target: string };

type Token = { type: 'word'; text: string; at: number } | { type: '(' | ')'; at: number };

const MAX_CONDITION_LENGTH = 10_000;
const MAX_DEPTH = 200;

/** Most characters of a condition an error quotes: enough to find the place, not a screenful. */
const EXCERPT_CHARS = 60;
/** How many characters before the place of the error the excerpt starts. */
const EXCERPT_BEFORE = 20;

/**
 * A condition (or a name in it) as an error quotes it: whole when short, else the stretch from
 * just before character `at` (0-based), clipped, with `…` where text was left out.
 *
 * ```ts
 * conditionExcerpt('('.repeat(3000) + 'sel' + ')'.repeat(3000), 200); // '"…((((…"' (60 chars)
 * ```
 */
export function conditionExcerpt(text: string, at = 0): string {
  if (text.length <= EXCERPT_CHARS) return JSON.stringify(text);
  const start = Math.max(0, Math.min(at - EXCERPT_BEFORE, text.length - EXCERPT_CHARS + 1));
  const shown =
    start > 0 ? `…${clip(text.slice(start), EXCERPT_CHARS - 1)}` : clip(text, EXCERPT_CHARS);
  return JSON.stringify(shown);
}

function tokenize(text: string, path: (string | number)[]): Token[] {
  const tokens: Token[] = [];
  const word = /[A-Za-z0-9_.*-]+/y;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === '(' || ch === ')') {
      tokens.push({ type: ch, at: i });
      i++;
      continue;
    }
    if (ch === '|') {
      throw new SigmaRuleError(
        'aggregation conditions (`| count() ...`) are obsolete Sigma; write a correlation rule',
        path,
      );
    }
    word.lastIndex = i;
    const m = word.exec(text);
    if (!m)
      throw new SigmaRuleError(
        `unexpected character ${JSON.stringify(ch)} at column ${i + 1}`,
        path,
      );
    tokens.push({ type: 'word', text: m[0], at: i });
    i += m[0].length;
  }
  return tokens;
}

/**
 * Parses a condition string.
 *
 * ```ts
 * parseCondition('selection and not 1 of filter_*')
 * ```
 */
export function parseCondition(text: string, path: (string | number)[] = []): ConditionNode {
  if (text.length > MAX_CONDITION_LENGTH) {
    throw new SigmaRuleError(
      `condition is too long: ${text.length} characters, past the ${MAX_CONDITION_LENGTH} Palisade reads`,
      path,
    );
  }
  const tokens = tokenize(text, path);
  let pos = 0;
  let depth = 0;

  const fail = (message: string): never => {
    const token = tokens[pos];
    const where = token ? ` at column ${token.at + 1}` : ' at the end';
    const quoted = conditionExcerpt(text, token ? token.at : text.length);
    throw new SigmaRuleError(`condition ${quoted}: ${message}${where}`, path);
  };
  const keyword = (t: Token | undefined, word: string): boolean =>
    t?.type === 'word' && t.text.toLowerCase() === word;

  const parseOr = (): ConditionNode => {
    const items = [parseAnd()];
    while (keyword(tokens[pos], 'or')) {
      pos++;
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0] : { kind: 'or', items };
  };

  const parseAnd = (): ConditionNode => {
    const items = [parseNot()];
    while (keyword(tokens[pos], 'and')) {
      pos++;
      items.push(parseNot());
    }
    return items.length === 1 ? items[0] : { kind: 'and', items };
  };

  const parseNot = (): ConditionNode => {
    if (!keyword(tokens[pos], 'not')) return parsePrimary();
    pos++;
    if (++depth > MAX_DEPTH) fail('nesting is too deep');
    const item = parseNot();
    depth--;
    return { kind: 'not', item };
  };

  const parsePrimary = (): ConditionNode => {
    const token = tokens[pos];
    if (!token) return fail('expected a search identifier');
    if (token.type === '(') {
      pos++;
      if (++depth > MAX_DEPTH) fail('nesting is too deep');
      const inner = parseOr();
      depth--;
      if (tokens[pos]?.type !== ')') fail('expected ")"');
      pos++;
      return inner;
    }
    if (token.type !== 'word') return fail('unexpected ")"');

    const lower = token.text.toLowerCase();
    if (['and', 'or', 'not', 'of', 'them'].includes(lower))
      return fail(`unexpected "${token.text}"`);
    if ((lower === '1' || lower === 'all' || lower === 'any') && keyword(tokens[pos + 1], 'of')) {
      const target = tokens[pos + 2];
      if (target?.type !== 'word') {
        pos += 2;
        return fail('expected a search-identifier pattern or "them" after "of"');
      }
      pos += 3;
      const quantifier = lower === 'all' ? 'all' : 'one';
      return { kind: 'of', quantifier, target: target.text };
    }
    pos++;
    return { kind: 'ref', name: token.text };
  };

  const tree = parseOr();
  if (pos < tokens.length) fail('unexpected text');
  return tree;
}

/** Search identifiers an `of` target selects: `them` (all but `_`-prefixed) or a `*` pattern. */
export function resolveOfTarget(target: string, identifiers: string[]): string[] {
  if (target.toLowerCase() === 'them') return identifiers.filter((id) => !id.startsWith('_'));
  if (!target.includes('*')) return identifiers.filter((id) => id === target);
  return identifiers.filter(starPattern(target));
}

/**
 * `pattern`, whose `*` matches any run of characters and everything else itself, as a test. A
 * rule's author writes both pattern and identifiers, so it runs on the Sigma value matcher,
 * pattern × value steps at most, not a backtracking regex (`^s.*a.*a...b$` took 22 s on a
 * 40-character identifier).
 */
function starPattern(pattern: string): StringTest {
  const parts: SigmaPattern = pattern
    .split('*')
    .flatMap((text, i): SigmaPattern => (i === 0 ? [text] : [ANY_RUN, text]));
  return compilePattern(
    parts.filter((part) => part !== ''),
    false,
  );
}

/** True when `value` matches `pattern` as an x-of target does (see `starPattern`). */
export function wildcardMatch(pattern: string, value: string): boolean {
  return starPattern(pattern)(value);
}
