/**
 * Compiles a Sigma detection rule once into a closure over events: selections (maps AND-ed,
 * lists OR-ed, keyword lists searching every value) joined by the parsed condition.
 */

import type { LogEvent } from '../../model/event.js';
import {
  conditionExcerpt,
  parseCondition,
  resolveOfTarget,
  type ConditionNode,
} from './condition-parser.js';
import { keywordStrings } from './keyword-strings.js';
import {
  compileItem,
  KEYWORD_SEPARATOR,
  type EventView,
  type ItemContext,
  type ItemMatcher,
} from './field-matcher.js';
import { fieldMapperFor } from './field-mappings.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import type {
  CompiledSigmaRule,
  FieldMappingTable,
  RequiredValues,
  SigmaDetectionRule,
  SigmaOptions,
} from './types.js';

/** A compiled search identifier: its test and the literal requirements it implies. */
interface Selection {
  test(view: EventView): boolean;
  required: RequiredValues[];
}

type Test = (view: EventView) => boolean;

/** An event as compiled rules read it: keyword strings are collected once, on first use. */
class LazyEventView implements EventView {
  readonly fields: Record<string, unknown>;
  readonly #reader: string;
  #strings: string[] | undefined;
  #lower: string[] | undefined;
  #joined: string | undefined;

  constructor(fields: Record<string, unknown> | undefined, reader: string) {
    this.fields = fields ?? {};
    this.#reader = reader;
  }

  strings(): string[] {
    return (this.#strings ??= keywordStrings(this.#reader, this.fields));
  }

  lowerStrings(): string[] {
    return (this.#lower ??= this.strings().map((s) => s.toLowerCase()));
  }

  lowerText(): string {
    return (this.#joined ??= this.lowerStrings().join(KEYWORD_SEPARATOR));
  }
}

/** Builds the view a compiled rule reads an event through; share one per event across rules. */
export function eventView(event: LogEvent): EventView {
  return new LazyEventView(event.fields, event.source.reader);
}

/**
 * Compiles a detection rule; throws `SigmaRuleError` naming the field when the rule uses
 * something that cannot be supported.
 *
 * ```ts
 * const compiled = compileSigmaRule(rule, { placeholders: { Admins: ['root'] } });
 * compiled.matches(event);
 * ```
 */
export function compileSigmaRule(
  rule: SigmaDetectionRule,
  options: SigmaOptions = {},
  bundledMappings?: FieldMappingTable[],
): CompiledSigmaRule & { test(view: EventView): boolean } {
  // The loader test-compiles every rule and the engine compiles it again: the second time is
  // served from here when the options that shape the result are the same objects.
  const cached = bundledMappings ? undefined : COMPILED.get(rule);
  if (
    cached &&
    cached.placeholders === options.placeholders &&
    cached.fieldMappings === options.fieldMappings
  ) {
    return cached.compiled;
  }
  const compiled = compileFresh(rule, options, bundledMappings);
  if (!bundledMappings) {
    const { placeholders, fieldMappings } = options;
    COMPILED.set(rule, { placeholders, fieldMappings, compiled });
  }
  return compiled;
}

type Compiled = CompiledSigmaRule & { test(view: EventView): boolean };

/** Compiled rules by rule object, with the options they were compiled under. */
const COMPILED = new WeakMap<
  SigmaDetectionRule,
  { placeholders: unknown; fieldMappings: unknown; compiled: Compiled }
>();

function compileFresh(
  rule: SigmaDetectionRule,
  options: SigmaOptions,
  bundledMappings: FieldMappingTable[] | undefined,
): Compiled {
  const mapField = fieldMapperFor(rule.logsource, options.fieldMappings, bundledMappings);
  const placeholders = options.placeholders ?? {};
  const identifiers = Object.keys(rule.detection);
  const selections = new Map<string, Selection>();

  for (const name of identifiers) {
    const path = ['detection', name];
    selections.set(name, compileSelection(rule.detection[name], { mapField, placeholders, path }));
  }

  const trees = rule.conditions.map((text, i) => {
    const path =
      rule.conditions.length > 1 ? ['detection', 'condition', i] : ['detection', 'condition'];
    const tree = parseCondition(text, path);
    return { tree, path };
  });
  const compiled = trees.map(({ tree, path }) => compileNode(tree, selections, identifiers, path));
  const tests = compiled.map((c) => c.test);
  const test: Test = tests.length === 1 ? tests[0] : (view) => someTest(tests, view);
  const required =
    compiled.length === 1 ? compiled[0].required : orRequirements(compiled.map((c) => c.required));

  return { rule, test, matches: (event) => test(eventView(event)), required };
}

function compileSelection(value: unknown, ctx: ItemContext): Selection {
  if (Array.isArray(value)) return compileList(value, ctx);
  if (value !== null && typeof value === 'object')
    return compileMap(value as Record<string, unknown>, ctx);
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return compileKeywordList([value], ctx);
  }
  throw new SigmaRuleError('a search identifier must be a map, a list or a keyword', ctx.path);
}

function compileMap(map: Record<string, unknown>, ctx: ItemContext): Selection {
  const items: ItemMatcher[] = Object.entries(map).map(([key, value]) =>
    compileItem(key, value, { ...ctx, path: [...ctx.path, key] }),
  );
  const tests = items.map((i) => i.test);
  const required = items.flatMap((i) => (i.required ? [i.required] : []));
  if (tests.length === 0) return { test: () => true, required };
  if (tests.length === 1) return { test: tests[0], required };
  return { test: (view) => everyTest(tests, view), required };
}

function compileList(list: unknown[], ctx: ItemContext): Selection {
  const scalars = list.every((v) => v === null || typeof v !== 'object');
  if (scalars) return compileKeywordList(list, ctx);

  const alternatives = list.map((item, i) => {
    const path = [...ctx.path, i];
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw new SigmaRuleError('a list must hold only maps or only keywords', path);
    }
    return compileMap(item as Record<string, unknown>, { ...ctx, path });
  });
  const tests = alternatives.map((a) => a.test);
  return {
    test: (view) => someTest(tests, view),
    required: orRequirements(alternatives.map((a) => a.required)),
  };
}

function compileKeywordList(values: unknown[], ctx: ItemContext): Selection {
  const item = compileItem('', values, ctx);
  return { test: item.test, required: [] };
}

/** Requirements that hold for an OR: a field every branch requires, with the union of values. */
function orRequirements(branches: RequiredValues[][]): RequiredValues[] {
  if (branches.length === 0) return [];
  const [first, ...rest] = branches;
  const out: RequiredValues[] = [];
  for (const req of first) {
    const others = rest.map((b) => b.find((r) => r.field === req.field));
    if (others.some((o) => o === undefined)) continue;
    const values = new Set(req.values);
    const prefixes = new Set(req.prefixes);
    for (const o of others) {
      for (const v of o!.values) values.add(v);
      for (const p of o!.prefixes ?? []) prefixes.add(p);
    }
    out.push(
      prefixes.size > 0
        ? { field: req.field, values: [...values], prefixes: [...prefixes] }
        : { field: req.field, values: [...values] },
    );
  }
  return out;
}

interface CompiledNode {
  test: Test;
  required: RequiredValues[];
}

function compileNode(
  node: ConditionNode,
  selections: Map<string, Selection>,
  identifiers: string[],
  path: (string | number)[],
): CompiledNode {
  const recurse = (n: ConditionNode): CompiledNode => compileNode(n, selections, identifiers, path);

  switch (node.kind) {
    case 'ref': {
      const selection = selections.get(node.name);
      if (!selection)
        throw new SigmaRuleError(
          `condition names ${conditionExcerpt(node.name)}, which is not defined`,
          path,
        );
      return selection;
    }
    case 'not': {
      const inner = recurse(node.item).test;
      return { test: (view) => !inner(view), required: [] };
    }
    case 'and': {
      const parts = node.items.map(recurse);
      return { test: allOf(parts.map((p) => p.test)), required: parts.flatMap((p) => p.required) };
    }
    case 'or': {
      const parts = node.items.map(recurse);
      return {
        test: anyOf(parts.map((p) => p.test)),
        required: orRequirements(parts.map((p) => p.required)),
      };
    }
    case 'of': {
      const names = resolveOfTarget(node.target, identifiers);
      if (names.length === 0) {
        throw new SigmaRuleError(`"${node.target}" matches no search identifier`, path);
      }
      const parts = names.map((name) => selections.get(name)!);
      if (node.quantifier === 'all') {
        return {
          test: allOf(parts.map((p) => p.test)),
          required: parts.flatMap((p) => p.required),
        };
      }
      return {
        test: anyOf(parts.map((p) => p.test)),
        required: orRequirements(parts.map((p) => p.required)),
      };
    }
  }
}

function allOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (view) => a(view) && b(view);
  }
  return (view) => everyTest(tests, view);
}

function anyOf(tests: Test[]): Test {
  if (tests.length === 1) return tests[0];
  if (tests.length === 2) {
    const [a, b] = tests;
    return (view) => a(view) || b(view);
  }
  return (view) => someTest(tests, view);
}

/**
 * `tests.some((t) => t(view))` without a callback made for each event (rules are tested on
 * every event, and the callbacks were a tenth of what detection allocates).
 */
function someTest(tests: Test[], view: EventView): boolean {
  for (let i = 0; i < tests.length; i++) if (tests[i](view)) return true;
  return false;
}

/** `tests.every((t) => t(view))`, as `someTest`. */
function everyTest(tests: Test[], view: EventView): boolean {
  for (let i = 0; i < tests.length; i++) if (!tests[i](view)) return false;
  return true;
}
