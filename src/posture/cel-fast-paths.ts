/**
 * Faster paths through the commonest shapes in our rules, installed on a checked cel-js tree:
 *
 * - `x.?a.?b.orValue(d)`: cel-js wraps every step's value in an `Optional` and dispatches each
 *   node; here the chain walks the fields itself, allocating nothing;
 * - `x == "text"`, `x != true` and `x in ["a", "b"]` when `x` has the literal's type: plain
 *   comparison, without looking the operator's overload up by the operands' runtime types (and
 *   without building the literal list again for every resource);
 * - `!x` when `x` is a bool.
 *
 * Each does exactly what cel-js does for those operands (the same field reads and type lookups,
 * the same absorbed errors, the same result); any other operand goes to the interpreter's own
 * handling, so every verdict and error is the interpreter's.
 */

import { EvaluationError, Optional } from '@marcbachmann/cel-js';

type Evaluate = (ev: CelEvaluator, node: CelNode, ctx: unknown) => unknown;

/** The parts of a checked cel-js tree node this module uses. */
interface CelNode {
  op: string;
  args: unknown;
  maybeAsync: boolean;
  meta: { alternate?: unknown; macro?: OrValueMacro };
  evaluate: Evaluate;
  /** Set by the type check on operator nodes: the operator's handling of evaluated operands. */
  handle?: (...args: unknown[]) => unknown;
  left?: CelNode;
}

/** The macro cel-js keeps on an `orValue` call node. */
interface OrValueMacro {
  functionDesc: string;
  receiver: CelNode;
  arg: CelNode;
}

/** A cel-js type: `fieldLazy` reads a field (undefined when absent; may throw). */
interface CelType {
  fieldLazy(value: unknown, key: string, node: CelNode, ev: CelEvaluator): unknown;
}

/** The parts of the cel-js evaluator this module uses. */
interface CelEvaluator {
  debugType(value: unknown): CelType;
}

function isNode(value: unknown): value is CelNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/** Installs the fast paths on every node of a type-checked tree that has one of the shapes. */
export function speedUpCheckedTree(tree: unknown): void {
  const seen = new Set<CelNode>();
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      for (const child of node) visit(child);
      return;
    }
    if (!isNode(node) || seen.has(node)) return;
    seen.add(node);
    const fast = fastEvaluation(node);
    if (fast) node.evaluate = fast;
    const args = node.args;
    if (node.op === 'comprehension' && typeof args === 'object' && args !== null) {
      const parts = args as { iterable?: unknown; init?: unknown; step?: unknown };
      visit(parts.iterable);
      visit(parts.init);
      visit(parts.step);
    } else {
      visit(args);
    }
    // Macros keep their expansion (comprehensions) or their operands beside the call's args.
    visit(node.meta.alternate);
    const macro = node.meta.macro as { receiver?: unknown; arg?: unknown } | undefined;
    if (macro) {
      visit(macro.receiver);
      visit(macro.arg);
    }
  };
  visit(tree);
}

/** The fast evaluation of a node, when it has a shape this module handles. */
function fastEvaluation(node: CelNode): Evaluate | undefined {
  if (node.meta.alternate) return undefined;
  if (node.op === 'rcall') {
    if (node.maybeAsync) return undefined;
    const chain = orValueChain(node);
    return chain && chainEvaluation(chain);
  }
  // The operators below hand any other operand (a pending one included) to cel-js's handling.
  if (node.op === '==' || node.op === '!=' || node.op === 'in') return stringComparison(node);
  if (node.op === '!_') return boolNegation(node);
  return undefined;
}

/** `orValue` as cel-js registers it for optionals (its macro's description). */
const OR_VALUE = 'optional.orValue(value)';

/** A chain: the node it starts from, the field names and their `.?` nodes, and the default. */
interface Chain {
  base: CelNode;
  keys: string[];
  steps: CelNode[];
  fallback: CelNode;
}

/** The chain an `orValue` node reads, if it is one this module handles (else undefined). */
function orValueChain(node: CelNode): Chain | undefined {
  const macro = node.meta.macro;
  if (!macro || macro.functionDesc !== OR_VALUE) return undefined;
  if (!isNode(macro.arg) || macro.arg.maybeAsync) return undefined;
  const keys: string[] = [];
  const steps: CelNode[] = [];
  let at: CelNode = macro.receiver;
  while (isNode(at) && at.op === '.?') {
    const [target, key] = at.args as [unknown, unknown];
    if (typeof key !== 'string' || !isNode(target) || at.meta.alternate || at.meta.macro) {
      return undefined;
    }
    keys.unshift(key);
    steps.unshift(at);
    at = target;
  }
  if (steps.length === 0 || !isNode(at) || at.maybeAsync) return undefined;
  return { base: at, keys, steps, fallback: macro.arg };
}

/**
 * The evaluation of one chain, step for step what cel-js's optional field access does: unwrap
 * an optional, stop at an absent value, look the value's type up, read the field, and take a
 * failed read (an `EvaluationError`) as absent; then the value, or the default when absent.
 */
function chainEvaluation(chain: Chain): Evaluate {
  const { base, keys, steps, fallback } = chain;
  const count = keys.length;
  return (ev, _node, ctx) => {
    let value = base.evaluate(ev, base, ctx);
    if (value instanceof Optional) value = value.orValue(undefined);
    for (let i = 0; i < count && value !== undefined; i++) {
      // A plain object is a CEL map of dyn values: its own field, absent when undefined, and
      // any JSON value is a dyn. Anything else takes cel-js's own lookup.
      if (isPlainObject(value)) {
        const field = hasOwn(value, keys[i])
          ? (value as Record<string, unknown>)[keys[i]]
          : undefined;
        if (field === undefined || isJsonValue(field)) {
          value = field;
          continue;
        }
      }
      const type = ev.debugType(value);
      try {
        value = type.fieldLazy(value, keys[i], steps[i], ev);
      } catch (error) {
        if (!(error instanceof EvaluationError)) throw error;
        value = undefined;
      }
    }
    return value === undefined ? fallback.evaluate(ev, fallback, ctx) : value;
  };
}

const hasOwn = Object.hasOwn;

/**
 * The constructor a value's type is read from: its prototype's, never a `constructor` field of
 * its own (`{"constructor": {}}` in a manifest is data, and must not make the object unreadable:
 * cel-js is patched to read types the same way, see patches/).
 */
function constructorOf(value: object): unknown {
  const proto = Object.getPrototypeOf(value) as { constructor?: unknown } | null;
  return proto === null ? undefined : proto.constructor;
}

/**
 * True for what cel-js types as a map by its constructor (an object literal or JSON object,
 * or one without a prototype), Maps excepted: their fields are read with `get`.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const constructor = constructorOf(value);
  return constructor === Object || constructor === undefined;
}

/** True for the values cel-js's dyn type accepts without looking further: JSON's own kinds. */
export function isJsonValue(value: unknown): boolean {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
    case 'bigint':
      return true;
    case 'object': {
      if (value === null) return true;
      const constructor = constructorOf(value);
      return constructor === Object || constructor === Array || constructor === undefined;
    }
    default:
      return false;
  }
}

/** The string or bool a node always evaluates to, when it is a plain literal of either. */
function literal(node: unknown): string | boolean | undefined {
  if (!isNode(node) || node.op !== 'value' || node.meta.alternate) return undefined;
  return typeof node.args === 'string' || typeof node.args === 'boolean' ? node.args : undefined;
}

/**
 * `x == "s"`, `x != true`, `x in ["s", ...]`: for an `x` of the literal's type (string or bool),
 * cel-js picks that type's overload, which compares with `===` (list membership compares each
 * element so). The literal right side evaluates to the same values every time and cannot fail,
 * so it is not rebuilt.
 */
function stringComparison(node: CelNode): Evaluate | undefined {
  const [left, right] = node.args as [unknown, unknown];
  if (!isNode(left) || !isNode(right) || typeof node.handle !== 'function') return undefined;
  if (node.op === 'in') {
    if (right.op !== 'list' || right.meta.alternate || !Array.isArray(right.args)) return undefined;
    const items = right.args.map(literal);
    if (items.length === 0 || items.some((s) => typeof s !== 'string')) return undefined;
    const set = new Set(items as string[]);
    return (ev, n, ctx) => {
      const value = left.evaluate(ev, left, ctx);
      if (typeof value === 'string') return set.has(value);
      return n.handle!(value, right.evaluate(ev, right, ctx), n, ev);
    };
  }
  const constant = literal(right);
  if (constant === undefined) return undefined;
  const type = typeof constant;
  const equal = node.op === '==';
  return (ev, n, ctx) => {
    const value = left.evaluate(ev, left, ctx);
    if (typeof value === type) return equal ? value === constant : value !== constant;
    return n.handle!(value, constant, n, ev);
  };
}

/** `!x`: for a bool `x`, cel-js's only `!` overload negates it. */
function boolNegation(node: CelNode): Evaluate | undefined {
  const operand = node.args;
  if (!isNode(operand) || typeof node.handle !== 'function') return undefined;
  return (ev, n, ctx) => {
    const value = operand.evaluate(ev, operand, ctx);
    if (typeof value === 'boolean') return !value;
    return n.handle!(value, n, ev);
  };
}
