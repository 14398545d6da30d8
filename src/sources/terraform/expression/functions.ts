/**
 * Terraform's built-in functions that a static reader can compute. Functions whose result is
 * only known at apply (`timestamp`, `uuid`) or that are not implemented give unknown values.
 */

import { createHash } from 'node:crypto';
import { RE2JS } from 're2js';
import {
  EvalError,
  EvalLimitError,
  containsUnknown,
  elements,
  firstUnknown,
  isObject,
  isUnknown,
  jsonEncoded,
  measureValue,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  unknown,
  valuesEqual,
  type Value,
} from './value.js';
import { parseTemplate } from './parser.js';
import { ExpressionSyntaxError } from './parser.js';
import { Scope, evaluate } from './evaluator.js';

/** What functions need from the module: files next to it and limits. */
export interface FunctionContext {
  /** Text of a file relative to the module folder; throws `EvalError` outside the scanned tree. */
  readFile(path: string): string;
  /** Longest string a function or template may build. */
  maxStringLength: number;
  /** Remaining evaluation steps; reading a function's arguments spends them too. */
  budget: { steps: number };
}

/** Most nodes (list elements, object members) the arguments of one call may hold. */
const MAX_ARGUMENT_NODES = 200_000;

// Known gap: yamlencode, setproduct, provider-defined functions (`provider::x::f`), the
// time and crypto functions (timeadd, rsadecrypt, ...) and IPv6 CIDR arithmetic give unknown
// values instead of results.
type Fn = (args: Value[], ctx: FunctionContext) => Value;

/** Functions that keep working when an argument holds unknown values somewhere inside. */
const TOLERATE_NESTED_UNKNOWN = new Set([
  'merge',
  'concat',
  'length',
  'flatten',
  'lookup',
  'element',
  'keys',
  'values',
  'coalesce',
  'tolist',
  'toset',
  'tomap',
  'zipmap',
  'slice',
  'reverse',
  'one',
  'compact',
  'coalescelist',
]);

const MAX_RANGE = 10_000;

/** Calls built-in function `name`; unknown arguments give an unknown result. */
export function callFunction(name: string, args: Value[], ctx: FunctionContext): Value {
  const fn = FUNCTIONS[name];
  if (!fn) return unknown(`function ${name}() is not evaluated statically`);
  const top = firstUnknown(args);
  if (top) return top;
  const size = measureValue(args, MAX_ARGUMENT_NODES);
  ctx.budget.steps -= size;
  if (size > MAX_ARGUMENT_NODES || ctx.budget.steps < 0) {
    throw new EvalLimitError(`arguments of ${name}() too large to evaluate`);
  }
  if (!TOLERATE_NESTED_UNKNOWN.has(name) && args.some((a) => containsUnknown(a))) {
    const marker = unknown(`${name}() of a value unknown before apply`);
    if (name === 'jsonencode' && args[0] !== undefined) jsonEncoded.set(marker, args[0]);
    return marker;
  }
  return fn(args, ctx);
}

function str(v: Value | undefined): string {
  if (v === undefined) throw new EvalError('missing argument');
  return toStringValue(v);
}

function num(v: Value | undefined): number {
  if (v === undefined) throw new EvalError('missing argument');
  return toNumberValue(v);
}

function list(v: Value | undefined): Value[] {
  if (Array.isArray(v)) return v;
  throw new EvalError(`expected a list, got ${typeName(v ?? null)}`);
}

function obj(v: Value | undefined): Record<string, Value> {
  if (v !== undefined && isObject(v)) return v;
  throw new EvalError(`expected a map, got ${typeName(v ?? null)}`);
}

function limitString(s: string, ctx: FunctionContext): string {
  if (s.length > ctx.maxStringLength) throw new EvalLimitError('string too long');
  return s;
}

function distinct(items: Value[]): Value[] {
  const out: Value[] = [];
  for (const item of items) if (!out.some((x) => valuesEqual(x, item))) out.push(item);
  return out;
}

function flatten(items: Value[], depth = 0): Value[] {
  if (depth > 64) throw new EvalError('list nested too deeply');
  return items.flatMap((x) => (Array.isArray(x) ? flatten(x, depth + 1) : [x]));
}

function toJson(v: Value): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    typeof x === 'number' && !Number.isFinite(x) ? null : x,
  );
}

function fromJsonValue(v: unknown): Value {
  return v as Value;
}

function ipv4ToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new EvalError(`invalid IPv4 address "${ip}"`);
  }
  return ((parts[0] << 24) >>> 0) + (parts[1] << 16) + (parts[2] << 8) + parts[3];
}

function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** Parses `a.b.c.d/n`. Known gap: IPv6 prefixes give an error (so an unknown value). */
function parseCidr(cidr: string): { base: number; bits: number } {
  const [ip, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new EvalError(`invalid CIDR "${cidr}"`);
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ipv4ToInt(ip) & mask) >>> 0, bits };
}

function cidrsubnet(prefix: string, newbits: number, netnum: number): string {
  const { base, bits } = parseCidr(prefix);
  const total = bits + newbits;
  if (!Number.isInteger(newbits) || newbits < 0 || total > 32)
    throw new EvalError('cidrsubnet: bad newbits');
  if (!Number.isInteger(netnum) || netnum < 0 || netnum >= 2 ** newbits) {
    throw new EvalError('cidrsubnet: netnum out of range');
  }
  const address = (base + netnum * 2 ** (32 - total)) >>> 0;
  return `${intToIpv4(address)}/${total}`;
}

function cidrhost(prefix: string, hostnum: number): string {
  const { base, bits } = parseCidr(prefix);
  const size = 2 ** (32 - bits);
  const n = hostnum < 0 ? size + hostnum : hostnum;
  if (!Number.isInteger(n) || n < 0 || n >= size)
    throw new EvalError('cidrhost: hostnum out of range');
  return intToIpv4((base + n) >>> 0);
}

/** Go-style `format` verbs: %s %d %f %t %v %q %% with optional width and precision. */
function format(spec: string, args: Value[]): string {
  let i = 0;
  return spec.replace(
    /%([-+ 0#]*)(\d+)?(?:\.(\d+))?([sdftvqx%])/g,
    (_m, flags: string, width, prec, verb) => {
      if (verb === '%') return '%';
      if (i >= args.length) throw new EvalError('format: too few arguments');
      const arg = args[i++];
      let out: string;
      if (verb === 'd') out = Math.trunc(toNumberValue(arg)).toString();
      else if (verb === 'f')
        out = toNumberValue(arg).toFixed(prec === undefined ? 6 : Number(prec));
      else if (verb === 't') out = String(toBoolValue(arg));
      else if (verb === 'q') out = JSON.stringify(toStringValue(arg));
      else if (verb === 'x') out = Math.trunc(toNumberValue(arg)).toString(16);
      else if (verb === 'v' && typeof arg === 'object' && arg !== null) out = toJson(arg);
      else out = toStringValue(arg);
      if (verb === 's' && prec !== undefined) out = out.slice(0, Number(prec));
      const w = width === undefined ? 0 : Math.min(Number(width), 1000);
      if (out.length < w) {
        const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(
          w - out.length,
        );
        out = flags.includes('-') ? out + pad : pad + out;
      }
      return out;
    },
  );
}

function regexOf(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch {
    throw new EvalError(`invalid regular expression "${pattern}"`);
  }
}

function replace(s: string, search: string, replacement: string): string {
  const regex = /^\/(.*)\/$/s.exec(search);
  if (!regex) return s.split(search).join(replacement);
  const goReplacement = replacement.replace(/\$\{?(\w+)\}?/g, (_m, g: string) => `$${g}`);
  return regexOf(regex[1]).matcher(s).replaceAll(goReplacement);
}

function templatefile(path: string, vars: Record<string, Value>, ctx: FunctionContext): Value {
  let node;
  try {
    node = parseTemplate(ctx.readFile(path));
  } catch (error) {
    if (error instanceof ExpressionSyntaxError)
      throw new EvalError(`templatefile: ${error.message}`);
    throw error;
  }
  const env = {
    ...ctx,
    root: () => undefined,
    block: () => unknown('templatefile cannot refer to resources'),
    qualify: (a: string) => a,
    budget: { steps: 100_000 },
  };
  return evaluate(node, new Scope(env, new Map(Object.entries(vars))));
}

function hash(algorithm: string): Fn {
  return ([s]) => createHash(algorithm).update(str(s)).digest('hex');
}

function apply(): Value {
  return unknown('value known only at apply');
}

const FUNCTIONS: Record<string, Fn> = {
  abs: ([n]) => Math.abs(num(n)),
  ceil: ([n]) => Math.ceil(num(n)),
  floor: ([n]) => Math.floor(num(n)),
  max: (args) =>
    args.length
      ? Math.max(...args.map(num))
      : (() => {
          throw new EvalError('max() of nothing');
        })(),
  min: (args) =>
    args.length
      ? Math.min(...args.map(num))
      : (() => {
          throw new EvalError('min() of nothing');
        })(),
  pow: ([a, b]) => num(a) ** num(b),
  signum: ([n]) => Math.sign(num(n)),
  parseint: ([s, base]) => {
    const n = parseInt(str(s), num(base));
    if (Number.isNaN(n)) throw new EvalError('parseint: not a number');
    return n;
  },
  sum: ([l]) => list(l).reduce<number>((a, b) => a + num(b), 0),

  lower: ([s]) => str(s).toLowerCase(),
  upper: ([s]) => str(s).toUpperCase(),
  title: ([s]) => str(s).replace(/\b\w/g, (c) => c.toUpperCase()),
  trimspace: ([s]) => str(s).trim(),
  chomp: ([s]) => str(s).replace(/(\r?\n)+$/, ''),
  trim: ([s, chars]) => {
    const set = new Set(str(chars));
    const text = [...str(s)];
    let a = 0;
    let b = text.length;
    while (a < b && set.has(text[a])) a++;
    while (b > a && set.has(text[b - 1])) b--;
    return text.slice(a, b).join('');
  },
  trimprefix: ([s, p]) => (str(s).startsWith(str(p)) ? str(s).slice(str(p).length) : str(s)),
  trimsuffix: ([s, p]) =>
    str(p) !== '' && str(s).endsWith(str(p)) ? str(s).slice(0, -str(p).length) : str(s),
  startswith: ([s, p]) => str(s).startsWith(str(p)),
  endswith: ([s, p]) => str(s).endsWith(str(p)),
  strrev: ([s]) => [...str(s)].reverse().join(''),
  strcontains: ([s, p]) => str(s).includes(str(p)),
  substr: ([s, offset, length]) => {
    const chars = [...str(s)];
    let o = num(offset);
    if (o < 0) o = Math.max(chars.length + o, 0);
    const l = num(length);
    return chars.slice(o, l < 0 ? undefined : o + l).join('');
  },
  indent: ([n, s], ctx) =>
    limitString(str(s).replace(/\n/g, '\n' + ' '.repeat(Math.min(num(n), 1000))), ctx),
  join: ([sep, ...lists], ctx) =>
    limitString(
      lists
        .flatMap((l) => list(l))
        .map(str)
        .join(str(sep)),
      ctx,
    ),
  split: ([sep, s]) => (str(s) === '' ? [] : str(s).split(str(sep))),
  replace: ([s, search, rep], ctx) => limitString(replace(str(s), str(search), str(rep)), ctx),
  regex: ([pattern, s]) => {
    const m = regexOf(str(pattern)).matcher(str(s));
    if (!m.find()) throw new EvalError('regex: no match');
    if (m.groupCount() === 0) return m.group(0) ?? '';
    return Array.from({ length: m.groupCount() }, (_x, i) => m.group(i + 1));
  },
  regexall: ([pattern, s]) => {
    const m = regexOf(str(pattern)).matcher(str(s));
    const out: Value[] = [];
    while (m.find() && out.length < MAX_RANGE) {
      out.push(
        m.groupCount() === 0
          ? (m.group(0) ?? '')
          : Array.from({ length: m.groupCount() }, (_x, i) => m.group(i + 1)),
      );
    }
    return out;
  },
  format: ([spec, ...args], ctx) => limitString(format(str(spec), args), ctx),
  formatlist: ([spec, ...args], ctx) => {
    const n = Math.max(0, ...args.filter(Array.isArray).map((a) => a.length));
    return Array.from({ length: n }, (_x, i) =>
      limitString(
        format(
          str(spec),
          args.map((a) => (Array.isArray(a) ? (a[i] ?? null) : a)),
        ),
        ctx,
      ),
    );
  },

  tostring: ([v]) => (v === null ? null : str(v)),
  tonumber: ([v]) => (v === null ? null : num(v)),
  tobool: ([v]) => (v === null ? null : toBoolValue(v)),
  tolist: ([v]) => (Array.isArray(v) ? v : elements(v ?? null)),
  toset: ([v]) => distinct(Array.isArray(v) ? v : elements(v ?? null)),
  tomap: ([v]) => obj(v),

  length: ([v]) => {
    if (typeof v === 'string') return [...v].length;
    if (Array.isArray(v)) return v.length;
    return Object.keys(obj(v)).length;
  },
  concat: (args) => args.flatMap((a) => list(a)),
  flatten: ([l]) => flatten(list(l)),
  distinct: ([l]) => distinct(list(l)),
  compact: ([l]) => list(l).filter((x) => x !== null && x !== ''),
  contains: ([l, v]) => elements(l ?? null).some((x) => valuesEqual(x, v ?? null)),
  element: ([l, i]) => {
    const items = list(l);
    if (items.length === 0) throw new EvalError('element() of an empty list');
    return items[((Math.trunc(num(i)) % items.length) + items.length) % items.length];
  },
  index: ([l, v]) => {
    const i = list(l).findIndex((x) => valuesEqual(x, v ?? null));
    if (i < 0) throw new EvalError('index: value not found');
    return i;
  },
  one: ([l]) => {
    const items = list(l);
    if (items.length > 1) throw new EvalError('one() of more than one element');
    return items[0] ?? null;
  },
  reverse: ([l]) => [...list(l)].reverse(),
  slice: ([l, a, b]) => {
    const items = list(l);
    const from = num(a);
    const to = num(b);
    if (from < 0 || to > items.length || from > to)
      throw new EvalError('slice: index out of range');
    return items.slice(from, to);
  },
  sort: ([l]) => list(l).map(str).sort(),
  range: (args) => {
    const nums = args.map(num);
    const [start, end, step] =
      nums.length === 1
        ? [0, nums[0], 1]
        : [nums[0], nums[1], nums[2] ?? (nums[1] >= nums[0] ? 1 : -1)];
    if (step === 0 || Math.abs((end - start) / step) > MAX_RANGE)
      throw new EvalLimitError('range too large');
    const out: number[] = [];
    for (let x = start; step > 0 ? x < end : x > end; x += step) out.push(x);
    return out;
  },
  chunklist: ([l, size]) => {
    const items = list(l);
    const n = num(size);
    if (n <= 0) return [items];
    const out: Value[] = [];
    for (let i = 0; i < items.length; i += n) out.push(items.slice(i, i + n));
    return out;
  },
  coalesce: (args) => {
    for (const a of args) {
      if (isUnknown(a)) return a;
      if (a !== null && a !== '') return a;
    }
    throw new EvalError('coalesce: no non-null argument');
  },
  coalescelist: (args) => args.find((a) => Array.isArray(a) && a.length > 0) ?? [],

  keys: ([m]) => Object.keys(obj(m)).sort(),
  values: ([m]) => {
    const o = obj(m);
    return Object.keys(o)
      .sort()
      .map((k) => o[k]);
  },
  lookup: ([m, k, fallback]) => {
    const o = obj(m);
    const key = str(k);
    if (Object.hasOwn(o, key)) return o[key];
    if (fallback === undefined) throw new EvalError(`lookup: key "${key}" not found`);
    return fallback;
  },
  merge: (args) => {
    const out: Record<string, Value> = {};
    for (const a of args) if (a !== null) Object.assign(out, obj(a));
    return out;
  },
  zipmap: ([ks, vs]) => {
    const keys = list(ks);
    const vals = list(vs);
    if (keys.length !== vals.length) throw new EvalError('zipmap: lists differ in length');
    return Object.fromEntries(keys.map((k, i) => [str(k), vals[i]]));
  },
  setunion: (args) => distinct(args.flatMap((a) => elements(a))),
  setintersection: ([first, ...rest]) =>
    distinct(elements(first ?? [])).filter((x) =>
      rest.every((r) => elements(r).some((y) => valuesEqual(x, y))),
    ),
  setsubtract: ([a, b]) =>
    distinct(elements(a ?? [])).filter((x) => !elements(b ?? []).some((y) => valuesEqual(x, y))),
  transpose: ([m]) => {
    const out: Record<string, Value[]> = {};
    for (const [k, vs] of Object.entries(obj(m)))
      for (const v of list(vs)) (out[str(v)] ??= []).push(k);
    return out;
  },

  jsonencode: ([v], ctx) => limitString(toJson(v ?? null), ctx),
  jsondecode: ([s]) => {
    try {
      return fromJsonValue(JSON.parse(str(s)));
    } catch {
      throw new EvalError('jsondecode: invalid JSON');
    }
  },
  yamlencode: () => unknown('yamlencode() is not evaluated statically'),
  base64encode: ([s]) => Buffer.from(str(s), 'utf8').toString('base64'),
  base64decode: ([s]) => Buffer.from(str(s), 'base64').toString('utf8'),
  urlencode: ([s]) => encodeURIComponent(str(s)),
  md5: hash('md5'),
  sha1: hash('sha1'),
  sha256: hash('sha256'),
  sha512: hash('sha512'),

  cidrsubnet: ([p, bits, n]) => cidrsubnet(str(p), num(bits), num(n)),
  cidrhost: ([p, n]) => cidrhost(str(p), num(n)),
  cidrnetmask: ([p]) => {
    const { bits } = parseCidr(str(p));
    return intToIpv4(bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0);
  },

  file: ([p], ctx) => ctx.readFile(str(p)),
  fileexists: ([p], ctx) => {
    try {
      ctx.readFile(str(p));
      return true;
    } catch {
      return false;
    }
  },
  templatefile: ([p, vars], ctx) => templatefile(str(p), vars === undefined ? {} : obj(vars), ctx),
  filebase64: ([p], ctx) => Buffer.from(ctx.readFile(str(p)), 'utf8').toString('base64'),

  timestamp: apply,
  uuid: apply,
  bcrypt: apply,
  sensitive: ([v]) => v ?? null,
  nonsensitive: ([v]) => v ?? null,
};
