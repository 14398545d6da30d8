/**
 * Evaluates parsed HCL expressions against a module's names. Anything that cannot be known
 * before apply evaluates to the unknown marker; type errors become unknown values too.
 */

import {
  holdsPartitionPlaceholder,
  partitionReference,
  placeholderOf,
} from '../../../model/aws-partition.js';
import type { ForNode, Node, TemplatePart } from './ast.js';
import { callFunction, type FunctionContext } from './functions.js';
import { noteReference } from './references.js';
import {
  EvalError,
  EvalLimitError,
  Namespace,
  containsUnknown,
  elements,
  firstUnknown,
  isObject,
  isUnknown,
  measureValue,
  resourceObjects,
  toBoolValue,
  toNumberValue,
  toStringValue,
  typeName,
  unknown,
  valuesEqual,
  type Value,
} from './value.js';

/** What the evaluator asks of the module it runs in. */
export interface EvalEnvironment extends FunctionContext {
  /** `var`, `local`, `path`, `module`, `data`, `terraform` and the like; undefined if unknown. */
  root(name: string): Value | undefined;
  /** The value of a resource or data block (`aws_s3_bucket.b`, `data.x.y`), all instances. */
  block(address: string): Value;
  /** The address as seen from the root module (`module.net.` prefixed inside a child). */
  qualify(address: string): string;
  /** Remaining evaluation steps, shared by everything evaluated for one directory. */
  budget: { steps: number };
}

const RESERVED_ROOTS = new Set([
  'var',
  'local',
  'count',
  'each',
  'path',
  'terraform',
  'self',
  'module',
  'data',
]);

const MAX_COLLECTION = 10_000;

/** Local names (for-expression variables, `count`, `each`, dynamic iterators) over a module. */
export class Scope {
  constructor(
    readonly env: EvalEnvironment,
    readonly bindings: ReadonlyMap<string, Value> = new Map(),
    readonly parent?: Scope,
  ) {}

  lookup(name: string): Value | undefined {
    if (this.bindings.has(name)) return this.bindings.get(name);
    return this.parent ? this.parent.lookup(name) : undefined;
  }

  isBound(name: string): boolean {
    return this.bindings.has(name) || (this.parent?.isBound(name) ?? false);
  }

  with(bindings: Map<string, Value>): Scope {
    return new Scope(this.env, bindings, this);
  }
}

/**
 * Evaluates `node`; user errors give an unknown value carrying the reason.
 * Throws only `EvalLimitError` when the budget runs out.
 */
export function evaluate(node: Node, scope: Scope): Value {
  try {
    return evalNode(node, scope);
  } catch (error) {
    if (error instanceof EvalError) return unknown(error.message);
    if (error instanceof RangeError) return unknown('expression too complex');
    throw error;
  }
}

function evalNode(node: Node, scope: Scope): Value {
  if (--scope.env.budget.steps < 0) throw new EvalLimitError('evaluation budget exhausted');
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'parens':
      return evalNode(node.inner, scope);
    case 'template':
      return evalTemplate(node.parts, scope);
    case 'variable':
      return evalVariable(node.name, scope);
    case 'getattr':
      return evalGetAttr(node, scope);
    case 'index':
      return evalIndex(node, scope);
    case 'splat':
      return evalSplat(node.object, node.each, scope);
    case 'splat-item': {
      const item = scope.lookup('\0splat');
      return item === undefined ? null : item;
    }
    case 'call':
      return evalCall(node, scope);
    case 'tuple':
      return node.items.map((item) => evalNode(item, scope));
    case 'object':
      return evalObject(node.items, scope);
    case 'conditional':
      return evalConditional(node, scope);
    case 'binary':
      return evalBinary(node.op, node.left, node.right, scope);
    case 'unary':
      return evalUnary(node.op, evalNode(node.operand, scope));
    case 'for':
      return evalFor(node, scope);
  }
}

function evalVariable(name: string, scope: Scope): Value {
  const bound = scope.lookup(name);
  if (bound !== undefined) return bound;
  const root = scope.env.root(name);
  if (root !== undefined) return root;
  throw new EvalError(`unknown name "${name}"`);
}

/** The address a node names when it is `type.name` or `data.type.name`, else undefined. */
function blockAddress(node: Node, scope: Scope): string | undefined {
  if (node.kind !== 'getattr') return undefined;
  const inner = node.object;
  if (inner.kind === 'variable') {
    if (RESERVED_ROOTS.has(inner.name) || scope.isBound(inner.name)) return undefined;
    return `${inner.name}.${node.name}`;
  }
  if (
    inner.kind === 'getattr' &&
    inner.object.kind === 'variable' &&
    inner.object.name === 'data'
  ) {
    if (scope.isBound('data')) return undefined;
    return `data.${inner.name}.${node.name}`;
  }
  return undefined;
}

function evalGetAttr(node: Extract<Node, { kind: 'getattr' }>, scope: Scope): Value {
  const address = blockAddress(node, scope);
  if (address) {
    noteReference(scope.env.qualify(address));
    return scope.env.block(address);
  }
  const object =
    node.object.kind === 'variable' && node.object.name === 'data' && !scope.isBound('data')
      ? new Namespace('data', () => unknown('data source'))
      : evalNode(node.object, scope);
  return getAttribute(object, node.name);
}

/**
 * The partition and its DNS suffix from `data "aws_partition"`: unknown, but kept as placeholder
 * text inside a template (see model/aws-partition.ts).
 */
function isPartitionAttribute(instance: string, name: string): boolean {
  return (
    /(^|\.)data\.aws_partition\./.test(instance) && (name === 'partition' || name === 'dns_suffix')
  );
}

export function getAttribute(object: Value, name: string): Value {
  if (isUnknown(object)) return object;
  if (object instanceof Namespace) return object.member(name);
  if (isObject(object)) {
    // An attribute of an instance refers to that instance however the instance was reached:
    // `each.value.id` under `for_each = aws_s3_bucket.b`, `v.arn` in a `for` over instances.
    const instance = resourceObjects.get(object);
    if (instance !== undefined) noteReference(instance);
    if (Object.hasOwn(object, name)) return object[name];
    if (instance !== undefined && isPartitionAttribute(instance, name)) {
      return partitionReference(`${instance}.${name}`);
    }
    if (instance !== undefined) return unknown(`attribute "${name}" is computed at apply`);
    throw new EvalError(`object has no attribute "${name}"`);
  }
  if (Array.isArray(object) && object.some((x) => resourceObjects.has(x as object))) {
    throw new EvalError(`attribute "${name}" read from a list of instances; use an index or [*]`);
  }
  throw new EvalError(`cannot read attribute "${name}" of ${typeName(object)}`);
}

function evalIndex(node: Extract<Node, { kind: 'index' }>, scope: Scope): Value {
  const address = blockAddress(node.object, scope);
  let collection: Value;
  if (address) {
    collection = scope.env.block(address);
    const key = evalNode(node.key, scope);
    const indexed =
      isUnknown(key) || isObject(key) ? address : `${address}[${JSON.stringify(key)}]`;
    noteReference(scope.env.qualify(indexed));
    return indexValue(collection, key);
  }
  collection = evalNode(node.object, scope);
  return indexValue(collection, evalNode(node.key, scope));
}

export function indexValue(collection: Value, key: Value): Value {
  if (isUnknown(collection)) return collection;
  if (isUnknown(key)) return key;
  if (collection instanceof Namespace) return collection.member(toStringValue(key));
  if (Array.isArray(collection)) {
    const i = toNumberValue(key);
    if (!Number.isInteger(i) || i < 0 || i >= collection.length) {
      throw new EvalError(`index ${i} out of range for list of ${collection.length}`);
    }
    return collection[i];
  }
  if (isObject(collection)) {
    const k = toStringValue(key);
    if (Object.hasOwn(collection, k)) return collection[k];
    throw new EvalError(`key "${k}" not found`);
  }
  throw new EvalError(`cannot index ${typeName(collection)}`);
}

function evalSplat(objectNode: Node, each: Node, scope: Scope): Value {
  const source = evalNode(objectNode, scope);
  if (isUnknown(source)) return source;
  let items: Value[];
  if (source === null) items = [];
  else if (Array.isArray(source)) items = source;
  else if (isObject(source) && !resourceObjects.has(source)) items = Object.values(source);
  else items = [source];
  return items.map((item) => evalNode(each, scope.with(new Map([['\0splat', item]]))));
}

/**
 * Functions that only carry a partition placeholder's text along (see model/aws-partition.ts);
 * any other function given one could answer differently for each partition, so gives unknown.
 */
const TEXT_CARRYING_FUNCTIONS = new Set([
  'jsonencode',
  'format',
  'join',
  'concat',
  'tolist',
  'toset',
  'tostring',
  'flatten',
  'distinct',
  'compact',
  'merge',
  'tomap',
  'coalesce',
]);

function evalCall(node: Extract<Node, { kind: 'call' }>, scope: Scope): Value {
  const name = node.name.replace(/^core::/, '');
  if (name === 'try') {
    for (const arg of node.args) {
      try {
        return evalNode(arg, scope);
      } catch (error) {
        if (!(error instanceof EvalError)) throw error;
      }
    }
    throw new EvalError('no argument of try() could be evaluated');
  }
  if (name === 'can') {
    try {
      const v = evalNode(node.args[0] ?? { kind: 'literal', value: null }, scope);
      return isUnknown(v) ? v : true;
    } catch (error) {
      if (error instanceof EvalError) return false;
      throw error;
    }
  }
  let args = node.args.map((a) => evalNode(a, scope));
  if (node.expandLast && args.length > 0) {
    const last = args[args.length - 1];
    if (isUnknown(last)) return last;
    if (!Array.isArray(last)) throw new EvalError('only a list can be expanded with "..."');
    args = [...args.slice(0, -1), ...last];
  }
  if (!TEXT_CARRYING_FUNCTIONS.has(name) && holdsPartitionPlaceholder(args)) {
    return unknown(`${name}() of a string holding the AWS partition`);
  }
  return callFunction(name, args, scope.env);
}

function evalObject(items: { key: Node; value: Node }[], scope: Scope): Value {
  const out: Record<string, Value> = {};
  for (const item of items) {
    const key = evalNode(item.key, scope);
    if (isUnknown(key)) return key;
    out[toStringValue(key)] = evalNode(item.value, scope);
  }
  return out;
}

function evalConditional(node: Extract<Node, { kind: 'conditional' }>, scope: Scope): Value {
  const condition = evalNode(node.condition, scope);
  if (isUnknown(condition)) {
    const a = evalNode(node.then, scope);
    const b = evalNode(node.else, scope);
    chargeSize([a, b], scope);
    return !containsUnknown(a) && valuesEqual(a, b) ? a : condition;
  }
  return toBoolValue(condition) ? evalNode(node.then, scope) : evalNode(node.else, scope);
}

function evalBinary(op: string, leftNode: Node, rightNode: Node, scope: Scope): Value {
  const left = evalNode(leftNode, scope);
  const right = evalNode(rightNode, scope);
  if (op === '&&' || op === '||') return logic(op, left, right);
  const unknownSide = firstUnknown([left, right]);
  if (unknownSide) return unknownSide;
  if (op === '==' || op === '!=') {
    chargeSize([left, right], scope);
    if (containsUnknown(left) || containsUnknown(right)) return unknown('comparison with unknown');
    if (holdsPartitionPlaceholder([left, right])) {
      return unknown('comparison with a string holding the AWS partition');
    }
    return valuesEqual(left, right) === (op === '==');
  }
  const a = toNumberValue(left);
  const b = toNumberValue(right);
  switch (op) {
    case '<':
      return a < b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '>=':
      return a >= b;
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      if (b === 0) throw new EvalError('division by zero');
      return a / b;
    case '%':
      if (b === 0) throw new EvalError('modulo by zero');
      return a % b;
  }
  throw new EvalError(`unknown operator ${op}`);
}

/** Spends budget in proportion to a value's size before walking it whole. */
function chargeSize(v: Value, scope: Scope): void {
  const size = measureValue(v, 200_000);
  scope.env.budget.steps -= size;
  if (size > 200_000 || scope.env.budget.steps < 0)
    throw new EvalLimitError('value too large to compare');
}

/** `false && x` is false and `true || x` is true even when `x` is unknown. */
function logic(op: '&&' | '||', left: Value, right: Value): Value {
  const decisive = op === '||';
  if (!isUnknown(left) && toBoolValue(left) === decisive) return decisive;
  if (!isUnknown(right) && toBoolValue(right) === decisive) return decisive;
  return firstUnknown([left, right]) ?? !decisive;
}

function evalUnary(op: '!' | '-', operand: Value): Value {
  if (isUnknown(operand)) return operand;
  return op === '!' ? !toBoolValue(operand) : -toNumberValue(operand);
}

/** Pairs of (key, value) a `for` iterates: list indices or sorted object keys. */
function iterate(collection: Value): [Value, Value][] | undefined {
  if (isUnknown(collection)) return undefined;
  let pairs: [Value, Value][];
  if (Array.isArray(collection)) pairs = collection.map((v, i) => [i, v]);
  else if (isObject(collection))
    pairs = Object.keys(collection)
      .sort()
      .map((k) => [k, collection[k]]);
  else throw new EvalError(`cannot iterate over ${typeName(collection)}`);
  if (pairs.length > MAX_COLLECTION) throw new EvalLimitError('collection too large to iterate');
  return pairs;
}

function evalFor(node: ForNode, scope: Scope): Value {
  const collection = evalNode(node.collection, scope);
  const pairs = iterate(collection);
  if (!pairs) return collection;
  const list: Value[] = [];
  const object: Record<string, Value> = {};
  for (const [key, value] of pairs) {
    const bindings = new Map<string, Value>([[node.valueVar, value]]);
    if (node.keyVar) bindings.set(node.keyVar, key);
    const inner = scope.with(bindings);
    if (node.condition) {
      const keep = evalNode(node.condition, inner);
      if (isUnknown(keep)) return keep;
      if (!toBoolValue(keep)) continue;
    }
    const item = evalNode(node.valueExpr, inner);
    if (!node.object || !node.keyExpr) {
      list.push(item);
      continue;
    }
    const k = evalNode(node.keyExpr, inner);
    if (isUnknown(k)) return k;
    const name = toStringValue(k);
    if (node.grouped) {
      const group = (object[name] ?? []) as Value[];
      group.push(item);
      object[name] = group;
    } else {
      if (Object.hasOwn(object, name)) throw new EvalError(`duplicate key "${name}" in for`);
      object[name] = item;
    }
  }
  return node.object ? object : list;
}

function evalTemplate(parts: TemplatePart[], scope: Scope): Value {
  let out = '';
  for (const part of parts) {
    const piece = evalTemplatePart(part, scope);
    if (typeof piece !== 'string') return piece;
    out += piece;
    if (out.length > scope.env.maxStringLength) throw new EvalLimitError('string too long');
  }
  return out;
}

function evalTemplatePart(part: TemplatePart, scope: Scope): Value {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'interp': {
      const v = evalNode(part.expr, scope);
      const placeholder = placeholderOf(v);
      if (placeholder !== undefined) return placeholder;
      if (isUnknown(v)) return v;
      if (v instanceof Namespace) return unknown(`${v.label} used as a value`);
      if (v === null) throw new EvalError('null value in string template');
      return toStringValue(v);
    }
    case 'if': {
      const c = evalNode(part.condition, scope);
      if (isUnknown(c)) return c;
      return evalTemplate(toBoolValue(c) ? part.then : part.else, scope);
    }
    case 'for': {
      const collection = evalNode(part.collection, scope);
      const pairs = iterate(collection);
      if (!pairs) return collection;
      let out = '';
      for (const [key, value] of pairs) {
        const bindings = new Map<string, Value>([[part.valueVar, value]]);
        if (part.keyVar) bindings.set(part.keyVar, key);
        const piece = evalTemplate(part.body, scope.with(bindings));
        if (typeof piece !== 'string') return piece;
        out += piece;
        if (out.length > scope.env.maxStringLength) throw new EvalLimitError('string too long');
      }
      return out;
    }
  }
}

export { elements };
