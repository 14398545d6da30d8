/**
 * A workflow automation rule: a trigger (alert created or changed, incident status change,
 * recommendation state change, compliance change), conditions on the record (severity, rule id
 * or alert type, resource tags, scope) and actions (send to any sink; a ServiceNow or Jira sink
 * creates or updates a ticket).
 */

import type { ExportRecord } from '../model/export-record.js';
import { SEVERITIES, type Severity } from '../model/rule.js';
import { checkedName, nonEmptyListOf } from '../export/config-field-checks.js';
import { parseScope, type ExportScope } from '../export/exporter-config.js';
import { inScope } from '../export/outbox/export-filter.js';
import { parseNewSinkConfig, SinkConfigError } from '../export/sinks/index.js';
import { recordTags, severityRank } from '../store/outbox-repository.js';
import { compileGlob, GlobPatternError, globPatternProblem } from '../posture/safe-glob.js';

/** What starts a rule. */
export const AUTOMATION_TRIGGERS = [
  'alert.created',
  'alert.changed',
  'incident.changed',
  'recommendation.changed',
  'compliance.changed',
] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

/** Conditions a record must meet, all of them (an absent one always holds). */
export interface AutomationConditions {
  minSeverity?: Severity;
  /** Globs on the rule id (recommendations, alerts' detection rule) or alert title. */
  rules?: string[];
  /** Resource tags the record's resource must carry (`key` → value). */
  tags?: Record<string, string>;
  scope?: ExportScope;
}

/** One action: a sink the record is sent to (ticket sinks create or update a ticket). */
export interface AutomationAction {
  sink: Record<string, unknown> & { kind: string };
}

/** A checked rule, secrets still in its actions. */
export interface AutomationSettings {
  name: string;
  enabled: boolean;
  triggers: AutomationTrigger[];
  conditions: AutomationConditions;
  actions: AutomationAction[];
}

/** A bad automation rule, naming the field. */
export class AutomationConfigError extends Error {
  readonly code = 'automation_config_invalid';
  readonly field: string;

  constructor(field: string, message: string) {
    super(`automation ${field}: ${message}`);
    this.name = 'AutomationConfigError';
    this.field = field;
  }
}

const fault = (field: string, message: string) => new AutomationConfigError(field, message);

function object(value: unknown, field: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new AutomationConfigError(field, 'must be an object');
  }
  return value as Record<string, unknown>;
}

function parseConditions(value: unknown): AutomationConditions {
  if (value === undefined) return {};
  const o = object(value, 'conditions');
  const out: AutomationConditions = {};
  for (const key of Object.keys(o)) {
    if (!['minSeverity', 'rules', 'tags', 'scope'].includes(key)) {
      throw new AutomationConfigError(
        `conditions.${key}`,
        'is not a condition (minSeverity, rules, tags, scope)',
      );
    }
  }
  if (o.minSeverity !== undefined) {
    if (!SEVERITIES.includes(o.minSeverity as Severity)) {
      throw new AutomationConfigError(
        'conditions.minSeverity',
        `must be one of ${SEVERITIES.join(', ')}`,
      );
    }
    out.minSeverity = o.minSeverity as Severity;
  }
  if (o.rules !== undefined) {
    const ok =
      Array.isArray(o.rules) &&
      o.rules.length > 0 &&
      o.rules.every((r) => typeof r === 'string' && r.length > 0 && r.length <= 200);
    if (!ok)
      throw new AutomationConfigError(
        'conditions.rules',
        'must be a non-empty list of rule ids or globs',
      );
    (o.rules as string[]).forEach((rule, i) => {
      const problem = globPatternProblem(rule, { nocase: true });
      if (problem) {
        throw new AutomationConfigError(
          `conditions.rules[${i}]`,
          `${JSON.stringify(rule)} ${problem}`,
        );
      }
    });
    out.rules = o.rules as string[];
  }
  if (o.tags !== undefined) {
    const tags = object(o.tags, 'conditions.tags');
    for (const [k, v] of Object.entries(tags)) {
      if (typeof v !== 'string')
        throw new AutomationConfigError(`conditions.tags.${k}`, 'must be a string');
    }
    out.tags = tags as Record<string, string>;
  }
  if (o.scope !== undefined) {
    if (typeof o.scope !== 'string')
      throw new AutomationConfigError(
        'conditions.scope',
        'must be all, account:<id> or tag:<key>=<value>',
      );
    try {
      out.scope = parseScope(o.scope);
    } catch (error) {
      throw new AutomationConfigError('conditions.scope', (error as Error).message);
    }
  }
  return out;
}

/** Checks an automation rule from untrusted input (API body, CLI file). */
export function parseAutomationInput(input: unknown): AutomationSettings {
  const o = object(input, '(body)');
  const name = checkedName(o.name, fault);
  const triggers = nonEmptyListOf(o.triggers, AUTOMATION_TRIGGERS, 'triggers', fault);
  if (!Array.isArray(o.actions) || o.actions.length === 0 || o.actions.length > 10) {
    throw new AutomationConfigError(
      'actions',
      'must be a list of 1 to 10 actions ({ "sink": {...} })',
    );
  }
  const actions = o.actions.map((a, i) => {
    const action = object(a, `actions[${i}]`);
    try {
      const sink = parseNewSinkConfig(action.sink) as unknown as AutomationAction['sink'];
      return { sink };
    } catch (error) {
      if (error instanceof SinkConfigError) {
        throw new AutomationConfigError(`actions[${i}].sink.${error.field}`, error.message);
      }
      throw error;
    }
  });
  return {
    name,
    enabled: o.enabled === undefined ? true : o.enabled === true,
    triggers,
    conditions: parseConditions(o.conditions),
    actions,
  };
}

/** The trigger a record fires. */
export function triggerOf(record: ExportRecord): AutomationTrigger | undefined {
  if (record.type === 'alert')
    return record.data.change === 'created' ? 'alert.created' : 'alert.changed';
  if (record.type === 'incident') return 'incident.changed';
  if (record.type === 'recommendation') return 'recommendation.changed';
  if (record.type === 'compliance') return 'compliance.changed';
  return undefined;
}

function severityOf(record: ExportRecord): Severity | undefined {
  if (record.type === 'alert') return record.data.alert.severity;
  if (record.type === 'incident') return record.data.incident.severity;
  if (record.type === 'recommendation') return record.data.severity;
  return undefined;
}

/** Rule ids and names a `rules` condition is matched against. */
function namesOf(record: ExportRecord): string[] {
  if (record.type === 'alert') return [record.data.alert.rule.id, record.data.alert.title];
  if (record.type === 'incident') return [record.data.incident.title];
  if (record.type === 'recommendation') return [record.data.ruleId];
  if (record.type === 'compliance') return [record.data.controlId, record.data.standard];
  return [];
}

/** The tags of each resource the record concerns: one recommendation's, an alert's several. */
function tagSetsOf(record: ExportRecord): Record<string, string>[] {
  if (record.type === 'recommendation') return [record.data.tags ?? {}];
  if (record.type === 'alert') return (record.data.alert.resources ?? []).map((r) => r.tags);
  return [];
}

/**
 * True when the rule runs on `record`: a snapshot never triggers, the trigger must be one of
 * the rule's, and every condition must hold.
 */
export function ruleMatches(
  rule: Pick<AutomationSettings, 'triggers' | 'conditions'>,
  record: ExportRecord,
): boolean {
  if (record.kind !== 'change') return false;
  const trigger = triggerOf(record);
  if (!trigger || !rule.triggers.includes(trigger)) return false;
  const c = rule.conditions;
  if (c.minSeverity) {
    const severity = severityOf(record);
    if (!severity || severityRank(severity) < severityRank(c.minSeverity)) return false;
  }
  if (c.rules) {
    const names = namesOf(record);
    const hit = c.rules.some((p, i) => {
      let matches: (value: string) => boolean;
      try {
        matches = compileGlob(p, { nocase: true });
      } catch (error) {
        // A rule stored before patterns were checked: it fails alone, naming the field.
        if (error instanceof GlobPatternError) {
          throw new AutomationConfigError(`conditions.rules[${i}]`, error.message);
        }
        throw error;
      }
      return names.some(matches);
    });
    if (!hit) return false;
  }
  const tagSets = tagSetsOf(record);
  // Every tag condition holds on one resource (an alert's resources are not mixed).
  const wanted = c.tags ? Object.entries(c.tags) : [];
  if (wanted.length > 0 && !tagSets.some((tags) => wanted.every(([k, v]) => tags[k] === v))) {
    return false;
  }
  if (c.scope) {
    if (!inScope(c.scope, record.accounts, recordTags(record))) return false;
  }
  return true;
}
