/**
 * ARM's pure template functions (string, array, object, logical, numeric, conversion), each
 * a function of already-evaluated arguments. Functions that read the deployment live in
 * deployment-functions.ts.
 */

import {
  ArmEvalError,
  deepEqual,
  describeType,
  expectArray,
  expectInteger,
  expectString,
  isPlainObject,
  lookupKey,
  setKey,
  toArmString,
  type JsonObject,
} from './arm-values.js';
import { guidStandIn, uniqueStringStandIn } from './generated-names.js';

type PureFunction = (args: unknown[]) => unknown;

/** ARM caps `range()` at 10000 items. */
const MAX_RANGE = 10_000;

function arity(fn: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : `${min} to ${max}`;
    throw new ArmEvalError(`${fn}() takes ${expected} arguments, got ${args.length}`);
  }
}

function stringOrArray(value: unknown, fn: string): string | unknown[] {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  throw new ArmEvalError(`${fn}() expects a string or an array, got ${describeType(value)}`);
}

function expectBool(value: unknown, fn: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ArmEvalError(`${fn}() expects a boolean, got ${describeType(value)}`);
  }
  return value;
}

function numbersOf(args: unknown[], fn: string): number[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : args;
  if (list.length === 0) throw new ArmEvalError(`${fn}() needs at least one number`);
  return list.map((value) => expectInteger(value, fn));
}

function compare(args: unknown[], fn: string): number {
  arity(fn, args, 2);
  const [a, b] = args;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new ArmEvalError(`${fn}() compares two numbers or two strings`);
}

function arithmetic(fn: string, op: (a: number, b: number) => number): PureFunction {
  return (args) => {
    arity(fn, args, 2);
    return op(expectInteger(args[0], fn), expectInteger(args[1], fn));
  };
}

/** .NET composite formatting as `format()` does it: `{0}`, `{1:N2}`, `{{` and `}}`. */
function formatString(args: unknown[]): string {
  if (args.length === 0) throw new ArmEvalError('format() needs a format string');
  const template = expectString(args[0], 'format');
  return template.replace(/\{\{|\}\}|\{(\d+)(?:,[^}:]*)?(?::[^}]*)?\}/g, (match, index) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    const position = Number(index) + 1;
    if (position >= args.length) throw new ArmEvalError(`format() has no argument {${index}}`);
    return toArmString(args[position]);
  });
}

function concat(args: unknown[]): unknown {
  if (args.length > 0 && Array.isArray(args[0])) {
    return args.flatMap((arg) => (arg === null ? [] : expectArray(arg, 'concat')));
  }
  return args
    .map((arg) => {
      if (isPlainObject(arg) || Array.isArray(arg)) {
        throw new ArmEvalError('concat() cannot join an object or array into a string');
      }
      return toArmString(arg);
    })
    .join('');
}

function union(args: unknown[]): unknown {
  if (args.length === 0) throw new ArmEvalError('union() needs arguments');
  if (args.every(Array.isArray)) {
    const out: unknown[] = [];
    for (const item of (args as unknown[][]).flat()) {
      if (!out.some((seen) => deepEqual(seen, item))) out.push(item);
    }
    return out;
  }
  if (args.every(isPlainObject)) {
    const out: JsonObject = {};
    for (const arg of args as JsonObject[]) {
      for (const [key, value] of Object.entries(arg)) setKey(out, key, value);
    }
    return out;
  }
  throw new ArmEvalError('union() takes only arrays or only objects');
}

function intersection(args: unknown[]): unknown {
  if (args.length === 0) throw new ArmEvalError('intersection() needs arguments');
  if (args.every(Array.isArray)) {
    const [first, ...rest] = args as unknown[][];
    return first.filter(
      (item, i) =>
        first.findIndex((other) => deepEqual(other, item)) === i &&
        rest.every((list) => list.some((other) => deepEqual(other, item))),
    );
  }
  if (args.every(isPlainObject)) {
    const [first, ...rest] = args as JsonObject[];
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(first)) {
      const shared = rest.every((other) => deepEqual(lookupKey(other, key).value, value));
      if (shared) setKey(out, key, value);
    }
    return out;
  }
  throw new ArmEvalError('intersection() takes only arrays or only objects');
}

function contains(args: unknown[]): boolean {
  arity('contains', args, 2);
  const [container, item] = args;
  if (typeof container === 'string') return container.includes(toArmString(item));
  if (Array.isArray(container)) return container.some((value) => deepEqual(value, item));
  if (isPlainObject(container)) return lookupKey(container, toArmString(item)).found;
  throw new ArmEvalError(`contains() cannot search ${describeType(container)}`);
}

function length(args: unknown[]): number {
  arity('length', args, 1);
  const [value] = args;
  if (typeof value === 'string' || Array.isArray(value)) return value.length;
  if (isPlainObject(value)) return Object.keys(value).length;
  throw new ArmEvalError(`length() of ${describeType(value)}`);
}

function empty(args: unknown[]): boolean {
  arity('empty', args, 1);
  const [value] = args;
  if (value === null || value === undefined) return true;
  if (typeof value === 'string' || Array.isArray(value)) return value.length === 0;
  if (isPlainObject(value)) return Object.keys(value).length === 0;
  throw new ArmEvalError(`empty() of ${describeType(value)}`);
}

function substring(args: unknown[]): string {
  arity('substring', args, 2, 3);
  const text = expectString(args[0], 'substring');
  const start = expectInteger(args[1], 'substring');
  const count = args.length > 2 ? expectInteger(args[2], 'substring') : text.length - start;
  if (start < 0 || count < 0 || start + count > text.length) {
    throw new ArmEvalError(`substring(${start}, ${count}) is outside a ${text.length}-char string`);
  }
  return text.slice(start, start + count);
}

function takeOrSkip(fn: 'take' | 'skip'): PureFunction {
  return (args) => {
    arity(fn, args, 2);
    const source = stringOrArray(args[0], fn);
    const count = Math.max(0, expectInteger(args[1], fn));
    return fn === 'take' ? source.slice(0, count) : source.slice(count);
  };
}

function split(args: unknown[]): string[] {
  arity('split', args, 2);
  const text = expectString(args[0], 'split');
  const delimiters = Array.isArray(args[1]) ? args[1] : [args[1]];
  let parts = [text];
  for (const delimiter of delimiters) {
    const separator = expectString(delimiter, 'split');
    if (separator.length === 0) continue;
    parts = parts.flatMap((part) => part.split(separator));
  }
  return parts;
}

function range(args: unknown[]): number[] {
  arity('range', args, 2);
  const start = expectInteger(args[0], 'range');
  const count = expectInteger(args[1], 'range');
  if (count < 0 || count > MAX_RANGE) {
    throw new ArmEvalError(`range() count must be between 0 and ${MAX_RANGE}`);
  }
  return Array.from({ length: count }, (_, i) => start + i);
}

function createObject(args: unknown[]): JsonObject {
  if (args.length % 2 !== 0) throw new ArmEvalError('createObject() takes key/value pairs');
  const out: JsonObject = {};
  for (let i = 0; i < args.length; i += 2)
    setKey(out, expectString(args[i], 'createObject'), args[i + 1]);
  return out;
}

function toInt(args: unknown[]): number {
  arity('int', args, 1);
  const [value] = args;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[-+]?\d+\s*$/.test(value))
    return Number.parseInt(value, 10);
  throw new ArmEvalError(`int() cannot convert '${toArmString(value)}'`);
}

function toBool(args: unknown[]): boolean {
  arity('bool', args, 1);
  const [value] = args;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string' && /^(true|false)$/i.test(value))
    return value.toLowerCase() === 'true';
  throw new ArmEvalError(`bool() cannot convert '${toArmString(value)}'`);
}

function parseJson(args: unknown[]): unknown {
  arity('json', args, 1);
  const text = expectString(args[0], 'json');
  try {
    return JSON.parse(text, (key, value) => value) as unknown;
  } catch {
    throw new ArmEvalError('json() got text that is not JSON');
  }
}

function searchIndex(fn: 'indexOf' | 'lastIndexOf'): PureFunction {
  return (args) => {
    arity(fn, args, 2);
    const [container, item] = args;
    if (Array.isArray(container)) {
      const matches = container.map((value, i) => (deepEqual(value, item) ? i : -1));
      const hits = matches.filter((i) => i >= 0);
      return hits.length === 0 ? -1 : fn === 'indexOf' ? hits[0] : hits[hits.length - 1];
    }
    const text = expectString(container, fn).toLowerCase();
    const needle = expectString(item, fn).toLowerCase();
    return fn === 'indexOf' ? text.indexOf(needle) : text.lastIndexOf(needle);
  };
}

function uri(args: unknown[]): string {
  arity('uri', args, 2);
  const base = expectString(args[0], 'uri');
  const relative = expectString(args[1], 'uri');
  try {
    return new URL(relative, base).toString();
  } catch {
    throw new ArmEvalError(`uri() cannot combine '${base}' and '${relative}'`);
  }
}

function padLeft(args: unknown[]): string {
  arity('padLeft', args, 2, 3);
  const text = toArmString(args[0]);
  const width = Math.min(expectInteger(args[1], 'padLeft'), 16_384);
  const fill = args.length > 2 ? expectString(args[2], 'padLeft') : ' ';
  if (fill.length !== 1) throw new ArmEvalError('padLeft() pads with exactly one character');
  return text.padStart(width, fill);
}

function items(args: unknown[]): unknown[] {
  arity('items', args, 1);
  const [value] = args;
  if (!isPlainObject(value)) throw new ArmEvalError('items() expects an object');
  return Object.keys(value)
    .sort()
    .map((key) => ({ key, value: value[key] }));
}

function firstOrLast(fn: 'first' | 'last'): PureFunction {
  return (args) => {
    arity(fn, args, 1);
    const source = stringOrArray(args[0], fn);
    if (source.length === 0) return typeof source === 'string' ? '' : null;
    return fn === 'first' ? source[0] : source[source.length - 1];
  };
}

function caseInsensitive(fn: 'startsWith' | 'endsWith'): PureFunction {
  return (args) => {
    arity(fn, args, 2);
    const text = expectString(args[0], fn).toLowerCase();
    const part = expectString(args[1], fn).toLowerCase();
    return fn === 'startsWith' ? text.startsWith(part) : text.endsWith(part);
  };
}

function unary<T>(fn: string, convert: (value: unknown) => T): PureFunction {
  return (args) => {
    arity(fn, args, 1);
    return convert(args[0]);
  };
}

/** Pure functions by lower-case name. Each receives evaluated, known arguments. */
export const PURE_FUNCTIONS: ReadonlyMap<string, PureFunction> = new Map<string, PureFunction>([
  ['concat', concat],
  ['format', formatString],
  ['string', unary('string', toArmString)],
  ['int', toInt],
  ['bool', toBool],
  ['json', parseJson],
  ['array', unary('array', (value) => (Array.isArray(value) ? value : [value]))],
  ['tolower', unary('toLower', (value) => expectString(value, 'toLower').toLowerCase())],
  ['toupper', unary('toUpper', (value) => expectString(value, 'toUpper').toUpperCase())],
  ['trim', unary('trim', (value) => expectString(value, 'trim').trim())],
  ['substring', substring],
  [
    'replace',
    (args) => {
      arity('replace', args, 3);
      const text = expectString(args[0], 'replace');
      const old = expectString(args[1], 'replace');
      return old === '' ? text : text.split(old).join(expectString(args[2], 'replace'));
    },
  ],
  ['split', split],
  [
    'join',
    (args) => {
      arity('join', args, 2);
      return expectArray(args[0], 'join').map(toArmString).join(expectString(args[1], 'join'));
    },
  ],
  ['length', length],
  ['empty', empty],
  ['contains', contains],
  ['first', firstOrLast('first')],
  ['last', firstOrLast('last')],
  ['take', takeOrSkip('take')],
  ['skip', takeOrSkip('skip')],
  ['union', union],
  ['intersection', intersection],
  ['createarray', (args) => [...args]],
  ['createobject', createObject],
  ['items', items],
  ['flatten', unary('flatten', (value) => expectArray(value, 'flatten').flat())],
  ['indexof', searchIndex('indexOf')],
  ['lastindexof', searchIndex('lastIndexOf')],
  ['startswith', caseInsensitive('startsWith')],
  ['endswith', caseInsensitive('endsWith')],
  ['padleft', padLeft],
  [
    'equals',
    (args) => {
      arity('equals', args, 2);
      return deepEqual(args[0], args[1]);
    },
  ],
  ['not', unary('not', (value) => !expectBool(value, 'not'))],
  ['and', (args) => args.map((value) => expectBool(value, 'and')).every(Boolean)],
  ['or', (args) => args.map((value) => expectBool(value, 'or')).some(Boolean)],
  ['greater', (args) => compare(args, 'greater') > 0],
  ['greaterorequals', (args) => compare(args, 'greaterOrEquals') >= 0],
  ['less', (args) => compare(args, 'less') < 0],
  ['lessorequals', (args) => compare(args, 'lessOrEquals') <= 0],
  ['add', arithmetic('add', (a, b) => a + b)],
  ['sub', arithmetic('sub', (a, b) => a - b)],
  ['mul', arithmetic('mul', (a, b) => a * b)],
  [
    'div',
    arithmetic('div', (a, b) => {
      if (b === 0) throw new ArmEvalError('div() by zero');
      return Math.trunc(a / b);
    }),
  ],
  [
    'mod',
    arithmetic('mod', (a, b) => {
      if (b === 0) throw new ArmEvalError('mod() by zero');
      return a % b;
    }),
  ],
  ['min', (args) => Math.min(...numbersOf(args, 'min'))],
  ['max', (args) => Math.max(...numbersOf(args, 'max'))],
  ['range', range],
  [
    'uniquestring',
    (args) => {
      if (args.length === 0) throw new ArmEvalError('uniqueString() needs arguments');
      return uniqueStringStandIn(args.map((value) => expectString(value, 'uniqueString')));
    },
  ],
  [
    'guid',
    (args) => {
      if (args.length === 0) throw new ArmEvalError('guid() needs arguments');
      return guidStandIn(args.map((value) => expectString(value, 'guid')));
    },
  ],
  [
    'base64',
    unary('base64', (value) =>
      Buffer.from(expectString(value, 'base64'), 'utf8').toString('base64'),
    ),
  ],
  [
    'base64tostring',
    unary('base64ToString', (value) =>
      Buffer.from(expectString(value, 'base64ToString'), 'base64').toString('utf8'),
    ),
  ],
  ['uri', uri],
  [
    'uricomponent',
    unary('uriComponent', (value) => encodeURIComponent(expectString(value, 'uriComponent'))),
  ],
  [
    'uricomponenttostring',
    unary('uriComponentToString', (value) => {
      try {
        return decodeURIComponent(expectString(value, 'uriComponentToString'));
      } catch {
        throw new ArmEvalError('uriComponentToString() got malformed text');
      }
    }),
  ],
  ['true', (args) => (arity('true', args, 0), true)],
  ['false', (args) => (arity('false', args, 0), false)],
  ['null', (args) => (arity('null', args, 0), null)],
]);
