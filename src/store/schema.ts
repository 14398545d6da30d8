/** The store's tables as Kysely sees them. JSON columns hold text; times are ISO strings. */

import type { Generated } from 'kysely';

export interface AssessmentTable {
  id: string;
  started_at: string;
  finished_at: string;
  targets: string;
  secure_score: number;
  resources: number;
  rules: number;
  pass: number;
  fail: number;
  not_applicable: number;
  error: number;
  exempt: number;
  /** Key of the sorted targets (see target-set.ts); null only before migration 0004 ran. */
  target_set: string | null;
}

export interface ControlScoreTable {
  assessment_id: string;
  control_id: string;
  title: string;
  max_score: number;
  current_score: number;
  healthy: number;
  unhealthy: number;
  not_applicable: number;
}

export interface FindingTable {
  id: Generated<number>;
  assessment_id: string;
  rule_id: string;
  resource_id: string;
  resource_type: string;
  resource_name: string;
  status: string;
  severity: string;
  control: string;
  message: string;
  file: string | null;
  line: number | null;
  exemption: string | null;
}

export interface ResourceTable {
  assessment_id: string;
  id: string;
  type: string;
  cloud: string;
  name: string;
  account: string | null;
  region: string | null;
  source_kind: string;
  file: string | null;
  line: number | null;
  tags: string;
  properties: string;
}

export interface SourceFileTable {
  assessment_id: string;
  file: string;
  kind: string;
  resources: number;
  error: string | null;
}

export interface AlertTable {
  id: string;
  title: string;
  description: string;
  severity: string;
  status: string;
  rule_kind: string;
  rule_id: string;
  rule_title: string;
  rule_author: string | null;
  rule_license: string | null;
  first_seen: string;
  last_seen: string;
  event_count: number;
  attack: string;
  entities: string;
  evidence: string;
  remediation: string;
  incident_id: string | null;
  /** JSON `AlertResource[]` (migration 0013). */
  resources: string;
}

export interface IncidentTable {
  id: string;
  title: string;
  severity: string;
  status: string;
  first_seen: string;
  last_seen: string;
  alerts: string;
  entities: string;
  tactics: string;
}

export interface Database {
  users: UserTable;
  api_tokens: ApiTokenTable;
  sessions: SessionTable;
  audit_log: AuditLogTable;
  alerts: AlertTable;
  incidents: IncidentTable;
  assessments: AssessmentTable;
  control_scores: ControlScoreTable;
  findings: FindingTable;
  resources: ResourceTable;
  source_files: SourceFileTable;
  finding_states: FindingStateTable;
  finding_events: FindingEventTable;
  received_records: ReceivedRecordTable;
}

/**
 * The receipt keys of records continuous detection took in lately (migration 0020), so that the
 * same record sent again is recognised (`received-records.ts`): one row per write, keys packed.
 */
export interface ReceivedRecordTable {
  seq: Generated<number>;
  /** Receipt times (epoch ms, the server's clock) of the row's earliest and latest key. */
  first_ms: number | string;
  last_ms: number | string;
  /** How many keys the row holds. */
  count: number;
  /** Base64 of the keys, 8 bytes each (the 16 hex digits as bytes). */
  keys: string;
  /** Base64 of each key's receipt time, 4 bytes each: milliseconds after `first_ms`. */
  times: string;
}

/** A person who logs in to the console. `scopes` is a JSON array; empty means every account. */
export interface UserTable {
  id: string;
  username: string;
  password_hash: string;
  role: string;
  scopes: string;
  disabled: number;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

/** An API token: only the SHA-256 of the secret is kept. */
export interface ApiTokenTable {
  id: string;
  name: string;
  token_hash: string;
  role: string;
  scopes: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

/** A console session: the cookie's secret and its CSRF token are kept as SHA-256 hashes. */
export interface SessionTable {
  id_hash: string;
  user_id: string;
  csrf_hash: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

/**
 * One audit entry; `hash` covers the entry's content and `prev_hash`: an HMAC under the server
 * key `key_id`, or plain SHA-256 for entries written before the chain was keyed. Append-only.
 */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  action: string;
  outcome: string;
  target_kind: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: string;
  prev_hash: string;
  hash: string;
  key_id: string | null;
}

/** Lifecycle of one failing (rule, resource) of a set of targets: `open` or `resolved`. */
export interface FindingStateTable {
  target_set: string;
  rule_id: string;
  resource_type: string;
  resource_id: string;
  resource_name: string;
  severity: string;
  status: string;
  first_seen: string;
  last_seen: string;
  status_changed_at: string;
  resolved_at: string | null;
  first_assessment_id: string;
  last_assessment_id: string;
}

/** One lifecycle change (`new`, `reopened`, `resolved`) caused by an assessment. */
export interface FindingEventTable {
  id: Generated<number>;
  assessment_id: string;
  target_set: string;
  rule_id: string;
  resource_type: string;
  resource_id: string;
  resource_name: string;
  severity: string;
  change: string;
  reason: string;
  at: string;
}
