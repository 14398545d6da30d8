/**
 * One `field|modifier|...: value(s)` item of a Sigma selection, compiled into a test over an
 * event. Implements every modifier of the specification's appendix; see `MODIFIERS`.
 */

import { BlockList, isIP } from 'node:net';
import { compileFieldPath, scalarText, type FieldGetter } from './field-path.js';
import { compileSigmaRegex } from './sigma-regex.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import {
  ANY_RUN,
  compilePattern,
  longestLiteral,
  hasWildcards,
  mapLiterals,
  normalizePattern,
  parseSigmaString,
  patternLiteral,
  type SigmaPattern,
} from './sigma-pattern.js';
import { containsAny } from './literal-trie.js';
import { compilePatternList, LONG_LIST } from './pattern-list.js';
import { base64, base64Offsets, utf16, UTF16_BOM } from './value-encodings.js';
import type { RequiredValues } from './types.js';

/** What a compiled item sees of an event. */
export interface EventView {
  fields: Record<string, unknown>;
  /** Every scalar of the event as a string, computed once per event (keyword search). */
  strings(): string[];
  /** `strings()` lower-cased, computed once per event. */
  lowerStrings(): string[];
  /** `lowerStrings()` joined by `KEYWORD_SEPARATOR`, for plain `contains` keywords. */
  lowerText(): string;
}

/** Joins an event's strings for keyword search; no keyword literal holding it uses the join. */
export const KEYWORD_SEPARATOR = '\u0000';

/** A compiled selection item. */
export interface ItemMatcher {
  test(view: EventView): boolean;
  /** Set when the item only matches if a field equals one of some literals. */
  required?: RequiredValues;
}

/** Everything an item needs from the rule being compiled. */
export interface ItemContext {
  /** Resolves a Sigma field name to the reader path(s) of this rule's log source. */
  mapField(name: string): string[];
  placeholders: Record<string, string | string[]>;
  /** YAML path of the item, for error messages. */
  path: (string | number)[];
}

const TRANSFORMS = new Set([
  'contains',
  'startswith',
  'endswith',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'windash',
  'expand',
]);
const NUMERIC = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);
const FLAGS = new Set(['all', 'cased', 'neq']);
const TYPES = new Set(['re', 'cidr', 'exists', 'fieldref']);
const RE_FLAGS = new Set(['i', 'm', 's']);

/** Every modifier this engine accepts. */
export const MODIFIERS: readonly string[] = [
  ...TRANSFORMS,
  ...NUMERIC,
  ...TIME_PARTS,
  ...FLAGS,
  ...TYPES,
  ...RE_FLAGS,
];

const WINDASH_CHARS = '-/\u2013\u2014\u2015';
const MAX_EXPANDED_VALUES = 4096;

interface ParsedModifiers {
  transforms: string[];
  numeric?: string;
  time?: string;
  type?: string;
  all: boolean;
  cased: boolean;
  neq: boolean;
  re: { ignoreCase: boolean; multiLine: boolean; dotAll: boolean };
}

function parseModifiers(mods: string[], path: (string | number)[]): ParsedModifiers {
  const parsed: ParsedModifiers = {
    transforms: [],
    all: false,
    cased: false,
    neq: false,
    re: { ignoreCase: false, multiLine: false, dotAll: false },
  };
  const fail = (message: string): never => {
    throw new SigmaRuleError(message, path);
  };

  for (const mod of mods) {
    if (TRANSFORMS.has(mod)) parsed.transforms.push(mod);
    else if (NUMERIC.has(mod))
      parsed.numeric = parsed.numeric
        ? fail(`modifiers ${parsed.numeric} and ${mod} conflict`)
        : mod;
    else if (TIME_PARTS.has(mod))
      parsed.time = parsed.time ? fail(`modifiers ${parsed.time} and ${mod} conflict`) : mod;
    else if (TYPES.has(mod))
      parsed.type = parsed.type ? fail(`modifiers ${parsed.type} and ${mod} conflict`) : mod;
    else if (RE_FLAGS.has(mod)) {
      if (parsed.type !== 're') fail(`modifier ${mod} is only valid after re`);
      if (mod === 'i') parsed.re.ignoreCase = true;
      if (mod === 'm') parsed.re.multiLine = true;
      if (mod === 's') parsed.re.dotAll = true;
    } else if (mod === 'all') parsed.all = true;
    else if (mod === 'cased') parsed.cased = true;
    else if (mod === 'neq') parsed.neq = true;
    else fail(`unknown modifier "${mod}"`);
  }

  const shaping = parsed.transforms.filter((t) => t !== 'expand');
  if (parsed.type && parsed.type !== 'fieldref' && shaping.length > 0) {
    fail(`modifier ${parsed.type} cannot be combined with ${shaping.join(', ')}`);
  }
  if (
    parsed.type === 'fieldref' &&
    shaping.some((t) => !['contains', 'startswith', 'endswith'].includes(t))
  ) {
    fail('fieldref only combines with contains, startswith, endswith, neq and cased');
  }
  if ((parsed.numeric || parsed.time) && (parsed.type || shaping.length > 0)) {
    fail(
      `modifier ${parsed.numeric ?? parsed.time} cannot be combined with ` +
        (parsed.type ?? shaping.join(', ')),
    );
  }
  if (parsed.type === 'exists' && (parsed.all || parsed.neq))
    fail('exists takes no other modifier');
  return parsed;
}

/** Predicate over one element of a field's value (undefined when the field is absent). */
type ElementTest = (raw: unknown, view: EventView) => boolean;

/**
 * Compiles one selection item. `key` is `field|mod|...` (an empty field for keyword search);
 * `value` is a scalar, null or a list of them.
 */
export function compileItem(key: string, value: unknown, ctx: ItemContext): ItemMatcher {
  const [fieldName, ...mods] = key.split('|');
  const mods2 = parseModifiers(mods, ctx.path);
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    if (v !== null && typeof v === 'object') {
      throw new SigmaRuleError('a value must be a string, number, boolean or null', ctx.path);
    }
  }

  if (fieldName === '') return compileKeywords(values, mods2, ctx);

  const paths = ctx.mapField(fieldName);
  const getter = combineGetters(paths.map(compileFieldPath));

  if (mods2.type === 'exists') return compileExists(values, getter, ctx);

  const tests = anyOfValues(mods2)
    ? compileValueList(values, mods2, ctx)
    : values.map((v) => compileValue(v, mods2, ctx));
  const test = combine(getter, tests, mods2);
  return { test, required: requiredOf(paths, values, mods2) };
}

function combineGetters(getters: FieldGetter[]): FieldGetter {
  if (getters.length === 1) return getters[0];
  return (fields) => {
    const found = getters.map((g) => g(fields)).filter((v) => v !== undefined);
    if (found.length === 0) return undefined;
    return found.length === 1 ? found[0] : found.flat();
  };
}

function anyElement(value: unknown, test: ElementTest, view: EventView): boolean {
  if (!Array.isArray(value)) return test(value, view);
  if (value.length === 0) return test(undefined, view);
  for (const item of value) if (test(item, view)) return true;
  return false;
}

function combine(
  getter: FieldGetter,
  tests: ElementTest[],
  mods: ParsedModifiers,
): ItemMatcher['test'] {
  const { all, neq } = mods;
  if (tests.length === 0) return () => neq;

  const positive = (view: EventView): boolean => {
    const value = getter(view.fields);
    if (all) return tests.every((t) => anyElement(value, t, view));
    for (const t of tests) if (anyElement(value, t, view)) return true;
    return false;
  };
  return neq ? (view) => !positive(view) : positive;
}

function compileExists(values: unknown[], getter: FieldGetter, ctx: ItemContext): ItemMatcher {
  const expected = values[0];
  if (values.length !== 1 || typeof expected !== 'boolean') {
    throw new SigmaRuleError('exists needs one boolean value (true or false)', ctx.path);
  }
  return { test: (view) => (getter(view.fields) !== undefined) === expected };
}

function compileValue(value: unknown, mods: ParsedModifiers, ctx: ItemContext): ElementTest {
  if (value === null) {
    if (mods.type || mods.numeric || mods.time) {
      throw new SigmaRuleError('null cannot be used with this modifier', ctx.path);
    }
    return (raw) => raw === undefined || raw === null;
  }
  if (mods.numeric || mods.time) return compileNumeric(value, mods, ctx);
  if (mods.type === 're') return compileRegexValue(value, mods, ctx);
  if (mods.type === 'cidr') return compileCidr(value, ctx);
  if (mods.type === 'fieldref') return compileFieldRef(value, mods, ctx);

  return patternsTest(shapePatterns(value, mods, ctx));
}

/** True when the item matches if any one of its values does (no `all`, no type, no numbers). */
function anyOfValues(mods: ParsedModifiers): boolean {
  return !mods.all && !mods.type && !mods.numeric && !mods.time;
}

/**
 * The tests of an item that matches when any value does: one for all its string values together
 * (a long IOC list is then one set or trie lookup, see `compilePatternList`), one for `null`.
 */
function compileValueList(
  values: unknown[],
  mods: ParsedModifiers,
  ctx: ItemContext,
): ElementTest[] {
  const shaped = values.flatMap((v) => (v === null ? [] : shapePatterns(v, mods, ctx)));
  const tests = shaped.length > 0 ? [patternsTest(shaped)] : [];
  if (values.includes(null)) tests.push(compileValue(null, mods, ctx));
  return tests;
}

/** A test that is true when the element's text matches any of the patterns. */
function patternsTest(patterns: ShapedPattern[]): ElementTest {
  const folded = patterns.map(({ pattern, cased }) => ({
    pattern: foldPattern(pattern, cased),
    cased,
  }));
  const tests =
    folded.length >= LONG_LIST
      ? [compilePatternList(folded)]
      : folded.map(({ pattern, cased }) => compilePattern(pattern, !cased));
  return (raw) => {
    const text = scalarText(raw);
    if (text === undefined) return false;
    for (const t of tests) if (t(text)) return true;
    return false;
  };
}

function foldPattern(pattern: SigmaPattern, cased: boolean): SigmaPattern {
  return cased ? pattern : mapLiterals(pattern, (s) => s.toLowerCase());
}

interface ShapedPattern {
  pattern: SigmaPattern;
  /** Compared case-sensitively (`cased`, or an encoded form). */
  cased: boolean;
}

/** Runs the value through the transformation modifiers in the order written. */
function shapePatterns(value: unknown, mods: ParsedModifiers, ctx: ItemContext): ShapedPattern[] {
  const text = scalarText(value) ?? '';
  const raws = mods.transforms.includes('expand') ? expandPlaceholders(text, ctx) : [text];

  let shaped = raws.map((raw) => ({
    pattern: parseSigmaString(raw),
    cased: mods.cased,
    binary: false,
  }));
  for (const transform of mods.transforms) {
    if (transform === 'expand') continue;
    shaped = shaped.flatMap((item) => applyTransform(transform, item, ctx));
    if (shaped.length > MAX_EXPANDED_VALUES) {
      throw new SigmaRuleError(
        `modifiers expand to more than ${MAX_EXPANDED_VALUES} values`,
        ctx.path,
      );
    }
  }
  return shaped.map(({ pattern, cased }) => ({ pattern: normalizePattern(pattern), cased }));
}

interface ShapeState {
  pattern: SigmaPattern;
  cased: boolean;
  binary: boolean;
}

function applyTransform(transform: string, item: ShapeState, ctx: ItemContext): ShapeState[] {
  const { pattern } = item;
  switch (transform) {
    case 'contains':
      return [{ ...item, pattern: [ANY_RUN, ...pattern, ANY_RUN] }];
    case 'startswith':
      return [{ ...item, pattern: [...pattern, ANY_RUN] }];
    case 'endswith':
      return [{ ...item, pattern: [ANY_RUN, ...pattern] }];
    case 'windash':
      return [{ ...item, pattern: pattern.flatMap(windashPart) }];
    case 'utf16le':
    case 'wide':
      return [{ ...item, binary: true, pattern: mapLiterals(pattern, (s) => utf16(s, 'le')) }];
    case 'utf16be':
      return [{ ...item, binary: true, pattern: mapLiterals(pattern, (s) => utf16(s, 'be')) }];
    case 'utf16':
      return [
        {
          ...item,
          binary: true,
          pattern: [UTF16_BOM, ...mapLiterals(pattern, (s) => utf16(s, 'le'))],
        },
      ];
    case 'base64':
    case 'base64offset': {
      const literal = patternLiteral(normalizePattern(pattern));
      if (literal === undefined) {
        throw new SigmaRuleError(`${transform} cannot encode a value with wildcards`, ctx.path);
      }
      const source = { text: literal, binary: item.binary };
      const encoded = transform === 'base64' ? [base64(source)] : base64Offsets(source);
      return encoded.map((text) => ({ pattern: [text], cased: true, binary: false }));
    }
    default:
      throw new SigmaRuleError(`unknown modifier "${transform}"`, ctx.path);
  }
}

function windashPart(part: SigmaPattern[number]): SigmaPattern {
  if (typeof part !== 'string') return [part];
  const out: SigmaPattern = [];
  let literal = '';
  for (const ch of part) {
    if (!WINDASH_CHARS.includes(ch)) {
      literal += ch;
      continue;
    }
    if (literal) out.push(literal);
    literal = '';
    out.push({ chars: WINDASH_CHARS });
  }
  if (literal) out.push(literal);
  return out;
}

/** `expand`: `%name%` becomes each of the caller's values; `\%` is a plain percent sign. */
function expandPlaceholders(text: string, ctx: ItemContext): string[] {
  let results = [''];
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('\\%', i)) {
      results = results.map((r) => r + '%');
      i += 2;
      continue;
    }
    const close = text[i] === '%' ? text.indexOf('%', i + 1) : -1;
    if (close < 0) {
      results = results.map((r) => r + text[i]);
      i++;
      continue;
    }
    const name = text.slice(i + 1, close);
    const supplied = ctx.placeholders[name];
    if (supplied === undefined) {
      throw new SigmaRuleError(
        `placeholder %${name}% has no value (give one with --placeholder ${name}=VALUE)`,
        ctx.path,
      );
    }
    const options = Array.isArray(supplied) ? supplied : [supplied];
    results = results.flatMap((r) => options.map((o) => r + o));
    if (results.length > MAX_EXPANDED_VALUES) {
      throw new SigmaRuleError(
        `placeholders expand to more than ${MAX_EXPANDED_VALUES} values`,
        ctx.path,
      );
    }
    i = close + 1;
  }
  return results;
}

function compileRegexValue(value: unknown, mods: ParsedModifiers, ctx: ItemContext): ElementTest {
  if (typeof value !== 'string') throw new SigmaRuleError('re needs a string value', ctx.path);
  const test = compileSigmaRegex(value, mods.re, ctx.path);
  return (raw) => {
    const text = scalarText(raw);
    return text !== undefined && test(text);
  };
}

function compileCidr(value: unknown, ctx: ItemContext): ElementTest {
  const text = typeof value === 'string' ? value.trim() : '';
  const [address, bitsText] = text.split('/');
  const family = isIP(address ?? '');
  const max = family === 6 ? 128 : 32;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > max) {
    throw new SigmaRuleError(`"${String(value)}" is not a CIDR range`, ctx.path);
  }
  const list = new BlockList();
  list.addSubnet(address, bits, family === 6 ? 'ipv6' : 'ipv4');
  return (raw) => {
    const ip = scalarText(raw)?.trim();
    if (!ip) return false;
    const kind = isIP(ip);
    if (kind === 0) return false;
    return list.check(ip, kind === 6 ? 'ipv6' : 'ipv4');
  };
}

function compileFieldRef(value: unknown, mods: ParsedModifiers, ctx: ItemContext): ElementTest {
  if (typeof value !== 'string' || value === '') {
    throw new SigmaRuleError('fieldref needs a field name', ctx.path);
  }
  const other = combineGetters(ctx.mapField(value).map(compileFieldPath));
  const shape = mods.transforms.find((t) => t !== 'expand');
  const fold = mods.cased ? (s: string) => s : (s: string) => s.toLowerCase();
  const compare = (a: string, b: string): boolean => {
    if (shape === 'contains') return a.includes(b);
    if (shape === 'startswith') return a.startsWith(b);
    if (shape === 'endswith') return a.endsWith(b);
    return a === b;
  };

  return (raw, view) => {
    const mine = scalarText(raw);
    if (mine === undefined) return false;
    const theirs = other(view.fields);
    const list = Array.isArray(theirs) ? theirs : [theirs];
    const a = fold(mine);
    return list.some((t) => {
      const b = scalarText(t);
      return b !== undefined && compare(a, fold(b));
    });
  };
}

/** Parses a number the way numeric modifiers read event values (decimal text or a number). */
export function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw === 'bigint') return Number(raw);
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (text === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return undefined;
  return Number(text);
}

function compileNumeric(value: unknown, mods: ParsedModifiers, ctx: ItemContext): ElementTest {
  const limit = toNumber(value);
  if (limit === undefined) {
    throw new SigmaRuleError(
      `${mods.numeric ?? mods.time} needs a numeric value, not ${JSON.stringify(value)}`,
      ctx.path,
    );
  }
  const op = mods.numeric;
  const cmp = (n: number): boolean => {
    if (op === 'lt') return n < limit;
    if (op === 'lte') return n <= limit;
    if (op === 'gt') return n > limit;
    if (op === 'gte') return n >= limit;
    return n === limit;
  };
  const read = mods.time ? timePart(mods.time) : toNumber;
  return (raw) => {
    const n = read(raw);
    return n !== undefined && cmp(n);
  };
}

/** Reads one part of a date value (UTC); the specification does no zone conversion. */
function timePart(part: string): (raw: unknown) => number | undefined {
  return (raw) => {
    const date = toDate(raw);
    if (!date) return undefined;
    switch (part) {
      case 'minute':
        return date.getUTCMinutes();
      case 'hour':
        return date.getUTCHours();
      case 'day':
        return date.getUTCDate();
      case 'month':
        return date.getUTCMonth() + 1;
      case 'year':
        return date.getUTCFullYear();
      default:
        return isoWeek(date);
    }
  };
}

function toDate(raw: unknown): Date | undefined {
  if (typeof raw === 'number') return new Date(raw > 1e11 ? raw : raw * 1000);
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const ms = Date.parse(raw);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function isoWeek(date: Date): number {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  return Math.ceil(((day.getTime() - yearStart) / 86_400_000 + 1) / 7);
}

function compileKeywords(values: unknown[], mods: ParsedModifiers, ctx: ItemContext): ItemMatcher {
  if (mods.type && mods.type !== 're') {
    throw new SigmaRuleError(`modifier ${mods.type} needs a field name`, ctx.path);
  }
  if (mods.numeric || mods.time) {
    throw new SigmaRuleError(`modifier ${mods.numeric ?? mods.time} needs a field name`, ctx.path);
  }
  const positional = mods.transforms.some((t) =>
    ['contains', 'startswith', 'endswith'].includes(t),
  );
  const keywordMods: ParsedModifiers = positional
    ? mods
    : { ...mods, transforms: [...mods.transforms, 'contains'] };
  // Any of many plain words (the usual keyword list): one search of the event's text for all.
  if (!mods.all && mods.type !== 're') {
    const shaped = values.flatMap((v) => {
      if (v === null) throw new SigmaRuleError('a keyword cannot be null', ctx.path);
      return shapePatterns(v, keywordMods, ctx);
    });
    const needles = shaped.map(plainNeedle);
    if (needles.filter((n) => n !== undefined).length > 1) {
      const words = anyWord(needles.filter((n): n is string => n !== undefined));
      const rest = shaped.filter((_, i) => needles[i] === undefined).map(keywordTest);
      const tests = [words, ...rest];
      const positive: Test = (view) => tests.some((t) => t(view));
      return { test: mods.neq ? (view) => !positive(view) : positive };
    }
  }
  const tests = values.map((v): Test => {
    if (v === null) throw new SigmaRuleError('a keyword cannot be null', ctx.path);
    if (mods.type !== 're') return anyTest(shapePatterns(v, keywordMods, ctx).map(keywordTest));
    const element = compileValue(v, keywordMods, ctx);
    return (view) => {
      for (const s of view.strings()) if (element(s, view)) return true;
      return false;
    };
  });

  const positive = (view: EventView): boolean =>
    mods.all ? tests.every((t) => t(view)) : tests.some((t) => t(view));
  return { test: mods.neq ? (view) => !positive(view) : positive };
}

type Test = (view: EventView) => boolean;

function anyTest(tests: Test[]): Test {
  if (tests.length === 1) return tests[0];
  return (view) => {
    for (const t of tests) if (t(view)) return true;
    return false;
  };
}

/**
 * One keyword pattern over every string of the event. Case-insensitive patterns read the strings
 * lower-cased once per event; a plain `contains` is one search of their join.
 */
function keywordTest(shaped: ShapedPattern): Test {
  const { pattern, cased } = shaped;
  const needle = plainNeedle(shaped);
  if (needle !== undefined) return (view) => view.lowerText().includes(needle);
  const folded = foldPattern(pattern, cased);
  const test = compilePattern(folded, false);
  const strings = cased
    ? (view: EventView) => view.strings()
    : (view: EventView) => view.lowerStrings();
  const each: Test = (view) => {
    for (const s of strings(view)) if (test(s)) return true;
    return false;
  };
  // A string that matches holds the pattern's longest literal run: when their join lacks it, no
  // string can match, and one search of the join saves trying the pattern on each.
  const required = cased ? '' : longestLiteral(folded);
  if (required === '' || required.includes(KEYWORD_SEPARATOR)) return each;
  return (view) => view.lowerText().includes(required) && each(view);
}

/**
 * The lower-cased word a case-insensitive `*word*` keyword searches the event's joined text for,
 * or undefined for other patterns.
 */
function plainNeedle({ pattern, cased }: ShapedPattern): string | undefined {
  if (cased || pattern.length !== 3 || pattern[0] !== ANY_RUN || pattern[2] !== ANY_RUN) {
    return undefined;
  }
  const literal = pattern[1];
  if (typeof literal !== 'string' || literal.includes(KEYWORD_SEPARATOR)) return undefined;
  return literal.toLowerCase();
}

/**
 * True when the event's joined lower-cased text holds any of the words, in one search for all of
 * them: a regular expression of escaped literals for a few words, one trie for a long list.
 */
function anyWord(words: string[]): Test {
  if (words.length >= LONG_LIST) {
    // V8 compiles an alternation of thousands of words slowly (seconds, on first use) and tries
    // them in turn at each position; the trie's time per text does not depend on their number.
    const found = containsAny(words);
    return (view) => found(view.lowerText());
  }
  const pattern = new RegExp([...new Set(words)].map(escapeRegExp).join('|'));
  return (view) => pattern.test(view.lowerText());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The literal values that a plain equality item requires, for rule indexing. */
function requiredOf(
  paths: string[],
  values: unknown[],
  mods: ParsedModifiers,
): RequiredValues | undefined {
  if (paths.length !== 1 || mods.type || mods.numeric || mods.time || mods.neq) return undefined;
  if (values.length === 0) return undefined;
  if (mods.all && values.length > 1) return undefined;
  // Plain values, or `startswith` ones compared as the test folds them (not `cased`: folding a
  // prefix on its own can differ from folding it inside a longer value).
  const prefix = mods.transforms.length === 1 && mods.transforms[0] === 'startswith';
  if (mods.transforms.length > 0 && !(prefix && !mods.cased)) return undefined;

  const literals: string[] = [];
  for (const v of values) {
    const text = scalarText(v);
    if (text === undefined) return undefined;
    const literal = patternLiteral(parseSigmaString(text));
    if (literal === undefined || hasWildcards([literal])) return undefined;
    // An empty prefix admits every value: no requirement.
    if (prefix && literal === '') return undefined;
    literals.push(literal.toLowerCase());
  }
  return prefix
    ? { field: paths[0], values: [], prefixes: literals }
    : { field: paths[0], values: literals };
}
