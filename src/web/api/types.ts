/**
 * What the console reads from the API, in the API's vocabulary. Shapes follow the route schemas
 * in /api/v1/openapi.json; fields the console does not show are left out.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'informational';
export type Role = 'reader' | 'security-operator' | 'security-admin' | 'owner';
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

export interface Score {
  assessmentId: string;
  at: string;
  secureScore: number;
  controls?: ControlScore[];
}

export interface ScorePoint {
  assessmentId?: string;
  at: string;
  secureScore: number;
}

export interface Recommendation {
  ruleId: string;
  title: string;
  severity: Severity;
  control: string;
  failing: number;
  passing: number;
  exempt: number;
  potentialIncrease: number;
  remediation: string;
  cloud?: string;
}

export interface AffectedResource {
  resourceId: string;
  resourceName: string;
  resourceType: string;
  status: string;
  message: string;
  file?: string | null;
  line?: number | null;
  exemption?: unknown;
}

export interface RecommendationDetail extends Recommendation {
  description?: string;
  rationale?: string;
  references?: string[];
  resources?: AffectedResource[];
  findings?: AffectedResource[];
}

export interface Exemption {
  id: string;
  rule: string;
  resource: string;
  category: 'waiver' | 'mitigated';
  justification: string;
  expires?: string | null;
  createdAt?: string;
  createdBy?: string;
}

export interface ComplianceControl {
  id: string;
  title: string;
  state: 'passed' | 'failed' | 'not_assessed';
  rules: string[];
  failing: number;
  passing: number;
}

export interface Standard {
  id: string;
  name: string;
  passed: number;
  failed: number;
  notAssessed: number;
  controls?: ComplianceControl[];
}

export interface Resource {
  id: string;
  type: string;
  cloud: string;
  name: string;
  account?: string | null;
  region?: string | null;
  sourceKind?: string;
  file?: string | null;
  line?: number | null;
  health?: 'healthy' | 'unhealthy' | 'not_applicable' | string;
  failing?: number;
  passing?: number;
}

export interface AlertEntity {
  kind: string;
  value: string;
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
  description: string;
  severity: Severity;
  status: AlertStatus;
  attack: { tactics: string[]; techniques: string[] };
  entities: AlertEntity[];
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  evidence?: unknown[];
  remediation?: string[];
  rule: AlertRule;
  incidentId?: string | null;
}

export interface TimelineEntry {
  at: string;
  actor?: { kind?: string; id?: string | null; name?: string | null } | null;
  actorName?: string | null;
  fromStatus: string;
  toStatus: string;
  comment?: string | null;
}

export interface Incident {
  id: string;
  title: string;
  severity: Severity;
  status: AlertStatus;
  firstSeen: string;
  lastSeen: string;
  alerts: string[];
  entities: AlertEntity[];
  tactics: string[];
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
  name?: string;
  kind?: string;
  paths?: string[];
  intervalMinutes?: number | null;
  lastAssessedAt?: string | null;
}

export const SEVERITIES: Severity[] = ['critical', 'high', 'medium', 'low', 'informational'];
export const ALERT_STATUSES: AlertStatus[] = ['active', 'in_progress', 'resolved', 'dismissed'];
