/**
 * Evaluates template values and `[...]` expressions against one template's parameters,
 * variables and user-defined functions. Values only Azure knows become unknown markers.
 */

import { isUnknown, unknownValue } from '../../model/resource.js';
import { SourceReadError } from '../../model/source-error.js';
import { MAX_JSON_DEPTH } from '../json-syntax-error.js';
import {
  ArmEvalError,
  describeType,
  expectInteger,
  expectString,
  isPlainObject,
  lookupKey,
  setKey,
  toArmString,
  type JsonObject,
} from './arm-values.js';
import { callDeploymentFunction, placeholder } from './deployment-functions.js';
import {
  classifyString,
  ExpressionSyntaxError,
  parseExpression,
  type ExprNode,
} from './expression-parser.js';
import { PURE_FUNCTIONS } from './template-functions.js';

/**
 * How a value is being evaluated. `symbolic` is used for names and ids: unknowns become
 * `{placeholder}` text so that `format('{0}/{1}', ...)` still yields a usable name.
 */
export interface EvalContext {
  mode: 'value' | 'symbolic';
  /** Active copy loops, innermost last. */
  loops: readonly { name: string; index: number }[];
  /** Name of the resource copy loop, which `copyIndex()` without a name refers to. */
  resourceLoop?: string;
  /** Collects targets of `reference()` and `list*()` calls. */
  references?: Set<string>;
  /** Arguments of the user-defined function being evaluated. */
  functionArgs?: Map<string, unknown>;
  /** Variables bound by the `lambda()` being evaluated. */
  lambdaVariables?: Map<string, unknown>;
}

/** Shared limits of one file's evaluation; exceeding them fails the file, never hangs it. */
export class EvaluationBudget {
  #spent = 0;
  readonly file: string;
  readonly limit: number;

  constructor(file: string, limit = 3_000_000) {
    this.file = file;
    this.limit = limit;
  }

  spend(units = 1): void {
    this.#spent += units;
    if (this.#spent > this.limit) {
      throw new SourceReadError({
        file: this.file,
        code: 'TOO_LARGE',
        message: 'template needs too much evaluation (copy loops or expressions too large)',
      });
    }
  }
}

/** Largest copy count ARM accepts. */
export const MAX_COPY_COUNT = 800;
/** As deep as the template text may nest: only a value an expression builds can pass it. */
const MAX_VALUE_DEPTH = MAX_JSON_DEPTH;
const MAX_CALL_DEPTH = 128;
const MAX_STRING = 1_000_000;
const MAX_ARRAY = 100_000;

interface UserFunction {
  parameters: string[];
  output: unknown;
}

/** The parameters, variables and functions of one template, and how to evaluate against them. */
export class TemplateScope {
  readonly file: string;
  readonly budget: EvaluationBudget;
  readonly warnings: Set<string>;
  #parameters: JsonObject;
  #parameterValues: JsonObject;
  #variables: JsonObject;
  #functions = new Map<string, UserFunction>();
  #cache = { value: new Map<string, unknown>(), symbolic: new Map<string, unknown>() };
  #resolving = new Set<string>();
  #parsed = new Map<string, ExprNode | Error>();
  #depth = 0;

  constructor(props: {
    file: string;
    template: JsonObject;
    parameterValues?: JsonObject;
    budget: EvaluationBudget;
    warnings: Set<string>;
  }) {
    this.file = props.file;
    this.budget = props.budget;
    this.warnings = props.warnings;
    this.#parameters = objectOrEmpty(lookupKey(props.template, 'parameters').value);
    this.#parameterValues = props.parameterValues ?? {};
    this.#variables = objectOrEmpty(lookupKey(props.template, 'variables').value);
    this.#readFunctions(lookupKey(props.template, 'functions').value);
  }

  /**
   * Evaluates a template value: expressions in strings, property `copy` loops in objects,
   * recursively.
   */
  evaluate(value: unknown, ctx: EvalContext, depth = 0): unknown {
    this.budget.spend();
    if (depth > MAX_VALUE_DEPTH) {
      throw new SourceReadError({
        file: this.file,
        code: 'INVALID_STRUCTURE',
        message: `template value nests more than ${MAX_VALUE_DEPTH} levels deep, past the ${MAX_VALUE_DEPTH} levels Palisade reads`,
      });
    }
    if (typeof value === 'string') return this.evaluateString(value, ctx);
    if (Array.isArray(value)) return value.map((item) => this.evaluate(item, ctx, depth + 1));
    if (!isPlainObject(value)) return value;
    return this.#evaluateObject(value, ctx, depth);
  }

  /** Evaluates one JSON string: an expression, an escaped `[[` literal or plain text. */
  evaluateString(text: string, ctx: EvalContext, label?: string): unknown {
    const classified = classifyString(text);
    if (classified.kind === 'text') return classified.value;
    try {
      return this.#evaluateNode(this.#parse(classified.body), ctx);
    } catch (error) {
      if (!(error instanceof ArmEvalError || error instanceof ExpressionSyntaxError)) throw error;
      if (ctx.mode === 'symbolic') return `{${label ?? classified.body}}`;
      this.warnings.add(`${this.file}: cannot evaluate '${truncate(text)}': ${error.message}`);
      return unknownValue(`${truncate(classified.body)} could not be evaluated: ${error.message}`);
    }
  }

  /** Makes an unknown marker, or its placeholder text while names are built. */
  unknown(reason: string, ctx: EvalContext): unknown {
    return ctx.mode === 'symbolic' ? placeholder(reason) : unknownValue(reason);
  }

  /** Whether the template declares a parameter (case-insensitively). */
  hasParameter(name: string): boolean {
    return lookupKey(this.#parameters, name).found;
  }

  #evaluateObject(object: JsonObject, ctx: EvalContext, depth: number): JsonObject {
    const out: JsonObject = {};
    for (const [rawKey, rawValue] of Object.entries(object)) {
      if (rawKey.toLowerCase() === 'copy' && isPropertyCopy(rawValue)) {
        for (const loop of rawValue) this.#expandPropertyCopy(out, loop, ctx, depth);
        continue;
      }
      const key = this.#evaluateKey(rawKey, ctx);
      setKey(out, key, this.evaluate(rawValue, ctx, depth + 1));
    }
    return out;
  }

  #evaluateKey(key: string, ctx: EvalContext): string {
    const classified = classifyString(key);
    if (classified.kind === 'text') return classified.value;
    const value = this.evaluateString(key, { ...ctx, mode: 'symbolic' });
    return typeof value === 'string' ? value : key;
  }

  #expandPropertyCopy(out: JsonObject, loop: JsonObject, ctx: EvalContext, depth: number): void {
    const name = this.evaluate(lookupKey(loop, 'name').value, ctx, depth + 1);
    if (typeof name !== 'string') return;
    const count = this.copyCount(lookupKey(loop, 'count').value, ctx);
    const input = lookupKey(loop, 'input').value;
    const items: unknown[] = [];
    for (let index = 0; index < count; index++) {
      const inner = { ...ctx, loops: [...ctx.loops, { name, index }] };
      items.push(this.evaluate(input, inner, depth + 1));
    }
    setKey(out, name, items);
  }

  /** Evaluates a copy `count`, capped at ARM's 800; an unknown count reads one instance. */
  copyCount(raw: unknown, ctx: EvalContext): number {
    const value = this.evaluate(raw, ctx);
    if (isUnknown(value)) {
      this.warnings.add(`${this.file}: copy count is unknown before deployment; one copy read`);
      return 1;
    }
    const count = typeof value === 'string' ? Number(value) : value;
    if (typeof count !== 'number' || !Number.isFinite(count) || count < 0) {
      // As JSON: an object's own toString may not be a function.
      this.warnings.add(
        `${this.file}: copy count ${toArmString(value)} is not a number; none read`,
      );
      return 0;
    }
    if (count > MAX_COPY_COUNT) {
      this.warnings.add(
        `${this.file}: copy count ${count} exceeds ARM's ${MAX_COPY_COUNT}; capped`,
      );
      return MAX_COPY_COUNT;
    }
    return Math.trunc(count);
  }

  #parse(body: string): ExprNode {
    let parsed = this.#parsed.get(body);
    if (!parsed) {
      try {
        parsed = parseExpression(body);
      } catch (error) {
        if (!(error instanceof ExpressionSyntaxError)) throw error;
        parsed = error;
      }
      this.#parsed.set(body, parsed);
    }
    if (parsed instanceof Error) throw parsed;
    return parsed;
  }

  #evaluateNode(node: ExprNode, ctx: EvalContext): unknown {
    this.budget.spend();
    switch (node.kind) {
      case 'string':
      case 'number':
      case 'literal':
        return node.value;
      case 'property':
        return this.#member(this.#evaluateNode(node.target, ctx), node.name);
      case 'index':
        return this.#index(
          this.#evaluateNode(node.target, ctx),
          this.#evaluateNode(node.index, ctx),
        );
      case 'call':
        return this.#call(node, ctx);
    }
  }

  #member(target: unknown, name: string): unknown {
    if (isUnknown(target)) return target;
    if (!isPlainObject(target)) {
      throw new ArmEvalError(`cannot read property '${name}' of ${describeType(target)}`);
    }
    const found = lookupKey(target, name);
    if (!found.found) throw new ArmEvalError(`property '${name}' does not exist`);
    return found.value;
  }

  #index(target: unknown, index: unknown): unknown {
    if (isUnknown(target)) return target;
    if (isUnknown(index)) return index;
    if (Array.isArray(target)) {
      const position = expectInteger(index, 'index');
      if (position < 0 || position >= target.length) {
        throw new ArmEvalError(`index ${position} is outside an array of ${target.length}`);
      }
      return target[position];
    }
    return this.#member(target, expectString(index, 'index'));
  }

  #call(node: Extract<ExprNode, { kind: 'call' }>, ctx: EvalContext): unknown {
    const name = node.name.toLowerCase();
    if (name === 'if') return this.#conditional(node.args, ctx);
    if (LAMBDA_FUNCTIONS.has(name)) return checkSize(this.#lambdaCall(name, node.args, ctx));

    this.#depth++;
    try {
      if (this.#depth > MAX_CALL_DEPTH) throw new ArmEvalError('expressions refer too deeply');
      const args = node.args.map((arg) => this.#evaluateNode(arg, ctx));
      const result = checkSize(this.#apply(name, node.name, args, ctx));
      if (typeof result === 'string' || Array.isArray(result)) {
        this.budget.spend(Math.ceil(result.length / 16));
      }
      return result;
    } finally {
      this.#depth--;
    }
  }

  /** `filter`, `map`, `reduce`, `sort` and `toObject` with their `lambda(...)` arguments. */
  #lambdaCall(name: string, argNodes: ExprNode[], ctx: EvalContext): unknown {
    const lambdas = argNodes.slice(1).filter(isLambda);
    const values = argNodes
      .filter((arg) => !isLambda(arg))
      .map((arg) => this.#evaluateNode(arg, ctx));
    const list = values[0];
    if (isUnknown(list)) return list;
    if (!Array.isArray(list)) throw new ArmEvalError(`${name}() expects an array`);
    if (lambdas.length === 0) throw new ArmEvalError(`${name}() needs a lambda`);

    const apply = (lambda: LambdaNode, ...args: unknown[]) => this.#applyLambda(lambda, args, ctx);
    const [first, second] = lambdas;
    switch (name) {
      case 'filter':
        return list.filter((item, i) => apply(first, item, i) === true);
      case 'map':
        return list.map((item, i) => apply(first, item, i));
      case 'reduce':
        return list.reduce((acc: unknown, item, i) => apply(first, acc, item, i), values[1]);
      case 'sort':
        return [...list].sort((a, b) => (apply(first, a, b) === true ? -1 : 1));
      default: {
        const out: JsonObject = {};
        for (const item of list) {
          const key = apply(first, item);
          if (typeof key !== 'string') throw new ArmEvalError('toObject() keys must be strings');
          setKey(out, key, second ? apply(second, item) : item);
        }
        return out;
      }
    }
  }

  #applyLambda(lambda: LambdaNode, args: unknown[], ctx: EvalContext): unknown {
    this.budget.spend();
    const names = lambda.args.slice(0, -1);
    const variables = new Map(ctx.lambdaVariables);
    names.forEach((nameNode, i) => {
      if (nameNode.kind !== 'string') throw new ArmEvalError('lambda() names must be strings');
      variables.set(nameNode.value.toLowerCase(), args[i]);
    });
    return this.#evaluateNode(lambda.args[lambda.args.length - 1], {
      ...ctx,
      lambdaVariables: variables,
    });
  }

  #conditional(argNodes: ExprNode[], ctx: EvalContext): unknown {
    if (argNodes.length !== 3) throw new ArmEvalError('if() takes 3 arguments');
    const condition = this.#evaluateNode(argNodes[0], ctx);
    if (isUnknown(condition)) return condition;
    if (typeof condition !== 'boolean') throw new ArmEvalError('if() needs a boolean condition');
    return this.#evaluateNode(argNodes[condition ? 1 : 2], ctx);
  }

  #apply(name: string, written: string, args: unknown[], ctx: EvalContext): unknown {
    switch (name) {
      case 'parameters':
        return this.#parameter(expectString(args[0], 'parameters'), ctx);
      case 'variables':
        return this.#variable(expectString(args[0], 'variables'), ctx);
      case 'copyindex':
        return this.#copyIndex(args, ctx);
      case 'coalesce':
        return coalesce(args);
      case 'lambdavariables': {
        const key = expectString(args[0], 'lambdaVariables').toLowerCase();
        if (!ctx.lambdaVariables?.has(key)) throw new ArmEvalError(`no lambda variable '${key}'`);
        return ctx.lambdaVariables.get(key);
      }
      case 'createarray':
      case 'createobject':
        return PURE_FUNCTIONS.get(name)?.(args);
    }

    const deployment = callDeploymentFunction(name, args, {
      unknown: (reason) => this.unknown(reason, ctx),
      reference: (target) => ctx.references?.add(target),
    });
    if (deployment) return deployment.value;

    const user = this.#functions.get(name);
    if (user) return this.#callUserFunction(user, args, ctx);

    const pure = PURE_FUNCTIONS.get(name);
    if (!pure) {
      if (ctx.mode === 'value') {
        this.warnings.add(`${this.file}: template function '${written}' is not supported`);
      }
      return this.unknown(`${written}() is not supported by the reader`, ctx);
    }
    const unknownArg = args.find(isUnknown);
    return unknownArg ?? pure(args);
  }

  #parameter(name: string, ctx: EvalContext): unknown {
    if (ctx.functionArgs) {
      const key = name.toLowerCase();
      if (!ctx.functionArgs.has(key)) throw new ArmEvalError(`function has no parameter '${name}'`);
      return ctx.functionArgs.get(key);
    }
    const declared = lookupKey(this.#parameters, name);
    if (!declared.found) throw new ArmEvalError(`parameter '${name}' is not declared`);

    const supplied = lookupKey(this.#parameterValues, name);
    if (supplied.found) return supplied.value;
    const declaration = isPlainObject(declared.value) ? declared.value : {};
    const fallback = lookupKey(declaration, 'defaultValue');
    if (!fallback.found) return this.unknown(`parameters('${name}')`, ctx);
    return this.#resolveOnce(`parameter:${name.toLowerCase()}`, fallback.value, ctx);
  }

  #variable(name: string, ctx: EvalContext): unknown {
    const declared = lookupKey(this.#variables, name);
    if (declared.found)
      return this.#resolveOnce(`variable:${name.toLowerCase()}`, declared.value, ctx);

    const loops = lookupKey(this.#variables, 'copy').value;
    const loop = Array.isArray(loops)
      ? loops.find((item) => isPlainObject(item) && lookupKey(item, 'name').value === name)
      : undefined;
    if (!isPlainObject(loop)) throw new ArmEvalError(`variable '${name}' is not declared`);
    const asProperty = { copy: [loop] };
    return this.#resolveOnce(`variable:${name.toLowerCase()}`, asProperty, ctx, name);
  }

  /**
   * Evaluates a parameter default or variable once per mode, refusing circular references.
   * Known gap: `reference()` targets inside a variable are credited only to the first resource
   * that reads the variable, as the value is cached.
   */
  #resolveOnce(key: string, raw: unknown, ctx: EvalContext, pick?: string): unknown {
    const cache = this.#cache[ctx.mode];
    if (cache.has(key)) return cache.get(key);
    if (this.#resolving.has(key)) throw new ArmEvalError(`${key} refers to itself`);

    this.#resolving.add(key);
    this.#depth++;
    try {
      if (this.#depth > MAX_CALL_DEPTH) throw new ArmEvalError('variables refer too deeply');
      const base: EvalContext = { mode: ctx.mode, loops: [], references: ctx.references };
      const label = key.slice(key.indexOf(':') + 1);
      const evaluated =
        typeof raw === 'string' ? this.evaluateString(raw, base, label) : this.evaluate(raw, base);
      const value = pick && isPlainObject(evaluated) ? evaluated[pick] : evaluated;
      cache.set(key, value);
      return value;
    } finally {
      this.#resolving.delete(key);
      this.#depth--;
    }
  }

  #copyIndex(args: unknown[], ctx: EvalContext): number {
    let loopName = ctx.resourceLoop;
    let offset = 0;
    for (const arg of args) {
      if (typeof arg === 'string') loopName = arg;
      else offset = expectInteger(arg, 'copyIndex');
    }
    const loops = [...ctx.loops].reverse();
    const wanted = loopName?.toLowerCase();
    const loop =
      wanted === undefined ? loops[0] : loops.find((item) => item.name.toLowerCase() === wanted);
    if (!loop) throw new ArmEvalError('copyIndex() is used outside a copy loop');
    return loop.index + offset;
  }

  #callUserFunction(fn: UserFunction, args: unknown[], ctx: EvalContext): unknown {
    const functionArgs = new Map<string, unknown>();
    fn.parameters.forEach((name, i) => functionArgs.set(name.toLowerCase(), args[i]));
    return this.evaluate(fn.output, { mode: ctx.mode, loops: [], functionArgs });
  }

  #readFunctions(raw: unknown): void {
    if (!Array.isArray(raw)) return;
    for (const group of raw) {
      if (!isPlainObject(group)) continue;
      const namespace = lookupKey(group, 'namespace').value;
      const members = lookupKey(group, 'members').value;
      if (typeof namespace !== 'string' || !isPlainObject(members)) continue;
      for (const [member, definition] of Object.entries(members)) {
        if (!isPlainObject(definition)) continue;
        const parameters = lookupKey(definition, 'parameters').value;
        const output = lookupKey(definition, 'output').value;
        this.#functions.set(`${namespace}.${member}`.toLowerCase(), {
          parameters: Array.isArray(parameters)
            ? parameters.map((p) =>
                isPlainObject(p) ? parameterName(lookupKey(p, 'name').value) : '',
              )
            : [],
          output: isPlainObject(output) ? lookupKey(output, 'value').value : null,
        });
      }
    }
  }
}

const LAMBDA_FUNCTIONS = new Set(['filter', 'map', 'reduce', 'sort', 'toobject']);

type LambdaNode = Extract<ExprNode, { kind: 'call' }>;

/** A user function's parameter name; one that is not text names no parameter. */
function parameterName(name: unknown): string {
  return typeof name === 'string' ? name : '';
}

function isLambda(node: ExprNode): node is LambdaNode {
  return node.kind === 'call' && node.name.toLowerCase() === 'lambda' && node.args.length >= 2;
}

function coalesce(args: unknown[]): unknown {
  for (const arg of args) {
    if (isUnknown(arg)) return arg;
    if (arg !== null && arg !== undefined) return arg;
  }
  return null;
}

function isPropertyCopy(value: unknown): value is JsonObject[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every(
      (item) =>
        isPlainObject(item) &&
        lookupKey(item, 'name').found &&
        lookupKey(item, 'input').found &&
        lookupKey(item, 'count').found,
    )
  );
}

function checkSize(value: unknown): unknown {
  if (typeof value === 'string' && value.length > MAX_STRING) {
    throw new ArmEvalError('string result is larger than 1 MB');
  }
  if (Array.isArray(value) && value.length > MAX_ARRAY) {
    throw new ArmEvalError(`array result has more than ${MAX_ARRAY} items`);
  }
  return value;
}

function objectOrEmpty(value: unknown): JsonObject {
  return isPlainObject(value) ? value : {};
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
