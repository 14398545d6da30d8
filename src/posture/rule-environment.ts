/**
 * The CEL environment rule expressions are compiled in: variables `r`, `resource`, `related` and
 * `params` (a rule's parameter values), optional chaining, the helper functions, and `matches` rewritten to run on RE2.
 */

import { Environment, serialize } from '@marcbachmann/cel-js';
import { celFunctions } from './cel-functions.js';
import { compileProgram, MAX_COMPREHENSION_STEPS, worstCaseSteps } from './cel-compiler.js';
import { speedUpCheckedTree } from './cel-fast-paths.js';
import { compileSafeRegex } from './safe-regex.js';

/** A compiled expression: call it with the evaluation context. */
export type Program = (context: Record<string, unknown>) => unknown;

let shared: Environment | undefined;

function environment(): Environment {
  if (shared) return shared;
  const env = new Environment({
    enableOptionalTypes: true,
    homogeneousAggregateLiterals: false,
    limits: {
      maxAstNodes: 20_000,
      maxDepth: 100,
      maxListElements: 1_000,
      maxMapEntries: 1_000,
      maxCallArguments: 32,
    },
  })
    .registerVariable('r', 'dyn')
    .registerVariable('resource', 'dyn')
    .registerVariable('related', 'list')
    .registerVariable('params', 'map');
  for (const fn of celFunctions) {
    env.registerFunction(fn.signature, fn.impl, { description: fn.description });
  }
  assertTypesReadFromPrototypes(env);
  shared = env;
  return env;
}

/**
 * Refuses to judge anything with a cel-js that types a value by its `constructor` property:
 * there, a manifest holding `constructor: {}` beside `privileged: true` made the object an
 * unsupported type, the rule's optional reads absent, and the rule pass. Palisade's patch
 * (patches/, applied by `npm ci` through patch-package) reads the prototype instead; a checkout
 * installed without it must fail loudly, never judge open.
 */
function assertTypesReadFromPrototypes(env: Environment): void {
  const probe = { constructor: {}, spec: { constructor: 1, privileged: true } };
  let read: unknown;
  try {
    read = env.evaluate('r.?spec.?privileged.orValue(false) && r.spec.privileged', { r: probe });
  } catch {
    read = undefined;
  }
  if (read !== true) {
    throw new Error(
      "cel-js is installed without Palisade's patch (patches/@marcbachmann+cel-js+*.patch): " +
        'objects with a "constructor" key would be misjudged. Run `npm ci` (its postinstall ' +
        'applies the patch) or `npx patch-package`.',
    );
  }
}

interface AstNode {
  op: string;
  args: unknown;
}

function isNode(value: unknown): value is AstNode {
  return typeof value === 'object' && value !== null && 'op' in value && 'args' in value;
}

/**
 * Renames every `matches` call to `safeMatches` (RE2) and checks literal patterns up front, so
 * a bad or catastrophic pattern is a compile error, never a hang. Returns true if it changed.
 */
function rewriteRegexCalls(node: unknown): boolean {
  if (Array.isArray(node)) return node.map(rewriteRegexCalls).some(Boolean);
  if (!isNode(node)) return false;
  let changed = false;
  const args = node.args;
  if ((node.op === 'rcall' || node.op === 'call') && Array.isArray(args) && args[0] === 'matches') {
    args[0] = 'safeMatches';
    changed = true;
    const callArgs = (node.op === 'rcall' ? args[2] : args[1]) as unknown[];
    const pattern = callArgs[callArgs.length - 1];
    if (isNode(pattern) && pattern.op === 'value' && typeof pattern.args === 'string') {
      compileSafeRegex(pattern.args);
    }
  }
  return rewriteRegexCalls(args) || changed;
}

/** The cel-js program a compiled one falls back on. */
const INTERPRETED = Symbol('palisade.interpretedProgram');

/**
 * Compiles one expression; throws an Error with CEL's message (parse or type error). The
 * program is plain JavaScript where the expression's shape allows (see cel-compiler.ts), else
 * the cel-js interpreter with its fast paths. `fastPaths: false` leaves the tree to the cel-js
 * interpreter alone, and `compiled: false` keeps the interpreter with its fast paths (tests
 * compare the three).
 */
export function compileExpression(
  source: string,
  options: { fastPaths?: boolean; compiled?: boolean } = {},
): Program {
  const env = environment();
  let parsed = env.parse(source);
  if (rewriteRegexCalls(parsed.ast)) parsed = env.parse(serialize(parsed.ast as never));
  const checked = parsed.check();
  if (!checked.valid) throw new Error(checked.error?.message ?? 'expression does not type-check');
  const steps = worstCaseSteps(parsed.ast);
  if (steps > MAX_COMPREHENSION_STEPS) {
    throw new Error(
      `nested macros could take ${steps.toExponential(1)} steps per resource, over the limit of ${MAX_COMPREHENSION_STEPS.toLocaleString('en')}`,
    );
  }
  if (options.fastPaths === false) return parsed as unknown as Program;
  speedUpCheckedTree(parsed.ast);
  const interpreted = parsed as unknown as Program;
  const compiled = options.compiled === false ? undefined : compileProgram(parsed.ast, interpreted);
  if (!compiled) return interpreted;
  return Object.assign(compiled, { ast: parsed.ast, [INTERPRETED]: interpreted });
}

/** The cel-js program behind `program` (tests compare the two). */
export function interpretedProgram(program: Program): Program {
  return (program as { [INTERPRETED]?: Program })[INTERPRETED] ?? program;
}

/**
 * The top-level fields of `r` that the programs read, or undefined when one of them may read
 * more (uses `r` whole: indexes it, iterates it, passes it to a function, names a variable `r`).
 */
export function rootFieldsRead(programs: (Program | undefined)[]): ReadonlySet<string> | undefined {
  const fields = new Set<string>();
  for (const program of programs) {
    if (program && !collectRootFields((program as unknown as { ast: unknown }).ast, fields)) {
      return undefined;
    }
  }
  return fields;
}

/**
 * Operators that evaluate their left operand first and fail when it fails. Not `&&` and `||`:
 * they evaluate the right operand after a failing left one, and its value may decide the result
 * (`error || true` is true), so their first read does not decide the verdict.
 */
const LEFT_FIRST = new Set(['==', '!=', '<', '<=', '>', '>=', 'in', '+', '-', '*', '/', '%']);

/**
 * The top-level field of `r` that `program` reads before it reads anything else (`iamPolicy` in
 * `!r.?iamPolicy.?bindings.orValue([]).exists(...) && ...`), when its tree shows one for sure;
 * undefined when the first read depends on more than the tree's leftmost branch.
 */
export function firstRootRead(program: Program | undefined): string | undefined {
  return program ? firstRead((program as unknown as { ast: unknown }).ast) : undefined;
}

function firstRead(node: unknown): string | undefined {
  if (!isNode(node)) return undefined;
  const args = node.args;
  if (node.op === '.' || node.op === '.?') {
    if (!Array.isArray(args) || typeof args[1] !== 'string') return undefined;
    const target = args[0];
    if (isNode(target) && target.op === 'id') return target.args === 'r' ? args[1] : undefined;
    return firstRead(target);
  }
  // A method call (`x.orValue(d)`, `x.exists(v, p)`) evaluates its receiver first.
  if (node.op === 'rcall') return Array.isArray(args) ? firstRead(args[1]) : undefined;
  if (node.op === '!_' || node.op === '-_') return firstRead(args);
  if (LEFT_FIRST.has(node.op)) return Array.isArray(args) ? firstRead(args[0]) : undefined;
  return undefined;
}

/** Adds to `fields` each `r.x` / `r.?x` the tree reads; false when `r` appears otherwise. */
function collectRootFields(node: unknown, fields: Set<string>): boolean {
  if (Array.isArray(node)) return node.every((n) => collectRootFields(n, fields));
  if (!isNode(node)) return true;
  if (node.op === 'id') return node.args !== 'r';
  const args = node.args;
  if ((node.op === '.' || node.op === '.?') && Array.isArray(args) && typeof args[1] === 'string') {
    const target = args[0];
    if (isNode(target) && target.op === 'id' && target.args === 'r') {
      fields.add(args[1]);
      return true;
    }
  }
  return collectRootFields(args, fields);
}
