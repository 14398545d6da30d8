/**
 * Compiles the CEL shapes our rules are written in (optional field chains, comparisons, list
 * macros, the helper functions) into plain JavaScript closures, so judging a resource runs no
 * interpreter. The cel-js interpreter stays the reference: an expression with any other shape
 * is not compiled, and a compiled expression that meets a value outside the plain JSON kinds,
 * an operand of another type or anything that would be a CEL error hands the whole evaluation
 * back to the interpreter, whose value or error is then the result.
 */

import { celFunctions } from './cel-functions.js';
import { isJsonValue, isPlainObject } from './cel-fast-paths.js';
import { UnknownValueError } from './unknown-tracker.js';

/** The evaluation context a rule expression runs in (`r`, `resource`, `related`, `params`). */
type Context = Record<string, unknown>;

/** A compiled node: its value in `context`, with macro and bind variables in `slots`. */
type Code = (context: Context, slots: unknown[]) => unknown;

/** The parts of a cel-js tree node the compiler reads. */
interface CelNode {
  op: string;
  args: unknown;
}

/**
 * Thrown where a compiled expression leaves the shapes it handles exactly; the caller then runs
 * the interpreter. One instance, made once: throwing it costs no stack capture.
 */
class HandBack extends Error {}
const HAND_BACK = new HandBack('evaluated by the interpreter');

function handBack(): never {
  throw HAND_BACK;
}

const hasOwn = Object.hasOwn;
const MAX_INT = 9223372036854775807n;
const MIN_INT = -9223372036854775808n;

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** `value` when it is plain, else a hand back. */
function plain(value: unknown): unknown {
  if (!isJsonValue(value)) handBack();
  return value;
}

/**
 * The runtime type cel-js gives `value` when it picks an operator's or function's overload: a
 * list or map is typed by its first element (and that one by its own first), and a value of
 * another kind anywhere on that path is an error there, so it hands back.
 */
function deepType(value: unknown): string {
  if (Array.isArray(value)) {
    return value[0] === undefined ? 'list' : `list<${deepType(value[0])}>`;
  }
  if (isPlainObject(value)) {
    for (const key in value) return `map<string, ${deepType(value[key])}>`;
    return 'map';
  }
  if (value === null) return 'null';
  if (!isJsonValue(value)) handBack();
  return typeof value;
}

/**
 * Hands back where `deepType` would (a value of another kind on the path it types), without
 * building the type's name: a helper's argument is checked so on every call, and the name is
 * only ever compared for `+` on lists.
 */
function assertTyped(value: unknown): void {
  if (Array.isArray(value)) {
    if (value[0] !== undefined) assertTyped(value[0]);
    return;
  }
  if (isPlainObject(value)) {
    for (const key in value) return assertTyped(value[key]);
    return;
  }
  if (value !== null && !isJsonValue(value)) handBack();
}

/** A map's own field (undefined when absent); a value of another kind hands back. */
function ownField(map: Record<string, unknown>, key: string): unknown {
  const value = hasOwn(map, key) ? map[key] : undefined;
  return value === undefined ? undefined : plain(value);
}

/**
 * `x.?key` on a plain value: a map's own field, and absent on any other kind (what cel-js's
 * optional field access gives for lists, strings, numbers, bools and null).
 */
function optionalField(value: unknown, key: string): unknown {
  return isPlainObject(value) ? ownField(value, key) : undefined;
}

function bool(value: unknown): boolean {
  if (typeof value !== 'boolean') handBack();
  return value;
}

/** Variables in scope: name -> slot. */
type Scope = ReadonlyMap<string, number>;

/** Compile state: the slots used so far (each macro or bind variable takes one). */
interface State {
  slots: number;
}

const ROOT_VARIABLES = new Set(['r', 'resource', 'related', 'params']);

/** A helper's implementation, called with the evaluated arguments (receiver first). */
type HelperImpl = (...args: unknown[]) => unknown;

/** A helper function: the CEL type of each parameter (receiver first) and its code. */
interface Helper {
  params: string[];
  impl: HelperImpl;
}

/** Custom helpers by name and arity (`.name/n` for a receiver call). */
const HELPERS = new Map<string, Helper>();
for (const fn of celFunctions) {
  const match = /^(?:(\w+)\.)?(\w+)\(([^)]*)\)/.exec(fn.signature);
  if (!match) continue;
  const params = match[3] ? match[3].split(',').map((p) => p.trim()) : [];
  const receiver = match[1] !== undefined;
  HELPERS.set(`${receiver ? '.' : ''}${match[2]}/${params.length}`, {
    params: receiver ? [match[1], ...params] : params,
    impl: fn.impl,
  });
}

/** True when `value` has the CEL type a helper's parameter declares. */
function fitsParam(type: string, value: unknown): boolean {
  if (type === 'dyn') return true;
  if (type === 'string') return typeof value === 'string';
  if (type === 'int') return typeof value === 'bigint';
  return false;
}

/**
 * The closure computing `tree` (a type-checked cel-js tree), or undefined when it has a shape
 * this compiler does not handle. The closure throws `HandBack` where the interpreter must
 * decide.
 */
function compileTree(tree: unknown): { code: Code; slots: number } | undefined {
  try {
    const state: State = { slots: 0 };
    const code = compileNode(tree, new Map(), state);
    return { code, slots: state.slots };
  } catch (error) {
    if (error instanceof Unsupported) return undefined;
    throw error;
  }
}

/** Thrown at compile time for a shape the compiler does not handle. */
class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported('shape not compiled');
}

function compileNode(node: unknown, scope: Scope, state: State): Code {
  if (!isNode(node)) unsupported();
  const args = node.args;
  switch (node.op) {
    case 'value':
      return constant(args);
    case 'id':
      return variable(args, scope);
    case 'list':
      return listLiteral(args, scope, state);
    case 'map':
      if (!Array.isArray(args) || args.length > 0) unsupported();
      // cel-js builds a plain object; nothing writes one, so the same one serves every call.
      return () => EMPTY_MAP;
    case '.':
      return strictField(args, scope, state);
    case '[]':
      return index(args, scope, state);
    case '!_': {
      const operand = compileNode(args, scope, state);
      return (c, s) => !bool(operand(c, s));
    }
    case '-_': {
      const operand = compileNode(args, scope, state);
      return (c, s) => negate(operand(c, s));
    }
    case '&&':
    case '||':
      return logical(node.op, args, scope, state);
    case '?:': {
      const [test, then, otherwise] = pair3(args, scope, state);
      return (c, s) => (bool(test(c, s)) ? then(c, s) : otherwise(c, s));
    }
    case '==':
    case '!=':
      return equality(node.op, args, scope, state);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return relation(node.op, args, scope, state);
    case 'in':
      return membership(args, scope, state);
    case '+':
      return addition(args, scope, state);
    case 'call':
      return call(args, scope, state);
    case 'rcall':
      return receiverCall(args, scope, state);
    default:
      return unsupported();
  }
}

const EMPTY_MAP = Object.freeze({});

function constant(value: unknown): Code {
  const kind = typeof value;
  if (kind !== 'string' && kind !== 'boolean' && kind !== 'bigint' && kind !== 'number') {
    if (value !== null) unsupported();
  }
  return () => value;
}

function variable(name: unknown, scope: Scope): Code {
  if (typeof name !== 'string') unsupported();
  const slot = scope.get(name);
  if (slot !== undefined) return (_c, s) => s[slot];
  if (!ROOT_VARIABLES.has(name)) unsupported();
  return (c) => {
    const value = c[name];
    if (value === undefined) handBack();
    return plain(value);
  };
}

function pair(args: unknown, scope: Scope, state: State): [Code, Code] {
  if (!Array.isArray(args) || args.length !== 2) unsupported();
  return [compileNode(args[0], scope, state), compileNode(args[1], scope, state)];
}

function pair3(args: unknown, scope: Scope, state: State): [Code, Code, Code] {
  if (!Array.isArray(args) || args.length !== 3) unsupported();
  return [
    compileNode(args[0], scope, state),
    compileNode(args[1], scope, state),
    compileNode(args[2], scope, state),
  ];
}

function listLiteral(args: unknown, scope: Scope, state: State): Code {
  if (!Array.isArray(args)) unsupported();
  if (args.every((a) => isNode(a) && a.op === 'value')) {
    // Every element a literal: the same list each time (read only: nothing writes a value).
    const items = Object.freeze(args.map((a) => constant((a as CelNode).args)(EMPTY, [])));
    return () => items;
  }
  const items = args.map((a) => compileNode(a, scope, state));
  // Last element first, as cel-js evaluates them: an error is then the one cel-js gives.
  return (c, s) => {
    const list = new Array<unknown>(items.length);
    for (let i = items.length - 1; i >= 0; i--) list[i] = items[i](c, s);
    return list;
  };
}

const EMPTY: Context = Object.freeze({});

/** `x.key`: a map's field that is present; anything else (an error in CEL) hands back. */
function strictField(args: unknown, scope: Scope, state: State): Code {
  if (!Array.isArray(args) || typeof args[1] !== 'string') unsupported();
  const target = compileNode(args[0], scope, state);
  const key = args[1];
  return (c, s) => {
    const value = target(c, s);
    if (!isPlainObject(value)) handBack();
    const field = ownField(value, key);
    if (field === undefined) handBack();
    return field;
  };
}

/** `list[int]` within bounds, `map[string]` present. */
function index(args: unknown, scope: Scope, state: State): Code {
  const [target, at] = pair(args, scope, state);
  return (c, s) => {
    const value = target(c, s);
    const key = at(c, s);
    if (Array.isArray(value) && typeof key === 'bigint') {
      if (key < 0n || key >= BigInt(value.length)) handBack();
      const item = value[Number(key)];
      if (item === undefined) handBack();
      return plain(item);
    }
    if (isPlainObject(value) && typeof key === 'string') {
      const field = ownField(value, key);
      if (field === undefined) handBack();
      return field;
    }
    return handBack();
  };
}

function negate(value: unknown): unknown {
  if (typeof value === 'number') return -value;
  if (typeof value === 'bigint' && value !== MIN_INT) return -value;
  return handBack();
}

/**
 * `a && b`, `a || b` on bools. A side that is not a bool (an error in CEL, which the other side
 * may absorb) hands back, except a left side that read an unknown value: as in cel-js, the right
 * side is then evaluated (its own error is the result), and the value that decides the operator
 * whatever the left is (false for `&&`, true for `||`) absorbs the unknown; the other value lets
 * the unknown read stand. An IaC resource or a partial inventory record meets this on every rule
 * that starts with an unknown property, and handing each back re-ran it in the interpreter.
 */
function logical(op: '&&' | '||', args: unknown, scope: Scope, state: State): Code {
  const [left, right] = pair(args, scope, state);
  const absorbing = op === '||';
  const unknownLeft = (error: unknown, c: Context, s: unknown[]): boolean => {
    if (!(error instanceof UnknownValueError)) throw error;
    const other = right(c, s);
    if (other === absorbing) return absorbing;
    if (other === !absorbing) throw error;
    return handBack();
  };
  return (c, s) => {
    let value: unknown;
    try {
      value = left(c, s);
    } catch (error) {
      return unknownLeft(error, c, s);
    }
    // `a && b` is false when a is, else b; `a || b` is true when a is, else b.
    return bool(value) === absorbing ? absorbing : bool(right(c, s));
  };
}

/**
 * Equality of two strings, bools, numbers (ints and doubles compare by value) or nulls; null
 * against any other value cel-js can type is false, as cel-js has it (`written == null` on a
 * bool).
 */
function equal(a: unknown, b: unknown): boolean {
  if (a === null || b === null) {
    if (a === b) return true;
    // cel-js types the other value (a list or map by its first element) before comparing.
    assertTyped(a === null ? b : a);
    return false;
  }
  const kind = typeof a;
  if (kind === typeof b) {
    if (kind === 'string' || kind === 'boolean' || kind === 'number' || kind === 'bigint') {
      return a === b;
    }
    if (a === null && b === null) return true;
    return handBack();
  }
  if ((kind === 'number' && typeof b === 'bigint') || (kind === 'bigint' && typeof b === 'number'))
    // CEL compares an int and a double by value, as JavaScript's loose equality does.
    return a == b;
  return handBack();
}

function equality(op: '==' | '!=', args: unknown, scope: Scope, state: State): Code {
  const [left, right] = pair(args, scope, state);
  if (op === '==') return (c, s) => equal(left(c, s), right(c, s));
  return (c, s) => !equal(left(c, s), right(c, s));
}

/** True when `<` and friends compare `a` and `b` as JavaScript does (cel-js's overloads). */
function comparable(a: unknown, b: unknown): boolean {
  const ka = typeof a;
  const kb = typeof b;
  if (ka === 'number' || ka === 'bigint') return kb === 'number' || kb === 'bigint';
  return (ka === 'string' || ka === 'boolean') && ka === kb;
}

function relation(op: '<' | '<=' | '>' | '>=', args: unknown, scope: Scope, state: State): Code {
  type Ordered = string | number | bigint | boolean;
  const compare = {
    '<': (a: Ordered, b: Ordered) => a < b,
    '<=': (a: Ordered, b: Ordered) => a <= b,
    '>': (a: Ordered, b: Ordered) => a > b,
    '>=': (a: Ordered, b: Ordered) => a >= b,
  }[op];
  const durations = Array.isArray(args) && args.length === 2 ? args.map(durationOperand) : [];
  if (durations.length === 2 && durations.every((d) => d !== undefined)) {
    const [from, to] = durations.map((d) => compileNode(d, scope, state));
    return (c, s) => compare(durationValue(from(c, s)), durationValue(to(c, s)));
  }
  const [left, right] = pair(args, scope, state);
  return (c, s) => {
    const a = left(c, s);
    const b = right(c, s);
    if (!comparable(a, b)) handBack();
    return compare(a as Ordered, b as Ordered);
  };
}

/** The operand of `duration(x)`, or undefined for any other node. */
function durationOperand(node: unknown): unknown {
  if (!isNode(node) || node.op !== 'call' || !Array.isArray(node.args)) return undefined;
  const [name, operands] = node.args as [unknown, unknown];
  return name === 'duration' && Array.isArray(operands) && operands.length === 1
    ? operands[0]
    : undefined;
}

/** A duration text of whole seconds (`"7776000s"`), the form rules compare; cel-js reads others. */
const WHOLE_SECONDS = /^\d+s$/;

/**
 * The number cel-js compares `duration(text)` by (its `Duration`'s `valueOf`: milliseconds),
 * for a text of whole seconds; any other value hands back.
 */
function durationValue(text: unknown): number {
  if (typeof text !== 'string' || !WHOLE_SECONDS.test(text)) handBack();
  // As cel-js computes it: the whole seconds as a bigint, then milliseconds (no nanoseconds).
  return Number(BigInt(text.slice(0, -1))) * 1000;
}

/** `x in ["a", ...]` for a string `x`; `key in map` for a string key. */
function membership(args: unknown, scope: Scope, state: State): Code {
  if (!Array.isArray(args) || args.length !== 2) unsupported();
  const left = compileNode(args[0], scope, state);
  const list = args[1] as unknown;
  if (isNode(list) && list.op === 'list' && Array.isArray(list.args)) {
    const items = list.args.map((a) => (isNode(a) && a.op === 'value' ? a.args : undefined));
    if (items.length === 0 || items.some((i) => typeof i !== 'string')) unsupported();
    const set = new Set(items as string[]);
    return (c, s) => {
      const value = left(c, s);
      if (typeof value !== 'string') handBack();
      return set.has(value);
    };
  }
  const right = compileNode(list, scope, state);
  return (c, s) => {
    const key = left(c, s);
    const map = right(c, s);
    if (typeof key !== 'string' || !isPlainObject(map)) handBack();
    assertTyped(map);
    return hasOwn(map, key) ? map[key] !== undefined : false;
  };
}

function addition(args: unknown, scope: Scope, state: State): Code {
  const [left, right] = pair(args, scope, state);
  return (c, s) => {
    const a = left(c, s);
    const b = right(c, s);
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (typeof a === 'number' && typeof b === 'number') return a + b;
    if (typeof a === 'bigint' && typeof b === 'bigint') {
      const sum = a + b;
      if (sum > MAX_INT || sum < MIN_INT) handBack();
      return sum;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      // `list<V> + list<V>`: lists whose first elements differ in type may have no overload.
      const ta = deepType(a);
      const tb = deepType(b);
      if (ta !== tb && ta !== 'list' && tb !== 'list') handBack();
      return [...a, ...b];
    }
    return handBack();
  };
}

/** Code points in a string, as CEL's `size` counts them. */
function codePoints(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is one code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function size(value: unknown): bigint {
  assertTyped(value);
  if (typeof value === 'string') return BigInt(codePoints(value));
  if (Array.isArray(value)) return BigInt(value.length);
  if (isPlainObject(value)) return BigInt(Object.keys(value).length);
  return handBack();
}

/** CEL's `string(x)` for the kinds whose text is plain JavaScript's. */
function toText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return handBack();
}

/** `has(a.b.c)`: every step but the last must be present, as the macro requires. */
function hasMacro(args: unknown, scope: Scope): Code {
  if (!Array.isArray(args) || args.length !== 1) unsupported();
  const keys: string[] = [];
  let at: unknown = args[0];
  while (isNode(at) && at.op === '.') {
    const [target, key] = at.args as [unknown, unknown];
    if (typeof key !== 'string') unsupported();
    keys.unshift(key);
    at = target;
  }
  if (keys.length === 0 || !isNode(at) || at.op !== 'id') unsupported();
  const base = variable(at.args, scope);
  const last = keys.length - 1;
  return (c, s) => {
    let value = base(c, s);
    for (let i = 0; i <= last; i++) {
      value = optionalField(value, keys[i]);
      if (value === undefined) return i === last ? false : handBack();
    }
    return true;
  };
}

function call(args: unknown, scope: Scope, state: State): Code {
  if (!Array.isArray(args) || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
    unsupported();
  }
  const name = args[0];
  const operands = args[1] as unknown[];
  if (name === 'has') return hasMacro(operands, scope);
  const codes = operands.map((a) => compileNode(a, scope, state));
  if (name === 'size' && codes.length === 1) return (c, s) => size(codes[0](c, s));
  if (name === 'string' && codes.length === 1) return (c, s) => toText(codes[0](c, s));
  return helperCall(HELPERS.get(`${name}/${codes.length}`), codes);
}

function helperCall(helper: Helper | undefined, codes: Code[]): Code {
  if (!helper) return unsupported();
  const { params, impl } = helper;
  const args = codes.map((code, i) => argument(params[i], code));
  // Arities spelled out: a helper call builds no argument list. Arguments are evaluated last
  // first, as cel-js does, so an error is the one cel-js gives.
  if (args.length === 1) {
    const [a] = args;
    return (c, s) => plain(impl(a(c, s)));
  }
  if (args.length === 2) {
    const [a, b] = args;
    return (c, s) => {
      const second = b(c, s);
      return plain(impl(a(c, s), second));
    };
  }
  if (args.length === 3) {
    const [a, b, d] = args;
    return (c, s) => {
      const third = d(c, s);
      const second = b(c, s);
      return plain(impl(a(c, s), second, third));
    };
  }
  return (c, s) => {
    const values = new Array<unknown>(args.length);
    for (let i = args.length - 1; i >= 0; i--) values[i] = args[i](c, s);
    return plain(impl(...values));
  };
}

/** An argument of a helper: its value when it has the parameter's type and a CEL type. */
function argument(type: string, code: Code): Code {
  return (c, s) => {
    const value = code(c, s);
    if (!fitsParam(type, value)) handBack();
    assertTyped(value);
    return value;
  };
}

/** String methods whose CEL meaning is JavaScript's on a string receiver and argument. */
const STRING_METHODS: Record<string, (text: string, arg: string) => unknown> = {
  startsWith: (text, arg) => text.startsWith(arg),
  endsWith: (text, arg) => text.endsWith(arg),
  contains: (text, arg) => text.includes(arg),
};

function receiverCall(args: unknown, scope: Scope, state: State): Code {
  if (!Array.isArray(args) || typeof args[0] !== 'string' || !Array.isArray(args[2])) {
    unsupported();
  }
  const [name, receiver, operands] = args as [string, unknown, unknown[]];
  if (name === 'orValue' && operands.length === 1)
    return optionalChain(receiver, operands[0], scope, state);
  if (name === 'hasValue' && operands.length === 0)
    return optionalChain(receiver, undefined, scope, state);
  if (MACROS.has(name) && operands.length === 2)
    return macro(name, receiver, operands, scope, state);
  if (name === 'bind' && operands.length === 3) return bind(receiver, operands, scope, state);
  const target = compileNode(receiver, scope, state);
  const codes = operands.map((a) => compileNode(a, scope, state));
  if (name === 'size' && codes.length === 0) return (c, s) => size(target(c, s));
  if (name === 'lowerAscii' && codes.length === 0) {
    return (c, s) => {
      const text = target(c, s);
      return typeof text === 'string' ? text.toLowerCase() : handBack();
    };
  }
  const method = STRING_METHODS[name];
  if (method && codes.length === 1) {
    return (c, s) => {
      // The argument first: cel-js evaluates a call's operands last first.
      const arg = codes[0](c, s);
      const text = target(c, s);
      if (typeof text !== 'string' || typeof arg !== 'string') handBack();
      return method(text, arg);
    };
  }
  return helperCall(HELPERS.get(`.${name}/${codes.length}`), [target, ...codes]);
}

/**
 * `x.?a.?b.orValue(d)` (or `.hasValue()` when `fallback` is undefined): the chain's value, or
 * the default when a step is absent.
 */
function optionalChain(receiver: unknown, fallback: unknown, scope: Scope, state: State): Code {
  const keys: string[] = [];
  let at: unknown = receiver;
  while (isNode(at) && at.op === '.?') {
    const [target, key] = at.args as [unknown, unknown];
    if (typeof key !== 'string') unsupported();
    keys.unshift(key);
    at = target;
  }
  if (keys.length === 0) unsupported();
  const base = compileNode(at, scope, state);
  const count = keys.length;
  const walk = (c: Context, s: unknown[]): unknown => {
    let value = base(c, s);
    for (let i = 0; i < count && value !== undefined; i++) value = optionalField(value, keys[i]);
    return value;
  };
  if (fallback === undefined) return (c, s) => walk(c, s) !== undefined;
  const otherwise = compileNode(fallback, scope, state);
  return (c, s) => {
    const value = walk(c, s);
    return value === undefined ? otherwise(c, s) : value;
  };
}

const MACROS = new Set(['exists', 'all', 'exists_one', 'filter', 'map']);

/**
 * Comprehension steps one evaluation may take. A rule's check runs once per resource; nested
 * macros over long lists (a user's rule with four nested `all` over a 999-element literal is
 * 10^12 steps) would otherwise hold the scan for hours. Real checks take a few thousand.
 */
export const MAX_COMPREHENSION_STEPS = 1_000_000;

/** An evaluation that went past `MAX_COMPREHENSION_STEPS`: the rule's error, never retried. */
export class CelBudgetError extends Error {
  constructor() {
    super(
      `evaluation stopped after ${MAX_COMPREHENSION_STEPS.toLocaleString('en')} comprehension steps (nested macros over long lists)`,
    );
    this.name = 'CelBudgetError';
  }
}

/**
 * Elements counted for a list the expression reads from the resource, whose length is unknown
 * when the rule is loaded: a typical one (statements of a policy, rules of a security group).
 */
const ASSUMED_LIST_LENGTH = 10;

/**
 * The comprehension steps a checked tree takes on typical resources: a macro costs the length of
 * what it ranges over (a literal's own, else `ASSUMED_LIST_LENGTH`) times its body. The
 * interpreter (which judges resources with unknown values) has no step budget, so a rule whose
 * estimate passes `MAX_COMPREHENSION_STEPS` (nested macros over long literals) is refused when
 * it is loaded; the compiled code counts its real steps as it runs.
 */
export function worstCaseSteps(node: unknown): number {
  if (Array.isArray(node)) return node.reduce((sum: number, n) => sum + worstCaseSteps(n), 0);
  if (!isNode(node)) return 0;
  const args = node.args;
  if (node.op === 'rcall' && Array.isArray(args) && typeof args[0] === 'string') {
    const [name, receiver, operands] = args as [string, unknown, unknown[]];
    if (MACROS.has(name) && Array.isArray(operands) && operands.length === 2) {
      const length =
        isNode(receiver) && receiver.op === 'list' && Array.isArray(receiver.args)
          ? receiver.args.length
          : ASSUMED_LIST_LENGTH;
      return worstCaseSteps(receiver) + length * (1 + worstCaseSteps(operands[1]));
    }
  }
  return args !== null && typeof args === 'object' ? worstCaseSteps(Object.values(args)) : 0;
}

/** Steps taken by the evaluation under way (programs never re-enter each other). */
let steps = 0;

function step(): void {
  if (++steps > MAX_COMPREHENSION_STEPS) throw new CelBudgetError();
}

/** The elements a comprehension ranges over: a list's items or a map's keys. */
function range(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.keys(value);
  return handBack();
}

function declare(name: unknown, scope: Scope, state: State): [Scope, number] {
  if (!isNode(name) || name.op !== 'id' || typeof name.args !== 'string') unsupported();
  const slot = state.slots++;
  return [new Map(scope).set(name.args, slot), slot];
}

function macro(
  name: string,
  receiver: unknown,
  operands: unknown[],
  scope: Scope,
  state: State,
): Code {
  const list = compileNode(receiver, scope, state);
  const [inner, slot] = declare(operands[0], scope, state);
  const body = compileNode(operands[1], inner, state);
  const each = (c: Context, s: unknown[], item: unknown): unknown => {
    step();
    s[slot] = plain(item);
    return body(c, s);
  };
  switch (name) {
    case 'exists':
      return quantifier(list, each, true);
    case 'all':
      return quantifier(list, each, false);
    case 'exists_one':
      return (c, s) => {
        let count = 0;
        for (const item of range(list(c, s))) if (bool(each(c, s, item))) count++;
        return count === 1;
      };
    case 'filter':
      return (c, s) => range(list(c, s)).filter((item) => bool(each(c, s, item)));
    default:
      return (c, s) => range(list(c, s)).map((item) => each(c, s, item));
  }
}

/**
 * `exists` (`decisive` true) or `all` (false). As in cel-js, an element whose predicate read an
 * unknown value is passed over, an element giving `decisive` decides, and the first unknown read
 * stands when none did.
 */
function quantifier(
  list: Code,
  each: (c: Context, s: unknown[], item: unknown) => unknown,
  decisive: boolean,
): Code {
  return (c, s) => {
    let unknown: UnknownValueError | undefined;
    for (const item of range(list(c, s))) {
      let value: boolean;
      try {
        value = bool(each(c, s, item));
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        unknown ??= error;
        continue;
      }
      if (value === decisive) return decisive;
    }
    if (unknown) throw unknown;
    return !decisive;
  };
}

/** `cel.bind(x, init, body)`. */
function bind(receiver: unknown, operands: unknown[], scope: Scope, state: State): Code {
  if (!isNode(receiver) || receiver.op !== 'id' || receiver.args !== 'cel') unsupported();
  const init = compileNode(operands[1], scope, state);
  const [inner, slot] = declare(operands[0], scope, state);
  const body = compileNode(operands[2], inner, state);
  return (c, s) => {
    s[slot] = init(c, s);
    return body(c, s);
  };
}

/** A program: called with the evaluation context. */
type Program = (context: Context) => unknown;

/**
 * The compiled form of a checked tree, falling back on `interpreted` (the cel-js program of the
 * same tree) wherever the compiled code hands back; undefined when the tree has a shape the
 * compiler does not handle.
 */
export function compileProgram(tree: unknown, interpreted: Program): Program | undefined {
  const compiled = compileTree(tree);
  if (!compiled) return undefined;
  const { code, slots } = compiled;
  // Any failure of the compiled code (a hand back, or a helper's own error) is the
  // interpreter's to judge, so every error a rule reports is cel-js's. An unknown read is the
  // exception: the compiled operators and macros absorb it where cel-js does (see `logical` and
  // `quantifier`), so one that reaches the top is the interpreter's answer too.
  if (slots === 0) {
    // No macro or bind variable: nothing reads or writes a slot, so no array is made per call.
    return (context) => {
      try {
        return code(context, NO_SLOTS);
      } catch (error) {
        if (error instanceof UnknownValueError) throw error;
        return interpreted(context);
      }
    };
  }
  return (context) => {
    // Slots are per call: a helper never re-enters the program, but a fresh array keeps each
    // evaluation independent at the cost of one small short-lived allocation.
    steps = 0;
    try {
      return code(context, []);
    } catch (error) {
      // Past the step budget the interpreter would only take longer: the rule errs here.
      if (error instanceof CelBudgetError || error instanceof UnknownValueError) throw error;
      return interpreted(context);
    }
  };
}

/** The slots of an expression without macro or bind variables (never read or written). */
const NO_SLOTS: unknown[] = Object.freeze([]) as never;
