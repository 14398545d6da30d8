/**
 * Validates one Sigma YAML document (after `action: global` merging) against the rule and
 * correlation schemas of the specification and turns it into a `SigmaRule`.
 */

import { SEVERITIES, type Severity } from '../../model/rule.js';
import { SigmaRuleError } from './sigma-rule-error.js';
import type {
  SigmaCorrelationRule,
  SigmaCorrelationType,
  SigmaCountCondition,
  SigmaDetectionRule,
  SigmaLogSource,
  SigmaRule,
  SigmaRuleMeta,
  SigmaRuleOrigin,
  SigmaStatus,
} from './types.js';

const STATUSES: readonly SigmaStatus[] = [
  'stable',
  'test',
  'experimental',
  'deprecated',
  'unsupported',
];
const CORRELATION_TYPES: readonly SigmaCorrelationType[] = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
];
const COUNT_KEYS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const;
const TIMESPAN = /^(\d+)([smhdw])$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 };
/** Keys of `detection` that are not search identifiers. */
const DETECTION_RESERVED = new Set(['condition', 'timeframe']);

type Data = Record<string, unknown>;

function isMap(value: unknown): value is Data {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function fail(path: (string | number)[], message: string): never {
  throw new SigmaRuleError(message, path);
}

function optionalString(data: Data, key: string): string | undefined {
  const value = data[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail([key], 'must be a string');
}

function stringList(data: Data, key: string, allowScalar = false): string[] {
  const value = data[key];
  if (value === undefined || value === null) return [];
  if (allowScalar && (typeof value === 'string' || typeof value === 'number'))
    return [String(value)];
  if (!Array.isArray(value)) return fail([key], 'must be a list of strings');
  return value.map((item, i) => {
    if (typeof item === 'string' || typeof item === 'number') return String(item);
    return fail([key, i], 'must be a string');
  });
}

function enumValue<T extends string>(
  data: Data,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(data, key);
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) fail([key], `"${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function readMeta(
  data: Data,
  origin: SigmaRuleOrigin,
  defaultLicense: string | undefined,
): SigmaRuleMeta {
  const title = optionalString(data, 'title');
  if (!title || title.trim() === '') fail(['title'], 'a rule needs a title');
  if (title.length > 256) fail(['title'], 'is longer than 256 characters');

  return {
    id: optionalString(data, 'id') ?? `${origin.file}#${origin.document}`,
    title,
    name: optionalString(data, 'name'),
    author: optionalString(data, 'author'),
    license: optionalString(data, 'license') ?? defaultLicense,
    status: enumValue(data, 'status', STATUSES),
    level: enumValue<Severity>(data, 'level', SEVERITIES),
    description: optionalString(data, 'description'),
    tags: stringList(data, 'tags'),
    references: stringList(data, 'references'),
    falsepositives: stringList(data, 'falsepositives', true),
    date: optionalString(data, 'date'),
    modified: optionalString(data, 'modified'),
    fields: stringList(data, 'fields'),
    ...remediationOf(data),
    ...accountFromOf(data),
    origin,
  };
}

/**
 * `remediation`, Palisade's own field (the built-in detections carry one; Sigma keeps custom
 * fields): the steps an alert of the rule shows instead of the ones its ATT&CK tactics suggest.
 */
function remediationOf(data: Data): { remediation?: string[] } {
  const steps = stringList(data, 'remediation', true).filter((s) => s.trim() !== '');
  return steps.length > 0 ? { remediation: steps } : {};
}

/**
 * `account-from`, Palisade's own field: `last-step` says an ordered chain's alert is about the
 * account of its last step (the login after a brute force), not every account its events name.
 */
function accountFromOf(data: Data): { accountFrom?: 'last-step' } {
  const from = enumValue(data, 'account-from', ['last-step'] as const);
  if (from === undefined) return {};
  const type = isMap(data.correlation) ? data.correlation.type : undefined;
  if (type !== 'temporal_ordered') {
    fail(['account-from'], 'is for correlations of type temporal_ordered, which have a last step');
  }
  return { accountFrom: from };
}

/**
 * Turns one YAML document into a rule; throws `SigmaRuleError` with the field's path when the
 * document breaks the specification.
 */
export function readRuleDocument(
  data: unknown,
  origin: SigmaRuleOrigin,
  defaultLicense?: string,
): SigmaRule {
  if (!isMap(data)) fail([], 'a Sigma rule must be a YAML mapping');
  const meta = readMeta(data, origin, defaultLicense);
  if (data.correlation !== undefined) return readCorrelation(data, meta);
  return readDetection(data, meta);
}

function readLogSource(data: Data): SigmaLogSource {
  const value = data.logsource;
  if (!isMap(value)) return fail(['logsource'], 'a rule needs a logsource map');
  const out: SigmaLogSource = {};
  for (const key of ['product', 'service', 'category', 'definition'] as const) {
    const part = value[key];
    if (part === undefined || part === null) continue;
    if (typeof part !== 'string') fail(['logsource', key], 'must be a string');
    out[key] = part;
  }
  return out;
}

function readDetection(data: Data, meta: SigmaRuleMeta): SigmaDetectionRule {
  const logsource = readLogSource(data);
  const detection = data.detection;
  if (!isMap(detection)) fail(['detection'], 'a rule needs a detection map');

  const condition = detection.condition;
  let conditions: string[];
  if (typeof condition === 'string') conditions = [condition];
  else if (
    Array.isArray(condition) &&
    condition.length > 0 &&
    condition.every((c) => typeof c === 'string')
  ) {
    conditions = condition as string[];
  } else {
    fail(['detection', 'condition'], 'must be a condition string or a list of them');
  }

  const searches: Data = {};
  for (const [name, value] of Object.entries(detection)) {
    if (DETECTION_RESERVED.has(name)) continue;
    searches[name] = value;
  }
  if (Object.keys(searches).length === 0) fail(['detection'], 'defines no search identifier');
  return { ...meta, kind: 'detection', logsource, detection: searches, conditions };
}

function readCorrelation(data: Data, meta: SigmaRuleMeta): SigmaCorrelationRule {
  const c = data.correlation;
  if (!isMap(c)) fail(['correlation'], 'must be a map');
  const at = (key: string, ...rest: (string | number)[]): (string | number)[] => [
    'correlation',
    key,
    ...rest,
  ];

  const type = c.type as SigmaCorrelationType;
  if (!CORRELATION_TYPES.includes(type)) {
    fail(at('type'), `must be one of ${CORRELATION_TYPES.join(', ')}`);
  }

  const rulesValue = typeof c.rules === 'string' ? [c.rules] : c.rules;
  if (!Array.isArray(rulesValue) || rulesValue.length === 0)
    fail(at('rules'), 'must list the correlated rules');
  const rules = rulesValue.map((r, i) =>
    typeof r === 'string' ? r : fail(at('rules', i), 'must be a rule id or name'),
  );

  const groupValue = c['group-by'] ?? [];
  const groupList = typeof groupValue === 'string' ? [groupValue] : groupValue;
  if (!Array.isArray(groupList)) fail(at('group-by'), 'must be a list of field names');
  const groupBy = groupList.map((g, i) =>
    typeof g === 'string' ? g : fail(at('group-by', i), 'must be a field name'),
  );

  if (c.timespan === undefined || c.timespan === null)
    fail(at('timespan'), 'a correlation needs a timespan such as 10m');
  const timespan = String(c.timespan);
  const span = TIMESPAN.exec(timespan);
  if (!span) fail(at('timespan'), `"${timespan}" is not a timespan like 30s, 10m, 1h or 1d`);
  const timespanMs = Number(span[1]) * UNIT_MS[span[2]];

  const { condition, valueFields } = readCountCondition(c.condition, type, at);
  const aliases = readAliases(c.aliases, at);
  const generate = data.generate === true || c.generate === true;

  return {
    ...meta,
    kind: 'correlation',
    type,
    rules,
    groupBy,
    timespan,
    timespanMs,
    condition,
    valueFields,
    aliases,
    generate,
  };
}

function readCountCondition(
  value: unknown,
  type: SigmaCorrelationType,
  at: (key: string, ...rest: (string | number)[]) => (string | number)[],
): { condition?: SigmaCountCondition; valueFields: string[] } {
  const counted = type === 'event_count' || type === 'value_count';
  if (value === undefined || value === null) {
    if (counted) fail(at('condition'), `${type} needs a condition such as { gte: 10 }`);
    return { valueFields: [] };
  }
  if (!isMap(value)) return fail(at('condition'), 'must be a map such as { gte: 10 }');

  const condition: SigmaCountCondition = {};
  let valueFields: string[] = [];
  for (const [key, bound] of Object.entries(value)) {
    if (key === 'field') {
      const list = typeof bound === 'string' ? [bound] : bound;
      if (!Array.isArray(list) || list.some((f) => typeof f !== 'string')) {
        fail(at('condition', 'field'), 'must be a field name or a list of them');
      }
      valueFields = list as string[];
      continue;
    }
    if (!(COUNT_KEYS as readonly string[]).includes(key)) {
      fail(at('condition', key), `unknown condition "${key}" (use ${COUNT_KEYS.join(', ')})`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound))
      fail(at('condition', key), 'must be a number');
    condition[key as (typeof COUNT_KEYS)[number]] = bound;
  }
  if (Object.keys(condition).length === 0)
    fail(at('condition'), 'needs at least one of gt, gte, lt, lte, eq, neq');
  if (type === 'value_count' && valueFields.length === 0) {
    fail(at('condition', 'field'), 'value_count needs the field whose distinct values are counted');
  }
  return { condition, valueFields };
}

function readAliases(
  value: unknown,
  at: (key: string, ...rest: (string | number)[]) => (string | number)[],
): Record<string, Record<string, string>> {
  if (value === undefined || value === null) return {};
  if (!isMap(value)) return fail(at('aliases'), 'must map alias names to { rule: field }');
  const out: Record<string, Record<string, string>> = {};
  for (const [alias, mapping] of Object.entries(value)) {
    if (!isMap(mapping)) fail(at('aliases', alias), 'must map rule names to field names');
    out[alias] = {};
    for (const [rule, field] of Object.entries(mapping)) {
      if (typeof field !== 'string') fail(at('aliases', alias, rule), 'must be a field name');
      out[alias][rule] = field;
    }
  }
  return out;
}
