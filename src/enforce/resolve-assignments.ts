/**
 * Turns assignments into what enforcement runs on: the concrete rules each one covers, each
 * rule's mode, and each rule's parameter values. Names that point nowhere (an initiative, a
 * standard, a rule id, a parameter no rule reads) and values of the wrong kind are errors.
 */

import type { Standard } from '../model/benchmark.js';
import type { Rule, RuleParameter } from '../model/rule.js';
import { WHOLE_BENCHMARK, type Assignment, type EnforcementPolicy } from './assignment.js';
import { AssignmentLoadError } from './assignment-loader.js';
import type { EnforcementMode } from './enforcement-mode.js';
import { isEnforcementPackRule } from './enforcement-rules.js';
import { anyGlobMatch } from './glob.js';

/** An assignment with its rule set worked out. */
export interface ResolvedAssignment {
  assignment: Assignment;
  /** Every rule the assignment covers, with its mode (disabled ones included). */
  modes: Map<string, EnforcementMode>;
  /**
   * Parameter values per rule, for rules that declare parameters and whose values the
   * assignment sets (the rest run with their defaults).
   */
  params: Map<string, Record<string, unknown>>;
}

function fail(a: Assignment, field: string, message: string): never {
  throw new AssignmentLoadError({
    file: a.origin ?? 'api',
    field,
    message: `assignment ${a.id}: ${message}`,
  });
}

function ruleSet(
  a: Assignment,
  policy: EnforcementPolicy,
  rules: Rule[],
  standards: Standard[],
): Rule[] {
  if (a.initiative !== undefined) {
    const initiative = policy.initiatives.find((i) => i.id === a.initiative);
    if (!initiative) fail(a, 'initiative', `no initiative named ${a.initiative}`);
    for (const entry of initiative.rules) {
      if (!rules.some((r) => anyGlobMatch([entry], r.id))) {
        throw new AssignmentLoadError({
          file: initiative.origin ?? 'api',
          field: 'rules',
          message: `initiative ${initiative.id}: "${entry}" names no loaded rule`,
        });
      }
    }
    return rules.filter((r) => anyGlobMatch(initiative.rules, r.id));
  }
  // The benchmark is the scored rules; a rule of the parameter pack joins where it is named, by
  // an initiative or by id in `rules` (the only way for an API assignment, which has no
  // initiatives).
  const namedPackRules = rules.filter((r) => isEnforcementPackRule(r) && r.id in a.rules);
  if (a.benchmark === WHOLE_BENCHMARK) {
    return [...rules.filter((r) => !isEnforcementPackRule(r)), ...namedPackRules];
  }
  const standard = standards.find((s) => s.id === a.benchmark);
  if (!standard) {
    const known = [WHOLE_BENCHMARK, ...standards.map((s) => s.id)].join(', ');
    fail(a, 'benchmark', `no benchmark named ${a.benchmark}; expected one of ${known}`);
  }
  const mapped = rules.filter(
    (r) =>
      !isEnforcementPackRule(r) &&
      (!standard.cloud || r.cloud === standard.cloud) &&
      (r.mappings[standard.key] ?? []).length > 0,
  );
  return [...mapped, ...namedPackRules];
}

function kindOk(spec: RuleParameter, value: unknown): boolean {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'string_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'number_list':
      return Array.isArray(value) && value.every((v) => typeof v === 'number');
  }
}

/**
 * Works out every assignment of a policy against the loaded rules (and the benchmark's
 * standards, for `benchmark: cis-aws` and the like). Throws `AssignmentLoadError`.
 *
 * ```ts
 * const resolved = resolveAssignments(await loadPolicy(['policy/']), rules, catalog.standards);
 * ```
 */
export function resolveAssignments(
  policy: EnforcementPolicy,
  rules: Rule[],
  standards: Standard[] = [],
): ResolvedAssignment[] {
  return policy.assignments.map((a) => {
    const covered = ruleSet(a, policy, rules, standards);
    const ids = new Set(covered.map((r) => r.id));
    for (const ruleId of Object.keys(a.rules)) {
      if (!ids.has(ruleId)) fail(a, `rules.${ruleId}`, `rule ${ruleId} is not in its rule set`);
    }
    const modes = new Map(covered.map((r) => [r.id, a.rules[r.id] ?? a.mode]));

    const declared = new Map<string, RuleParameter>();
    for (const rule of covered) {
      for (const [name, spec] of Object.entries(rule.parameters ?? {})) declared.set(name, spec);
    }
    for (const [name, value] of Object.entries(a.parameters)) {
      const spec = declared.get(name);
      if (!spec) {
        const known = [...declared.keys()].join(', ') || 'none';
        fail(a, `parameters.${name}`, `no rule in the set reads "${name}" (known: ${known})`);
      }
      if (!kindOk(spec, value)) fail(a, `parameters.${name}`, `must be a ${spec.type}`);
    }

    const params = new Map<string, Record<string, unknown>>();
    for (const rule of covered) {
      const names = Object.keys(rule.parameters ?? {});
      if (!names.some((n) => n in a.parameters)) continue;
      params.set(rule.id, { ...defaultParams(rule), ...pick(a.parameters, names) });
    }
    return { assignment: a, modes, params };
  });
}

/** A rule's parameters at their defaults (what a scan without assignments runs with). */
export function defaultParams(rule: Rule): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(rule.parameters ?? {})) {
    if (spec.default !== undefined) out[name] = spec.default;
  }
  return out;
}

function pick(values: Record<string, unknown>, names: string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((n) => n in values).map((n) => [n, values[n]]));
}

/**
 * The policy used when none is given: the whole benchmark in deny mode, so any failing rule fails
 * the gate (the usual behaviour of an IaC check in CI).
 */
export function defaultPolicy(mode: EnforcementMode = 'deny'): EnforcementPolicy {
  return {
    initiatives: [],
    assignments: [
      {
        id: 'default',
        title: 'Palisade benchmark',
        benchmark: WHOLE_BENCHMARK,
        scope: {},
        exclude: {},
        mode,
        rules: {},
        parameters: {},
        origin: 'built-in',
      },
    ],
  };
}
