/**
 * What the console reads from the API, in the API's vocabulary. Shapes follow the route schemas
 * in /api/v1/openapi.json; fields the console does not show are left out.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'informational';
export type PersonRole = 'reader' | 'security-operator' | 'security-admin' | 'owner';
/** A token may also hold a machine's role: send events only, or read metrics only. */
export type Role = PersonRole | 'ingest' | 'metrics';
export type AlertStatus = 'active' | 'in_progress' | 'resolved' | 'dismissed';

/** A list route's page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface Me {
  kind: 'user' | 'token';
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  /** What the role may do (`users:write`, `exemptions:write`...): the console hides the rest. */
  permissions: string[];
}

export interface ControlScore {
  id: string;
  title: string;
  maxScore: number;
  currentScore: number;
  healthy: number;
  unhealthy: number;
  notApplicable: number;
}

/** The latest assessment of a source that an answer is computed from. */
export interface CurrentAssessment {
  id: string;
  startedAt: string;
  source: { id: string; name: string } | null;
}

export interface Score {
  /** Percentage; null before anything was assessed. */
  secureScore: number | null;
  maxScore: number;
  currentScore: number;
  assessments: CurrentAssessment[];
  controls: ControlScore[];
}

export interface ScorePoint {
  assessmentId: string;
  startedAt: string;
  /** Null when the assessment judged nothing the caller may see (not assessed, never 100). */
  secureScore: number | null;
  source: { id: string; name: string } | null;
}

export interface Recommendation {
  ruleId: string;
  title: string;
  severity: Severity;
  control: string;
  failing: number;
  passing: number;
  exempt: number;
  /** The control's potential increase, shared by its recommendations. */
  potentialIncrease: number;
  /** This rule's part of the control's potential increase. */
  scoreShare: number;
  /** Place in the ranking `scan` prints (1 first); null when nothing fails. */
  rank: number | null;
  remediation: string;
  cloud: string | null;
  notApplicable: number;
}

/** What creating or deleting an exemption changed besides the exemption itself. */
export interface ExemptionChange {
  exemption: Exemption;
  /** Stored CLI scans derived again, or left as they were (`skipped` says why). */
  rederived: { assessmentId: string; targets: string[]; changed: number; skipped: string | null }[];
}

/** One finding: a rule's verdict on one resource. */
export interface Finding {
  id: number;
  ruleId: string;
  resourceId: string;
  resourceName: string;
  resourceType: string;
  account: string | null;
  status: 'pass' | 'fail' | 'not_applicable' | 'error';
  message: string;
  file: string | null;
  line: number | null;
  exemption: { category: string; justification: string; source: string; expires?: string } | null;
}

export interface RecommendationDetail extends Recommendation {
  description: string;
  references: string[];
  mappings: Record<string, string[]>;
  remediationSteps: {
    text: string;
    cli?: string;
    terraform?: string;
    cloudformation?: string;
    arm?: string;
    kubernetes?: string;
  };
  resources: {
    failing: Finding[];
    passing: Finding[];
    exempt: Finding[];
    notApplicable: Finding[];
  };
}

export interface Exemption {
  id: string;
  rule: string;
  resource: string;
  category: 'waiver' | 'mitigated';
  justification: string;
  expires: string | null;
  active: boolean;
  createdAt: string;
  createdBy: string;
}

export interface ComplianceControl {
  id: string;
  title: string;
  state: 'passed' | 'failed' | 'not_assessed' | 'manual';
  rules: string[];
  failing: number;
  passing: number;
}

export interface StandardSummary {
  id: string;
  name: string;
  passed: number;
  failed: number;
  /** Controls whose rules judged nothing in this input (the manual ones apart). */
  notAssessed: number;
  /** Controls no rule checks: to be assessed by hand. */
  manual: number;
}

export interface Standard extends StandardSummary {
  controls: ComplianceControl[];
}

export interface ControlDetail extends ComplianceControl {
  standard: string;
  findings: Finding[];
}

/** A resource of the latest assessments with its health. */
export interface Resource {
  /** Unique in the list (assessment, type and id). */
  key: string;
  assessmentId: string;
  id: string;
  type: string;
  cloud: string;
  name: string;
  account: string | null;
  region: string | null;
  sourceKind: string;
  file: string | null;
  line: number | null;
  health: 'healthy' | 'unhealthy' | 'not_assessed';
  failing: number;
  passing: number;
  exempt: number;
  worstSeverity?: Severity | null;
}

/** GET /resources/detail: one resource with its tags, properties and findings. */
export interface ResourceDetail extends Omit<
  Resource,
  'health' | 'failing' | 'passing' | 'exempt' | 'worstSeverity'
> {
  tags: Record<string, string>;
  properties: Record<string, unknown>;
  findings: Finding[];
}

export interface AlertEntity {
  kind: string;
  value: string;
  /** `actor`: the account that did what the alert is about (the login after a brute force). */
  role?: 'actor';
}

export interface AlertRule {
  kind: 'sigma' | 'builtin' | 'external';
  id: string;
  title: string;
  author?: string | null;
  license?: string | null;
  source?: string | null;
  references?: string[];
}

export interface Alert {
  id: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  attack: { tactics: string[]; techniques: string[] };
  entities: AlertEntity[];
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  account: string | null;
  rule: AlertRule;
  incidentId: string | null;
}

/** One alert with its evidence and remediation (GET /alerts/:id). */
/** An assessed resource an alert's entities name. */
export interface AlertResource {
  id: string;
  type: string;
  name: string;
  account?: string;
  tags: Record<string, string>;
}

export interface AlertDetail extends Alert {
  description: string;
  evidence: unknown[];
  remediation: string[];
  resources: AlertResource[];
}

/** One status change or comment on an alert. */
export interface TimelineEntry {
  id: number;
  alertId: string;
  at: string;
  actor: { kind: string; id: string | null; name: string | null };
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  firstSeen: string;
  lastSeen: string;
  /** Alert ids in kill-chain order. */
  alertIds: string[];
  entities: AlertEntity[];
  tactics: string[];
}

/** One incident with its alerts in kill-chain order (GET /incidents/:id). */
export interface IncidentDetail extends Incident {
  alerts: Alert[];
}

/** One status change or comment on an incident. */
export interface IncidentTimelineEntry {
  id: number;
  incidentId: string;
  at: string;
  actor: { kind: string; id: string | null; name: string | null };
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

export interface User {
  id: string;
  username: string;
  role: Role;
  scopes: string[];
  disabled: boolean;
  lastLoginAt: string | null;
}

export interface Token {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  createdBy: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface Source {
  id: string;
  name: string;
  paths: string[];
  intervalMinutes: number;
  createdBy: string;
  lastRunAt: string | null;
  lastAssessmentId: string | null;
  lastError: string | null;
}

/** The clouds Palisade assesses, as the API names them. */
export const CLOUDS = ['aws', 'azure', 'gcp', 'kubernetes'] as const;

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];
export const ALERT_STATUSES: AlertStatus[] = ['active', 'in_progress', 'resolved', 'dismissed'];
