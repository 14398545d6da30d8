/**
 * The tables of continuous export and workflow automation (migration 0009) as Kysely sees them,
 * and `exportStore`, which types a store handle with them.
 */

import type { Generated, Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** One export record waiting to be (or already) delivered; `seq` orders delivery. */
export interface ExportOutboxTable {
  seq: Generated<number>;
  /** The record's idempotency key: the same change always gets the same one. */
  record_id: string;
  type: string;
  kind: string;
  /** 0 informational .. 4 critical; null for data types without a severity. */
  severity_rank: number | null;
  /** JSON array of cloud accounts. */
  accounts: string;
  /** JSON array of `key=value` resource tags, for tag-scoped exports. */
  tags: string;
  /** An export id when the row is part of a snapshot for that export alone; null for all. */
  target: string | null;
  occurred_at: string;
  created_at: string;
  /** The ExportRecord as JSON. */
  body: string;
}

/** Where one consumer (`export:<id>` or `automation:<id>`) stands in the outbox. */
export interface ExportDeliveryTable {
  consumer: string;
  /** Every outbox row up to this seq is settled: delivered, filtered out or dead-lettered. */
  cursor_seq: number;
  /** Failed attempts of the batch after the cursor. */
  attempts: number;
  /**
   * The last seq of that batch while it is failing: it is retried as it was when it first
   * failed, so a record appended since waits for a batch with attempts of its own.
   */
  batch_end_seq: number | null;
  next_attempt_at: string | null;
  last_error: string | null;
  /** The exporter process holding this consumer, and until when. */
  lease_owner: string | null;
  lease_until: string | null;
  delivered: number;
  updated_at: string;
}

/** A record a consumer gave up on after its attempts; `status` dead, replay or replayed. */
export interface ExportDeadLetterTable {
  id: Generated<number>;
  consumer: string;
  outbox_seq: number;
  record_id: string;
  attempts: number;
  error: string;
  status: string;
  failed_at: string;
  replayed_at: string | null;
}

/** A configured export: what (scope, filters), how (format) and where (sink). */
export interface ExportsTable {
  id: string;
  name: string;
  enabled: number;
  scope_kind: string;
  scope_value: string | null;
  /** JSON array of data types. */
  data_types: string;
  min_severity: string | null;
  format: string;
  sink_kind: string;
  /** The sink configuration without its secrets, as JSON. */
  sink_config: string;
  /** The secrets, as JSON encrypted with the server key (AES-256-GCM); null when none. */
  sink_secrets: string | null;
  max_attempts: number;
  batch_size: number;
  snapshot_minutes: number | null;
  last_snapshot_at: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** A workflow automation rule: triggers, conditions and actions, as JSON. */
export interface AutomationRulesTable {
  id: string;
  name: string;
  enabled: number;
  triggers: string;
  conditions: string;
  /** Actions with their sink configurations stripped of secrets. */
  actions: string;
  /** Per-action secrets, as JSON encrypted with the server key; null when none. */
  action_secrets: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** One run of an automation rule on one record, with its outcome. */
export interface AutomationRunsTable {
  id: Generated<number>;
  rule_id: string;
  record_id: string;
  outbox_seq: number;
  trigger: string;
  started_at: string;
  finished_at: string;
  /** `success` or `failure`. */
  outcome: string;
  /** JSON: each action's result. */
  detail: string;
}

/** The last compliance state of each standard control for one set of targets. */
export interface ComplianceStatesTable {
  target_set: string;
  standard: string;
  control_id: string;
  standard_name: string;
  control_name: string;
  state: string;
  passed: number;
  failed: number;
  assessment_id: string;
  accounts: string;
}

/** The store with the export and automation tables. */
export type ExportStore = Database & {
  export_outbox: ExportOutboxTable;
  export_deliveries: ExportDeliveryTable;
  export_dead_letters: ExportDeadLetterTable;
  exports: ExportsTable;
  automation_rules: AutomationRulesTable;
  automation_runs: AutomationRunsTable;
  compliance_states: ComplianceStatesTable;
};

/** `db` (or a transaction) with the export tables typed. */
export function exportStore(db: Kysely<Database> | Transaction<Database>): Kysely<ExportStore> {
  return db as unknown as Kysely<ExportStore>;
}
