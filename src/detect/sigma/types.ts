/**
 * The shapes of the Sigma engine: rules as loaded from YAML, their compiled form, and the matches
 * the engine reports (single-event detections and correlations).
 */

import type { Severity } from '../../model/rule.js';
import type { LogEvent } from '../../model/event.js';

/** Sigma `logsource`: undefined parts match any event. */
export interface SigmaLogSource {
  product?: string;
  service?: string;
  category?: string;
  definition?: string;
}

/** Sigma rule `status`. */
export type SigmaStatus = 'stable' | 'test' | 'experimental' | 'deprecated' | 'unsupported';

/** Where a rule came from: file, the YAML document within it (0-based) and its first line. */
export interface SigmaRuleOrigin {
  file: string;
  document: number;
  line: number;
}

/** What every Sigma rule carries for people and for the licence (author, id, licence). */
export interface SigmaRuleMeta {
  /** Rule id (UUID for SigmaHQ rules); a rule without one gets `<file>#<document>`. */
  id: string;
  title: string;
  /** Sigma `name`, used by correlation rules to refer to it. */
  name?: string;
  author?: string;
  /** SPDX id of the rule's licence: its `license` field, else the loader's default. */
  license?: string;
  status?: SigmaStatus;
  level?: Severity;
  description?: string;
  /** Tags as written (`attack.t1562.008`, `attack.defense-evasion`). */
  tags: string[];
  references: string[];
  falsepositives: string[];
  date?: string;
  modified?: string;
  /** Fields the rule names as interesting to an analyst. */
  fields: string[];
  /** Palisade's own `remediation` field: what to do about an alert of the rule. */
  remediation?: string[];
  /**
   * Palisade's own `account-from` field of an ordered chain: `last-step`, its alert names the
   * account of the event that completed it as its actor, and no other account.
   */
  accountFrom?: 'last-step';
  origin: SigmaRuleOrigin;
}

/** A single-event Sigma rule: selections plus a condition. */
export interface SigmaDetectionRule extends SigmaRuleMeta {
  kind: 'detection';
  logsource: SigmaLogSource;
  /** Search identifiers as written in YAML (the `condition` key removed). */
  detection: Record<string, unknown>;
  /** One or more conditions (a list is OR-ed). */
  conditions: string[];
}

export type SigmaCorrelationType = 'event_count' | 'value_count' | 'temporal' | 'temporal_ordered';

/** A count condition of a correlation: every given bound must hold. */
export interface SigmaCountCondition {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
  eq?: number;
  neq?: number;
}

/** A correlation (meta) rule over other rules' matches. */
export interface SigmaCorrelationRule extends SigmaRuleMeta {
  kind: 'correlation';
  type: SigmaCorrelationType;
  /** Referenced rules by id or name. */
  rules: string[];
  groupBy: string[];
  /** Window length in milliseconds. */
  timespanMs: number;
  /** Window as written (`10m`). */
  timespan: string;
  condition?: SigmaCountCondition;
  /** value_count: the field(s) whose distinct values are counted. */
  valueFields: string[];
  /** alias name -> (rule name or id -> field of that rule's events). */
  aliases: Record<string, Record<string, string>>;
  /** True when the referenced rules also report matches on their own. */
  generate: boolean;
}

export type SigmaRule = SigmaDetectionRule | SigmaCorrelationRule;

/** A rule the loader or compiler could not use, and exactly why. */
export interface UnsupportedSigmaRule {
  file: string;
  reason: string;
  line?: number;
  field?: string;
  id?: string;
  title?: string;
  /** The rule's log source, when it names one (what input the rule would have read). */
  logsource?: SigmaLogSource;
  /**
   * The file is no rule at all (not YAML, not a mapping, unreadable), as opposed to a rule using
   * something Palisade does not support: a command treats it as bad input.
   */
  unreadable?: true;
}

/** What `loadSigmaRules` returns. */
export interface SigmaLoadResult {
  rules: SigmaRule[];
  unsupported: UnsupportedSigmaRule[];
}

/** Options shared by the loader, compiler and engine. */
export interface SigmaOptions {
  /** Licence for rules that name none (`DRL-1.1` for a SigmaHQ tree). */
  defaultLicense?: string;
  /** Values for `|expand` placeholders, keyed by name without `%` (`Administrators`). */
  placeholders?: Record<string, string | string[]>;
  /** Extra field-mapping tables, applied after the bundled ones (later entries win). */
  fieldMappings?: FieldMappingTable[];
  /** Correlation memory bound: groups kept per correlation rule (default 100 000). */
  maxGroupsPerCorrelation?: number;
  /** Events kept as evidence on a correlation match (default 10). */
  maxEvidence?: number;
}

/** Sigma field name -> reader field path(s) for one log source. */
export interface FieldMappingTable {
  logsource: SigmaLogSource;
  fields: Record<string, string | string[]>;
}

/** Details of a correlation match. */
export interface SigmaCorrelationMatch {
  type: SigmaCorrelationType;
  /** group-by field -> value shared by the correlated events. */
  group: Record<string, string>;
  /** Events (event_count), distinct values (value_count) or rules (temporal) counted. */
  count: number;
  /** Time of the first and last correlated event (ISO 8601). */
  firstSeen: string;
  lastSeen: string;
  /** Ids of the referenced rules whose matches took part. */
  rules: string[];
}

/** One verdict of the engine: a rule matched one event, or a correlation fired. */
export interface SigmaMatch {
  rule: SigmaRuleMeta & { kind: SigmaRule['kind']; logsource?: SigmaLogSource };
  /** The event that completed the match. */
  event: LogEvent;
  /** Evidence: the matching event, or a bounded sample of the correlated events. */
  events: LogEvent[];
  correlation?: SigmaCorrelationMatch;
}

/** A detection rule compiled once, matched against many events. */
export interface CompiledSigmaRule {
  rule: SigmaDetectionRule;
  /** True when the rule's detection holds for the event (its log source is not checked). */
  matches(event: LogEvent): boolean;
  /**
   * Literal values one field must have for the rule to match (lower-cased), when the condition
   * implies one: the engine indexes rules by them.
   */
  required: RequiredValues[];
}

/**
 * `field` must equal (case-insensitively) one of `values`, or start with one of `prefixes`, for
 * the rule to match.
 */
export interface RequiredValues {
  field: string;
  values: string[];
  /** Lower-cased prefixes (`startswith`); absent when there are none. */
  prefixes?: string[];
}
