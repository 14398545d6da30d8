/**
 * Evaluates CloudFormation intrinsic functions statically: parameters with defaults, mappings,
 * conditions and string functions resolve; anything known only after deploy becomes a marker.
 */

import {
  holdsPartitionPlaceholder,
  partitionReference,
  placeholderOf,
} from '../../model/aws-partition.js';
import { isUnknown, unknownValue } from '../../model/resource.js';

/** Returned for `AWS::NoValue`: the enclosing property or list item is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/**
 * Pseudo parameters that differ only between partitions (`aws`, `aws-cn`, `aws-us-gov`): unknown,
 * but kept as their placeholder text inside a string built with `Fn::Sub` or `Fn::Join` (see
 * model/aws-partition.ts), so `arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess` can be
 * judged by a partition-agnostic comparison.
 */
const PARTITION_PSEUDO = new Set(['AWS::Partition', 'AWS::URLSuffix']);

/** Functions whose result would depend on the partition's own value, not just carry its text. */
const PARTITION_SENSITIVE = new Set(['Fn::Equals', 'Fn::Split']);

export interface EvaluatorInput {
  parameters: Record<string, unknown>;
  mappings: Record<string, unknown>;
  conditions: Record<string, unknown>;
  resourceIds: Set<string>;
}

type Tri = boolean | 'unknown';

/** A scalar as text; anything else as `?` (a parsed object's `toString` may not be a function). */
function scalarText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '?';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value is known when it holds no unknown marker anywhere. */
export function isFullyKnown(value: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (isUnknown(value)) return false;
  if (Array.isArray(value)) return value.every((v) => isFullyKnown(v, depth + 1));
  if (isRecord(value)) return Object.values(value).every((v) => isFullyKnown(v, depth + 1));
  return true;
}

function paramValue(def: unknown, name: string): unknown {
  if (!isRecord(def) || !('Default' in def))
    return unknownValue(`parameter ${name} has no default`);
  const value = def.Default;
  const type = typeof def.Type === 'string' ? def.Type : '';
  const isList = type === 'CommaDelimitedList' || type.startsWith('List<');
  if (isList && typeof value === 'string') return value.split(',').map((s) => s.trim());
  if (type.startsWith('AWS::SSM::Parameter::Value')) {
    return unknownValue(`parameter ${name} is read from SSM`);
  }
  return value;
}

/** `Fn::Join` arguments with each partition reference among the parts as its placeholder text. */
function withPlaceholders(args: unknown): unknown {
  if (!Array.isArray(args) || !Array.isArray(args[1])) return args;
  const parts = args[1].map((part: unknown) => placeholderOf(part) ?? part);
  return [args[0], parts, ...args.slice(2)];
}

/**
 * Static evaluator for one template. `evaluate` resolves a value; `references` collects the
 * logical ids each evaluation refers to.
 */
export class CfnEvaluator {
  readonly parameters: Record<string, unknown> = {};
  #input: EvaluatorInput;
  #conditionCache = new Map<string, Tri>();
  #conditionStack = new Set<string>();
  #steps = 0;

  constructor(input: EvaluatorInput, parameterDefs: Record<string, unknown>) {
    this.#input = input;
    for (const [name, def] of Object.entries(parameterDefs)) {
      this.parameters[name] = paramValue(def, name);
    }
  }

  /** Resolves a named condition: true, false, or 'unknown' when it depends on unknowns. */
  condition(name: string): Tri {
    const cached = this.#conditionCache.get(name);
    if (cached !== undefined) return cached;
    if (this.#conditionStack.has(name) || !(name in this.#input.conditions)) return 'unknown';

    this.#conditionStack.add(name);
    const value = this.#truth(this.evaluate(this.#input.conditions[name], new Set()));
    this.#conditionStack.delete(name);
    this.#conditionCache.set(name, value);
    return value;
  }

  #truth(value: unknown): Tri {
    if (typeof value === 'boolean') return value;
    if (value === 'true') return true;
    if (value === 'false') return false;
    return 'unknown';
  }

  /** Evaluates `value`; logical ids it refers to are added to `refs`. */
  evaluate(value: unknown, refs: Set<string>, depth = 0): unknown {
    this.#steps += 1;
    if (depth > 100 || this.#steps > 5_000_000) return unknownValue('expression too deep');
    if (Array.isArray(value)) {
      return value.map((v) => this.evaluate(v, refs, depth + 1)).filter((v) => v !== NO_VALUE);
    }
    if (!isRecord(value)) return value;

    const keys = Object.keys(value);
    const fn = keys[0];
    if (keys.length === 1 && fn !== undefined && (fn === 'Ref' || fn.startsWith('Fn::'))) {
      return this.#call(fn, value[fn], refs, depth + 1);
    }
    if (keys.length === 1 && fn === 'Condition' && typeof value.Condition === 'string') {
      const truth = this.condition(value.Condition);
      return truth === 'unknown' ? unknownValue(`condition ${value.Condition}`) : truth;
    }

    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const v = this.evaluate(value[key], refs, depth + 1);
      if (v !== NO_VALUE) out[key] = v;
    }
    return out;
  }

  #call(fn: string, arg: unknown, refs: Set<string>, depth: number): unknown {
    switch (fn) {
      case 'Ref':
        return this.#ref(arg, refs);
      case 'Fn::GetAtt':
        return this.#getAtt(arg, refs);
      case 'Fn::Sub':
        return this.#sub(arg, refs, depth);
      case 'Fn::If':
        return this.#if(arg, refs, depth);
      case 'Fn::FindInMap':
        return this.#findInMap(this.evaluate(arg, refs, depth));
      case 'Fn::Join':
        return this.#pure(fn, withPlaceholders(this.evaluate(arg, refs, depth)));
      case 'Fn::Base64':
        // Palisade models user data decoded, so Base64 passes its text through.
        return this.evaluate(arg, refs, depth);
      // Known gap: Fn::ForEach (AWS::LanguageExtensions) is not expanded; it reads as unknown.
      default:
        return this.#pure(fn, this.evaluate(arg, refs, depth));
    }
  }

  #ref(arg: unknown, refs: Set<string>): unknown {
    if (typeof arg !== 'string') return unknownValue('Ref to a non-string');
    if (arg === 'AWS::NoValue') return NO_VALUE;
    // Own keys only: `Ref: toString` names no parameter, not Object.prototype's function.
    if (PARTITION_PSEUDO.has(arg)) return partitionReference(arg);
    if (arg.startsWith('AWS::')) return unknownValue(`pseudo parameter ${arg}`);
    if (Object.hasOwn(this.parameters, arg)) return this.parameters[arg];
    if (this.#input.resourceIds.has(arg)) refs.add(arg);
    return unknownValue(`Ref ${arg}`);
  }

  #getAtt(arg: unknown, refs: Set<string>): unknown {
    const parts = typeof arg === 'string' ? arg.split('.') : arg;
    const target = Array.isArray(parts) ? parts[0] : undefined;
    if (typeof target === 'string' && this.#input.resourceIds.has(target)) refs.add(target);
    const attr = Array.isArray(parts) ? parts.slice(1).map(scalarText).join('.') : '';
    return unknownValue(`GetAtt ${scalarText(target)}.${attr}`);
  }

  #sub(arg: unknown, refs: Set<string>, depth: number): unknown {
    const [template, varsRaw] = Array.isArray(arg) ? arg : [arg, {}];
    if (typeof template !== 'string') return unknownValue('Fn::Sub with a non-string template');
    const vars = isRecord(varsRaw)
      ? (this.evaluate(varsRaw, refs, depth) as Record<string, unknown>)
      : {};

    let known = true;
    const text = template.replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      const key = name.trim();
      const value = key in vars ? vars[key] : this.#subVariable(key, refs);
      const placeholder = placeholderOf(value);
      if (placeholder !== undefined) return placeholder;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        return String(value);
      }
      known = false;
      return whole;
    });
    return known ? text : unknownValue(`Fn::Sub ${template}`);
  }

  #subVariable(name: string, refs: Set<string>): unknown {
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) {
      return this.#getAtt([name.slice(0, dot), name.slice(dot + 1)], refs);
    }
    return this.#ref(name, refs);
  }

  #if(arg: unknown, refs: Set<string>, depth: number): unknown {
    if (!Array.isArray(arg) || arg.length !== 3 || typeof arg[0] !== 'string') {
      return unknownValue('malformed Fn::If');
    }
    const truth = this.condition(arg[0]);
    if (truth === true) return this.evaluate(arg[1], refs, depth);
    if (truth === false) return this.evaluate(arg[2], refs, depth);

    // Both branches may refer to resources: keep the edges, not a guessed value.
    this.evaluate(arg[1], refs, depth);
    this.evaluate(arg[2], refs, depth);
    return unknownValue(`Fn::If on condition ${arg[0]}`);
  }

  #findInMap(args: unknown): unknown {
    if (!Array.isArray(args) || args.length < 3) return unknownValue('malformed Fn::FindInMap');
    if (!args.slice(0, 3).every((a) => typeof a === 'string' || typeof a === 'number')) {
      return unknownValue('Fn::FindInMap with unknown keys');
    }
    // Only the three keys become text: a fourth item (a default) may be any value.
    const [map, top, second] = args.slice(0, 3).map(String);
    // Own keys only: `toString` or `constructor` names no mapping entry.
    const mappings = this.#input.mappings;
    const level1 = Object.hasOwn(mappings, map!) ? mappings[map!] : undefined;
    const level2 = isRecord(level1) && Object.hasOwn(level1, top!) ? level1[top!] : undefined;
    if (isRecord(level2) && Object.hasOwn(level2, second!)) return level2[second!];
    return unknownValue(`Fn::FindInMap ${map}.${top}.${second}`);
  }

  /** Functions of already-evaluated arguments. */
  #pure(fn: string, args: unknown): unknown {
    if (!isFullyKnown(args))
      return this.#logic(fn, args) ?? unknownValue(`${fn} of unknown values`);
    if (PARTITION_SENSITIVE.has(fn) && holdsPartitionPlaceholder(args)) {
      return unknownValue(`${fn} of a string holding the AWS partition`);
    }
    switch (fn) {
      case 'Fn::Join':
        return this.#join(args);
      case 'Fn::Select':
        return Array.isArray(args) &&
          Array.isArray(args[1]) &&
          (typeof args[0] === 'number' || typeof args[0] === 'string') &&
          args[1][Number(args[0])] !== undefined
          ? args[1][Number(args[0])]
          : unknownValue('Fn::Select out of range');
      case 'Fn::Split':
        return Array.isArray(args) && typeof args[0] === 'string' && typeof args[1] === 'string'
          ? args[1].split(args[0])
          : unknownValue('malformed Fn::Split');
      case 'Fn::Equals':
        return Array.isArray(args) && JSON.stringify(args[0]) === JSON.stringify(args[1]);
      case 'Fn::ToJsonString':
        return JSON.stringify(args);
      case 'Fn::Length':
        return Array.isArray(args) ? args.length : unknownValue('malformed Fn::Length');
      default:
        return this.#logic(fn, args) ?? unknownValue(`${fn} is not evaluated statically`);
    }
  }

  #join(args: unknown): unknown {
    if (!Array.isArray(args) || typeof args[0] !== 'string' || !Array.isArray(args[1])) {
      return unknownValue('malformed Fn::Join');
    }
    // CloudFormation joins text: a list or an object (its toString may not be a function) is
    // not joined.
    const parts: unknown[] = args[1];
    if (parts.some((p) => typeof p === 'object' && p !== null)) {
      return unknownValue('Fn::Join of a list or object');
    }
    return parts.map(String).join(args[0]);
  }

  /** And/Or/Not with three-valued logic: Or is true if any operand is true, even with unknowns. */
  #logic(fn: string, args: unknown): unknown {
    if (!Array.isArray(args)) return undefined;
    const values = args.map((a) => this.#truth(a));
    if (fn === 'Fn::Not') {
      const v = values[0];
      return v === 'unknown' || v === undefined ? unknownValue('Fn::Not of unknown') : !v;
    }
    if (fn === 'Fn::And') {
      if (values.includes(false)) return false;
      return values.includes('unknown') ? unknownValue('Fn::And of unknown') : true;
    }
    if (fn === 'Fn::Or') {
      if (values.includes(true)) return true;
      return values.includes('unknown') ? unknownValue('Fn::Or of unknown') : false;
    }
    return undefined;
  }
}
