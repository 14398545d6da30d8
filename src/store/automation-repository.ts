/**
 * Stored workflow automation rules (action secrets sealed by the server key, like exports) and
 * the record of every run with its outcome.
 */

import { newId } from '../server/auth/secrets.js';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type {
  AutomationAction,
  AutomationConditions,
  AutomationSettings,
  AutomationTrigger,
} from '../automate/automation-rule.js';
import { openSecrets, redacted, sealSecrets, splitSecrets } from '../export/exporter-secrets.js';
import type { ServerKey } from '../server/auth/server-key.js';
import {
  deleteConsumerDelivery,
  skipToOutboxEnd,
  startConsumerDelivery,
} from './consumer-delivery.js';
import {
  exportStore,
  type AutomationRulesTable,
  type AutomationRunsTable,
} from './export-store.js';
import type { Database } from './schema.js';

export type AutomationRow = Selectable<AutomationRulesTable>;
export type AutomationRunRow = Selectable<AutomationRunsTable>;

/** An automation rule as listed: action secrets shown as `********`. */
export interface AutomationDefinition {
  id: string;
  name: string;
  enabled: boolean;
  triggers: AutomationTrigger[];
  conditions: AutomationConditions;
  actions: { sink: Record<string, unknown>; secretFields: string[] }[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** One run as listed. */
export interface AutomationRun {
  id: number;
  ruleId: string;
  recordId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  outcome: 'success' | 'failure';
  /** Each action's result; `earlier` when it had succeeded in an earlier attempt and was not sent again. */
  actions: { kind: string; ok: boolean; error?: string; earlier?: true }[];
}

/** The consumer name of a rule in the delivery tables. */
export function automationConsumer(id: string): string {
  return `automation:${id}`;
}

const context = (id: string) => `automation:${id}`;

interface StoredAction {
  sink: Record<string, unknown>;
  secretFields: string[];
}

/** A stored rule as listed. */
export function automationView(row: AutomationRow): AutomationDefinition {
  const actions = JSON.parse(row.actions) as StoredAction[];
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled === 1,
    triggers: JSON.parse(row.triggers) as AutomationTrigger[],
    conditions: JSON.parse(row.conditions) as AutomationConditions,
    actions: actions.map((a) => ({
      sink: redacted(a.sink, a.secretFields),
      secretFields: a.secretFields,
    })),
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The columns that hold `settings`, the actions' secrets sealed to the row `id`. */
function settingsColumns(id: string, settings: AutomationSettings, key: ServerKey) {
  const split = settings.actions.map((a) => splitSecrets(a.sink));
  const secrets = split.map((s) => s.secrets);
  return {
    name: settings.name,
    enabled: settings.enabled ? 1 : 0,
    triggers: JSON.stringify(settings.triggers),
    conditions: JSON.stringify(settings.conditions),
    actions: JSON.stringify(
      split.map((s) => ({ sink: s.open, secretFields: Object.keys(s.secrets) })),
    ),
    action_secrets: secrets.some((s) => Object.keys(s).length > 0)
      ? sealSecrets(key, { actions: secrets }, context(id))
      : null,
  };
}

/** Stores a new rule in the caller's transaction; it acts on changes from now on. */
export async function insertAutomationRule(
  trx: Transaction<Database>,
  settings: AutomationSettings,
  key: ServerKey,
  createdBy: string,
  now: Date,
): Promise<AutomationRow> {
  const id = newId(9);
  const at = now.toISOString();
  const row: AutomationRow = {
    id,
    ...settingsColumns(id, settings, key),
    created_by: createdBy,
    created_at: at,
    updated_at: at,
  };
  await exportStore(trx).insertInto('automation_rules').values(row).execute();
  await startConsumerDelivery(trx, automationConsumer(id), at);
  return row;
}

/**
 * Rewrites a rule's settings in the caller's transaction. A rule enabled again acts on changes
 * from then on, as a new rule does: tickets and messages for what happened while it was paused
 * would arrive late and all at once. (An export, by contrast, catches up: a SIEM wants it all.)
 */
export async function updateAutomationRule(
  trx: Transaction<Database>,
  row: AutomationRow,
  settings: AutomationSettings,
  key: ServerKey,
  now: Date,
): Promise<AutomationRow> {
  const values = { ...settingsColumns(row.id, settings, key), updated_at: now.toISOString() };
  await exportStore(trx)
    .updateTable('automation_rules')
    .set(values)
    .where('id', '=', row.id)
    .execute();
  if (row.enabled === 0 && settings.enabled) {
    await skipToOutboxEnd(trx, automationConsumer(row.id), values.updated_at);
  }
  return { ...row, ...values };
}

/** Every rule, oldest first. */
export async function listAutomationRows(db: Kysely<Database>): Promise<AutomationRow[]> {
  return exportStore(db)
    .selectFrom('automation_rules')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/** One rule, or undefined. */
export async function findAutomationRow(
  db: Kysely<Database>,
  id: string,
): Promise<AutomationRow | undefined> {
  return exportStore(db)
    .selectFrom('automation_rules')
    .selectAll()
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Deletes a rule with its delivery state and dead letters; its runs stay as history. */
export async function deleteAutomationRule(
  trx: Transaction<Database>,
  id: string,
): Promise<boolean> {
  const result = await exportStore(trx)
    .deleteFrom('automation_rules')
    .where('id', '=', id)
    .executeTakeFirst();
  await deleteConsumerDelivery(trx, automationConsumer(id));
  return Number(result.numDeletedRows) > 0;
}

/** The rule's actions with their secrets decrypted, for `createSink`. */
export function automationActions(row: AutomationRow, key: ServerKey): AutomationAction[] {
  const stored = JSON.parse(row.actions) as StoredAction[];
  const sealed = openSecrets(key, row.action_secrets, context(row.id)) as {
    actions?: Record<string, unknown>[];
  };
  return stored.map((a, i) => ({
    sink: { ...a.sink, ...(sealed.actions?.[i] ?? {}) } as AutomationAction['sink'],
  }));
}

/** Records one run. */
export async function insertAutomationRun(
  db: Kysely<Database>,
  run: Omit<AutomationRun, 'id'> & { outboxSeq: number },
): Promise<void> {
  await exportStore(db)
    .insertInto('automation_runs')
    .values({
      rule_id: run.ruleId,
      record_id: run.recordId,
      outbox_seq: run.outboxSeq,
      trigger: run.trigger,
      started_at: run.startedAt,
      finished_at: run.finishedAt,
      outcome: run.outcome,
      detail: JSON.stringify(run.actions),
    })
    .execute();
}

/**
 * Positions of the rule's actions that already succeeded for the record in runs started at or
 * after `since` (the rule's last change: an edited rule's positions may name other actions).
 */
export async function succeededActions(
  db: Kysely<Database>,
  ruleId: string,
  recordId: string,
  since: string,
): Promise<Set<number>> {
  const rows = await exportStore(db)
    .selectFrom('automation_runs')
    .select(['detail', 'started_at'])
    .where('rule_id', '=', ruleId)
    .where('record_id', '=', recordId)
    .execute();
  const done = new Set<number>();
  for (const row of rows) {
    if (row.started_at < since) continue;
    const actions = JSON.parse(row.detail) as AutomationRun['actions'];
    actions.forEach((a, i) => {
      if (a.ok) done.add(i);
    });
  }
  return done;
}

/** A rule's runs, newest first. */
export async function listAutomationRuns(
  db: Kysely<Database>,
  ruleId: string,
  limit = 100,
): Promise<AutomationRun[]> {
  const rows = await exportStore(db)
    .selectFrom('automation_runs')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: Number(r.id),
    ruleId: r.rule_id,
    recordId: r.record_id,
    trigger: r.trigger,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    outcome: r.outcome as AutomationRun['outcome'],
    actions: JSON.parse(r.detail) as AutomationRun['actions'],
  }));
}
