/**
 * What Palisade streams to SIEM, SOAR and ticketing tools: one export record per change (or per
 * item of a periodic snapshot), and the sink contract every destination implements.
 */

import type { Alert, AlertStatus, Incident } from './alert.js';
import type { FindingStatus } from './finding.js';
import type { Severity } from './rule.js';

/** The data types of continuous export. */
export type ExportDataType =
  'alert' | 'incident' | 'recommendation' | 'secure_score' | 'compliance';

export const EXPORT_DATA_TYPES: readonly ExportDataType[] = [
  'alert',
  'incident',
  'recommendation',
  'secure_score',
  'compliance',
];

/** Message body formats a sink can carry. */
export type ExportFormat = 'json' | 'ocsf' | 'cef' | 'leef';

/** An alert was created or changed (status, new events folded in, incident link). */
export interface AlertExportData {
  change: 'created' | 'updated' | 'status_changed';
  previousStatus?: AlertStatus;
  /** Who changed the status and why, when a person did. */
  comment?: string;
  actor?: string;
  alert: Alert;
}

/** Someone changed an incident's status (with a comment), as alert status changes are sent. */
export interface IncidentExportData {
  change: 'status_changed';
  previousStatus: AlertStatus;
  comment?: string;
  actor?: string;
  incident: Incident;
}

/** A recommendation (rule) changed state on one resource between two assessments. */
export interface RecommendationExportData {
  assessmentId: string;
  ruleId: string;
  title: string;
  severity: Severity;
  control: string;
  resourceId: string;
  resourceType: string;
  resourceName: string;
  cloud: string;
  account?: string;
  region?: string;
  tags?: Record<string, string>;
  /** `exempt` is a failing finding an exemption covers. Absent before the first assessment. */
  previousState?: FindingStatus | 'exempt';
  state: FindingStatus | 'exempt';
  /**
   * Why the state changed: `failed` (new or reopened), `passed`, `not_applicable`, or `gone`
   * (the resource or rule no longer appears in the scan; `state` is then `not_applicable`).
   */
  reason?: 'failed' | 'passed' | 'not_applicable' | 'gone';
  message: string;
  remediation?: string;
}

/** One control's or the overall secure score, before and after. Percentages 0-100. */
export interface ScoreMove {
  /** `overall`, or a control id (`NS`, `DP`, ...). */
  id: string;
  name: string;
  /** Percentage before; null when nothing was judged then; absent the first time. */
  previous?: number | null;
  /**
   * Percentage now; null when nothing is judged (every finding exempt or not applicable), as
   * the API's `secureScore` says, never 100.
   */
  current: number | null;
  /** Points: current = max × healthy ÷ (healthy + unhealthy), over the judged controls. */
  currentPoints: number;
  maxPoints: number;
}

/** The secure score moved by 0.01 or more, overall or in a control. */
export interface SecureScoreExportData {
  assessmentId: string;
  overall: ScoreMove;
  /** Only the controls that moved (all of them in a snapshot). */
  controls: ScoreMove[];
}

/**
 * A control's state as the assessment gives it: `not_assessed` when its rules judged nothing,
 * `manual` when no rule checks it. Compliance schema v1 knows the first three only; v2 adds
 * `manual`, v3 the estate (see `complianceSchemaVersion`).
 */
export type ComplianceState = 'passed' | 'failed' | 'not_assessed' | 'manual';

/**
 * The estate a compliance state belongs to: the target set (the store's key of the assessed
 * targets; states are compared within one only) and the targets the assessment ran on, as stored
 * (the paths given to `scan`, or a source's paths).
 */
export interface ComplianceEstate {
  targetSet: string;
  targets: string[];
}

/** A regulatory standard's control changed state. */
export interface ComplianceExportData {
  assessmentId: string;
  /** Which estate: present on every record written since compliance schema v3. */
  estate?: ComplianceEstate;
  standard: string;
  standardName: string;
  controlId: string;
  controlName: string;
  previousState?: ComplianceState;
  state: ComplianceState;
  passedResources: number;
  failedResources: number;
}

interface ExportRecordBase {
  /**
   * Idempotency key: the same change always carries the same id, so a receiver that sees an id
   * twice (at-least-once delivery) keeps one.
   */
  id: string;
  /** Version of the data type's JSON Schema (`schemas/export/<type>.v<N>.json`). */
  schemaVersion: number;
  /** `change` when emitted as it happens, `snapshot` when part of a periodic full-state export. */
  kind: 'change' | 'snapshot';
  /** ISO 8601 time of the change. */
  occurredAt: string;
  /** Cloud accounts / subscriptions / projects the record concerns, for scoped exports. */
  accounts: string[];
}

export type ExportRecord =
  | (ExportRecordBase & { type: 'alert'; data: AlertExportData })
  | (ExportRecordBase & { type: 'recommendation'; data: RecommendationExportData })
  | (ExportRecordBase & { type: 'incident'; data: IncidentExportData })
  | (ExportRecordBase & { type: 'secure_score'; data: SecureScoreExportData })
  | (ExportRecordBase & { type: 'compliance'; data: ComplianceExportData });

/**
 * A destination. `send` resolves once the destination has accepted every record of the batch;
 * it rejects with a `SinkError` otherwise, and the whole batch is retried (records carry their
 * idempotency key, so a receiver can drop what it already has).
 */
export interface Sink {
  /** `syslog`, `splunk-hec`, `webhook`, `nats`, `slack`, `teams`, `servicenow`, `jira`, `email`. */
  readonly kind: string;
  send(records: readonly ExportRecord[], signal?: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

/** A failed delivery; `retryable` false sends the batch straight to the dead-letter list. */
export class SinkError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  /** How long the destination asked to wait before the next try (HTTP 429/503 Retry-After). */
  readonly retryAfterMs?: number;

  constructor(code: string, message: string, retryable: boolean, retryAfterMs?: number) {
    super(message);
    this.name = 'SinkError';
    this.code = code;
    this.retryable = retryable;
    if (retryAfterMs !== undefined) this.retryAfterMs = retryAfterMs;
  }
}
