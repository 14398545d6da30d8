/**
 * Admission decisions in the store: every answer the webhook gave, with the request it judged,
 * written in batches and read back for the API and for what-if.
 */

import type { Kysely, Selectable } from 'kysely';

/** The `admission_decisions` table (migration 0011). */
export interface AdmissionDecisionTable {
  id: string;
  /** The AdmissionReview request uid. */
  uid: string;
  /** When the decision was made (ISO 8601). */
  time: string;
  /** `group/version` of the object (`v1` for the core group). */
  api_version: string;
  kind: string;
  namespace: string | null;
  name: string;
  operation: string;
  user_name: string;
  /** 1 allowed, 0 denied. */
  allowed: number;
  /** 1 when the API server persisted nothing (a dry run). */
  dry_run: number;
  /** How the answer came about; see `DecisionMode`. */
  mode: string;
  /** JSON array of the rule ids that denied, warned or were exempt. */
  rule_ids: string;
  /** JSON array of `{ id, mode, reason }`, one per failing rule. */
  rules: string;
  message: string | null;
  /** The judged object as JSON, when small enough to keep; what-if judges it again. */
  object: string | null;
}

/**
 * How a decision came about: `deny` (a deny-mode rule failed), `audit` (only audit-mode rules
 * failed: allowed with warnings), `pass` (no enforced rule failed), `exempt` (namespace
 * exempted), `skip` (nothing to judge: DELETE, CONNECT, a subresource), `error` (the webhook
 * could not judge; the failure policy chose the answer).
 */
export type DecisionMode = 'deny' | 'audit' | 'pass' | 'exempt' | 'skip' | 'error';

/** One failing rule behind a decision. */
export interface DecisionRule {
  id: string;
  mode: 'deny' | 'audit';
  reason: string;
  /** Set when an exemption covers the failure: it neither denied nor warned. */
  exemption?: {
    category: 'waiver' | 'mitigated';
    justification: string;
    /** `file:line` of the exemption. */
    source: string;
    expires?: string;
  };
}

/** A decision as the webhook makes it, before it is stored. */
export interface AdmissionDecisionRecord {
  id: string;
  uid: string;
  time: Date;
  apiVersion: string;
  kind: string;
  namespace: string | null;
  name: string;
  operation: string;
  user: string;
  allowed: boolean;
  dryRun: boolean;
  mode: DecisionMode;
  rules: DecisionRule[];
  message: string | null;
  object: unknown;
}

export type AdmissionDecisionRow = Selectable<AdmissionDecisionTable>;
export type AdmissionDecisionDb = Kysely<{ admission_decisions: AdmissionDecisionTable }>;

/** Objects larger than this (as JSON) are not kept; what-if then cannot judge them again. */
export const MAX_STORED_OBJECT_CHARS = 256 * 1024;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withDecisions = (db: Kysely<any>) => db as AdmissionDecisionDb;

/**
 * The object as stored: its JSON, or null when it is too large, or nested too deep for
 * `JSON.stringify` (a forged review can nest thousands of levels): the decision is kept without it.
 */
function storedObject(object: unknown): string | null {
  if (object === undefined) return null;
  let text: string;
  try {
    text = JSON.stringify(object);
  } catch {
    return null;
  }
  return text !== undefined && text.length <= MAX_STORED_OBJECT_CHARS ? text : null;
}

/** The row for a decision. */
export function decisionRow(d: AdmissionDecisionRecord): AdmissionDecisionRow {
  return {
    id: d.id,
    uid: d.uid,
    time: d.time.toISOString(),
    api_version: d.apiVersion,
    kind: d.kind,
    namespace: d.namespace,
    name: d.name,
    operation: d.operation,
    user_name: d.user,
    allowed: d.allowed ? 1 : 0,
    dry_run: d.dryRun ? 1 : 0,
    mode: d.mode,
    rule_ids: JSON.stringify(d.rules.map((r) => r.id)),
    rules: JSON.stringify(d.rules),
    message: d.message,
    object: storedObject(d.object),
  };
}

/** The API view of a stored decision. */
export function decisionView(row: AdmissionDecisionRow) {
  return {
    id: row.id,
    uid: row.uid,
    time: row.time,
    apiVersion: row.api_version,
    kind: row.kind,
    namespace: row.namespace,
    name: row.name,
    operation: row.operation,
    user: row.user_name,
    allowed: row.allowed === 1,
    dryRun: row.dry_run === 1,
    mode: row.mode as DecisionMode,
    ruleIds: JSON.parse(row.rule_ids) as string[],
    rules: JSON.parse(row.rules) as DecisionRule[],
    message: row.message,
  };
}

/** Rows per INSERT: well under SQLite's 32,766 bound parameters at 16 columns a row. */
const BATCH_ROWS = 500;

/** Inserts decisions, in batches. */
export async function insertDecisions(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  decisions: AdmissionDecisionRecord[],
): Promise<void> {
  for (let i = 0; i < decisions.length; i += BATCH_ROWS) {
    const rows = decisions.slice(i, i + BATCH_ROWS).map(decisionRow);
    await withDecisions(db).insertInto('admission_decisions').values(rows).execute();
  }
}

/** A query over stored decisions, for paginated lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function decisionsQuery(db: Kysely<any>) {
  return withDecisions(db).selectFrom('admission_decisions').selectAll();
}

/** Decisions made at or after `since`, newest first, at most `limit`. */
export async function recentDecisions(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  since: Date,
  limit: number,
): Promise<AdmissionDecisionRow[]> {
  return decisionsQuery(db)
    .where('time', '>=', since.toISOString())
    .orderBy('time', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

/** Deletes decisions made before `before`; returns how many. */
export async function pruneDecisions(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  before: Date,
): Promise<number> {
  const result = await withDecisions(db)
    .deleteFrom('admission_decisions')
    .where('time', '<', before.toISOString())
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
