/**
 * Sigma string values: `*` and `?` wildcards with backslash escaping as the specification
 * defines, parsed once into a pattern and compiled into the cheapest matcher that fits it.
 */

/** One piece of a parsed Sigma string: literal text, `*`, `?`, or a set of alternative chars. */
export type PatternPart = string | typeof ANY_RUN | typeof ANY_CHAR | CharClass;

/** A position that accepts any one of `chars` (used by `windash`). */
export interface CharClass {
  chars: string;
}

export const ANY_RUN: unique symbol = Symbol('*');
export const ANY_CHAR: unique symbol = Symbol('?');

/** Parsed value: a list of parts, adjacent literal text merged. */
export type SigmaPattern = PatternPart[];

/**
 * Parses a Sigma string value. `\*` and `\?` are literal wildcards, `\\` is one backslash, and a
 * backslash before any other character is itself literal.
 *
 * ```ts
 * parseSigmaString('C:\\Temp\\*.exe') // ['C:\\Temp\\', ANY_RUN, '.exe']
 * ```
 */
export function parseSigmaString(text: string): SigmaPattern {
  const parts: SigmaPattern = [];
  let literal = '';
  const flush = (): void => {
    if (literal) parts.push(literal);
    literal = '';
  };

  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '?' || next === '\\') {
        literal += next;
        i++;
      } else {
        literal += '\\';
      }
      continue;
    }
    if (ch === '*' || ch === '?') {
      flush();
      parts.push(ch === '*' ? ANY_RUN : ANY_CHAR);
      continue;
    }
    literal += ch;
  }
  flush();
  return parts;
}

/** A pattern holding only literal text. */
export function literalPattern(text: string): SigmaPattern {
  return text ? [text] : [];
}

/** True when the pattern has a wildcard or a character class. */
export function hasWildcards(pattern: SigmaPattern): boolean {
  return pattern.some((p) => typeof p !== 'string');
}

/** The literal text of a pattern without wildcards (or undefined when it has some). */
export function patternLiteral(pattern: SigmaPattern): string | undefined {
  if (hasWildcards(pattern)) return undefined;
  return pattern.join('');
}

/** Merges adjacent literals and collapses runs of `*`. */
export function normalizePattern(pattern: SigmaPattern): SigmaPattern {
  const out: SigmaPattern = [];
  for (const part of pattern) {
    const last = out[out.length - 1];
    if (typeof part === 'string') {
      if (part === '') continue;
      if (typeof last === 'string') out[out.length - 1] = last + part;
      else out.push(part);
      continue;
    }
    if (part === ANY_RUN && last === ANY_RUN) continue;
    out.push(part);
  }
  return out;
}

/** Applies `fn` to every literal piece (used for case folding and encodings). */
export function mapLiterals(pattern: SigmaPattern, fn: (text: string) => string): SigmaPattern {
  return pattern.map((p) => (typeof p === 'string' ? fn(p) : p));
}

/** Writes the pattern back as Sigma text (for messages and tests). */
export function formatPattern(pattern: SigmaPattern): string {
  return pattern
    .map((p) => {
      if (p === ANY_RUN) return '*';
      if (p === ANY_CHAR) return '?';
      if (typeof p === 'string') return p.replace(/[\\*?]/g, (c) => `\\${c}`);
      return `[${p.chars}]`;
    })
    .join('');
}

/** Tests a string against a compiled pattern. */
export type StringTest = (value: string) => boolean;

/**
 * Compiles a pattern to a test. Patterns with no wildcards or only leading/trailing `*` become
 * plain string operations; others use a glob matcher that runs in O(text x pattern) at worst.
 * `fold` lower-cases the input first (the pattern must already be lower-cased).
 */
export function compilePattern(raw: SigmaPattern, fold: boolean): StringTest {
  const pattern = normalizePattern(raw);
  const prep = fold ? (s: string) => s.toLowerCase() : (s: string) => s;
  const simple = simpleShape(pattern);

  if (simple) {
    const { kind, text } = simple;
    if (kind === 'exact') {
      if (!fold) return (v) => v === text;
      // Lower-casing keeps a text's length, except that İ (U+0130) becomes two units (i̇): only
      // a value of the literal's length, or a shorter one holding İ, can fold to it.
      const length = text.length;
      return (v) =>
        v === text ||
        ((v.length === length || (v.length < length && v.includes('\u0130'))) && prep(v) === text);
    }
    if (kind === 'prefix') {
      if (!fold || text === '') return (v) => v.startsWith(text);
      const first = text.charCodeAt(0);
      // Most values differ in their first character: an ASCII one is compared as it folds, with
      // no lower-cased copy of the value (other characters may fold to several, so they do not).
      return (v) => {
        if (v.startsWith(text)) return true;
        const c = v.charCodeAt(0);
        if (c < 128 && (c >= 65 && c <= 90 ? c + 32 : c) !== first) return false;
        return prep(v).startsWith(text);
      };
    }
    if (kind === 'suffix') return (v) => prep(v).endsWith(text);
    if (kind === 'contains') return (v) => prep(v).includes(text);
    return () => true;
  }

  const segments = splitSegments(pattern);
  // A text the glob matches holds each of its literal runs: most texts lack the longest one,
  // and one search of the text rules them out before the glob takes them apart.
  const needle = longestLiteral(pattern);
  if (needle) {
    return (v) => {
      const text = prep(v);
      return text.includes(needle) && globMatch(text, segments);
    };
  }
  return (v) => globMatch(prep(v), segments);
}

/**
 * The longest run of plain characters in the pattern (between wildcards and character classes),
 * which every text it matches contains; '' when there is none.
 */
export function longestLiteral(pattern: SigmaPattern): string {
  let longest = '';
  let run = '';
  for (const part of pattern) {
    if (typeof part === 'string') {
      run += part;
      if (run.length > longest.length) longest = run;
    } else run = '';
  }
  return longest;
}

interface SimpleShape {
  kind: 'exact' | 'prefix' | 'suffix' | 'contains' | 'any';
  text: string;
}

function simpleShape(pattern: SigmaPattern): SimpleShape | undefined {
  if (pattern.length === 0) return { kind: 'exact', text: '' };
  if (pattern.length === 1 && pattern[0] === ANY_RUN) return { kind: 'any', text: '' };
  const literals = pattern.filter((p) => typeof p === 'string');
  if (literals.length !== 1) return undefined;
  const text = literals[0] as string;
  const shape = pattern
    .map((p) => (typeof p === 'string' ? 'T' : p === ANY_RUN ? '*' : 'x'))
    .join('');
  if (shape === 'T') return { kind: 'exact', text };
  if (shape === 'T*') return { kind: 'prefix', text };
  if (shape === '*T') return { kind: 'suffix', text };
  if (shape === '*T*') return { kind: 'contains', text };
  return undefined;
}

/** A fixed-length run of single-position matchers between two `*`. */
type Unit = string | typeof ANY_CHAR | CharClass;

interface Segments {
  anchoredStart: boolean;
  anchoredEnd: boolean;
  parts: Unit[][];
}

function splitSegments(pattern: SigmaPattern): Segments {
  const parts: Unit[][] = [];
  let current: Unit[] = [];
  for (const p of pattern) {
    if (p === ANY_RUN) {
      parts.push(current);
      current = [];
    } else if (typeof p === 'string') {
      for (const ch of p) current.push(ch);
    } else {
      current.push(p);
    }
  }
  parts.push(current);
  return {
    anchoredStart: pattern[0] !== ANY_RUN,
    anchoredEnd: pattern[pattern.length - 1] !== ANY_RUN,
    parts,
  };
}

function unitMatches(unit: Unit, ch: string): boolean {
  if (unit === ANY_CHAR) return true;
  if (typeof unit === 'string') return unit === ch;
  return unit.chars.includes(ch);
}

function segmentAt(chars: string[], at: number, seg: Unit[], limit = chars.length): boolean {
  if (at + seg.length > limit) return false;
  for (let i = 0; i < seg.length; i++) {
    if (!unitMatches(seg[i], chars[at + i])) return false;
  }
  return true;
}

function findSegment(chars: string[], from: number, limit: number, seg: Unit[]): number {
  for (let at = from; at + seg.length <= limit; at++) {
    if (segmentAt(chars, at, seg, limit)) return at;
  }
  return -1;
}

/**
 * Glob match by leftmost placement of each `*`-separated segment, which is exact for patterns
 * whose only variable-length element is `*`.
 */
function globMatch(text: string, segments: Segments): boolean {
  const chars = Array.from(text);
  const { parts, anchoredStart, anchoredEnd } = segments;
  const first = parts[0];
  const last = parts[parts.length - 1];

  if (parts.length === 1) return chars.length === first.length && segmentAt(chars, 0, first);

  let pos = 0;
  if (anchoredStart) {
    if (!segmentAt(chars, 0, first)) return false;
    pos = first.length;
  }

  let end = chars.length;
  if (anchoredEnd) {
    end = chars.length - last.length;
    if (end < pos || !segmentAt(chars, end, last)) return false;
  }

  const middleFrom = anchoredStart ? 1 : 0;
  const middleTo = anchoredEnd ? parts.length - 1 : parts.length;
  for (let i = middleFrom; i < middleTo; i++) {
    const seg = parts[i];
    if (seg.length === 0) continue;
    const at = findSegment(chars, pos, end, seg);
    if (at < 0) return false;
    pos = at + seg.length;
  }
  return pos <= end;
}
