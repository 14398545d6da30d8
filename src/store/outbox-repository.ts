/**
 * The export outbox: records are appended in the transaction of the change they report, so a
 * change is stored with its record or not at all, and read back in order by the exporter.
 */

import {
  sql,
  type Kysely,
  type OnConflictBuilder,
  type Selectable,
  type Transaction,
} from 'kysely';
import { alertResourceTags } from '../export/outbox/alert-records.js';
import type { ExportRecord } from '../model/export-record.js';
import { SEVERITIES, type Severity } from '../model/rule.js';
import { dialectOf } from './dialect.js';
import { insertPrepared, insertUnnest, withoutNul } from './batch-insert.js';
import { exportStore, type ExportOutboxTable, type ExportStore } from './export-store.js';
import type { Database } from './schema.js';

/** A stored outbox row. */
export type OutboxRow = Selectable<ExportOutboxTable>;

/** Rows one insert statement carries (11 columns each, far under every parameter limit). */
const ROWS_PER_INSERT = 500;

/** 0 informational .. 4 critical. */
export function severityRank(severity: Severity | string): number {
  const rank = SEVERITIES.indexOf(severity as Severity);
  return rank < 0 ? 0 : rank;
}

/** The severity a record carries, if its data type has one. */
export function recordSeverity(record: ExportRecord): Severity | undefined {
  if (record.type === 'alert') return record.data.alert.severity;
  if (record.type === 'incident') return record.data.incident.severity;
  if (record.type === 'recommendation') return record.data.severity;
  return undefined;
}

/** `key=value` tags of a record's resources, for tag-scoped exports. */
export function recordTags(record: ExportRecord): string[] {
  if (record.type === 'alert') return alertResourceTags(record.data.alert);
  if (record.type !== 'recommendation') return [];
  return Object.entries(record.data.tags ?? {}).map(([k, v]) => `${k}=${v}`);
}

/**
 * Takes the outbox lock for a transaction that reads before it writes the outbox, so two writers
 * append in turn. On PostgreSQL: the advisory lock `appendOutbox` would take anyway. SQLite
 * transactions already hold the write lock from their start (`BEGIN IMMEDIATE`, see
 * `openStore`).
 */
export async function lockOutbox(trx: Kysely<Database> | Transaction<Database>): Promise<void> {
  if (dialectOf(trx) === 'postgres') {
    await sql`select pg_advisory_xact_lock(hashtext('palisade:export-outbox'))`.execute(trx);
  }
}

/**
 * True when the store has an outbox consumer (an export or an automation rule: a row in
 * `export_deliveries`). A consumer starts at the end of the outbox as it is created (see
 * `startConsumerDelivery`) and gets a snapshot of the current state instead of the history, so a
 * record appended while there is none would never be delivered to anyone: it would only fill the
 * store until pruned (on a first scan of a large estate, a third of the file and half the time
 * of the save). Writers skip such records, and building them.
 *
 * Ask after `lockOutbox` (`appendOutbox` does): creating a consumer takes the same lock, so on
 * PostgreSQL a consumer created while a save runs either is seen here or starts after the
 * save's records. (SQLite transactions are serialized anyway.)
 */
export async function hasOutboxConsumers(
  trx: Kysely<Database> | Transaction<Database>,
): Promise<boolean> {
  const row = await exportStore(trx as Kysely<Database>)
    .selectFrom('export_deliveries')
    .select('consumer')
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Appends `records` to the outbox inside the caller's transaction. A record whose id is already
 * there is skipped (the same change reported twice is one record). `target` limits the rows to
 * one export (snapshots for it). Records for every consumer (`target` null) are dropped while
 * the store has no consumer (see `hasOutboxConsumers`).
 *
 * ```ts
 * await db.transaction().execute(async (trx) => {
 *   await saveAlertsIn(trx, alerts, incidents); // calls appendOutbox itself
 * });
 * ```
 */
export async function appendOutbox(
  trx: Kysely<Database> | Transaction<Database>,
  records: readonly ExportRecord[],
  now: Date,
  target: string | null = null,
): Promise<void> {
  if (records.length === 0) return;
  // Outbox writers take turns until they commit, so sequence numbers become visible in order
  // and the exporter's cursor never passes a row a slower transaction has yet to commit.
  await lockOutbox(trx);
  if (target === null && !(await hasOutboxConsumers(trx))) return;
  const created = now.toISOString();
  const rows = [...new Map(records.map((r) => [r.id, r])).values()].map((r) => {
    const severity = recordSeverity(r);
    return {
      record_id: r.id,
      type: r.type,
      kind: r.kind,
      severity_rank: severity === undefined ? null : severityRank(severity),
      accounts: JSON.stringify(r.accounts),
      tags: JSON.stringify(recordTags(r)),
      target,
      occurred_at: r.occurredAt,
      created_at: created,
      body: JSON.stringify(r),
    };
  });
  const db = exportStore(trx as Kysely<Database>);
  const skipKnown = (oc: OnConflictBuilder<ExportStore, 'export_outbox'>) =>
    oc.column('record_id').doNothing();
  if (insertPrepared(db, 'export_outbox', rows, skipKnown)) return;
  if (dialectOf(trx) === 'postgres') {
    await insertUnnest(trx, 'export_outbox', rows.map(withoutNul), 'record_id');
    return;
  }
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    await db
      .insertInto('export_outbox')
      .values(rows.slice(i, i + ROWS_PER_INSERT))
      .onConflict(skipKnown)
      .execute();
  }
}

/**
 * Up to `limit` outbox rows after `afterSeq`, in order, that are for every consumer or for
 * `target`. Reading page by page keeps the exporter's memory bounded however far behind it is.
 */
export async function outboxPage(
  db: Kysely<Database>,
  afterSeq: number,
  limit: number,
  target?: string,
): Promise<OutboxRow[]> {
  let query = exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit);
  query = target
    ? query.where((eb) => eb.or([eb('target', 'is', null), eb('target', '=', target)]))
    : query.where('target', 'is', null);
  return query.execute();
}

/** The outbox rows with these sequence numbers. */
export async function outboxRows(
  db: Kysely<Database>,
  seqs: readonly number[],
): Promise<OutboxRow[]> {
  if (seqs.length === 0) return [];
  return exportStore(db)
    .selectFrom('export_outbox')
    .selectAll()
    .where('seq', 'in', [...seqs])
    .orderBy('seq')
    .execute();
}

/** The highest sequence number in the outbox (0 when empty). */
export async function lastOutboxSeq(db: Kysely<Database>): Promise<number> {
  const row = await exportStore(db)
    .selectFrom('export_outbox')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/** Parses an outbox row's record. */
export function recordOf(row: OutboxRow): ExportRecord {
  return JSON.parse(row.body) as ExportRecord;
}

/** How long the outbox keeps what was delivered, and dead letters. */
export interface OutboxRetention {
  /** Days a record stays after every consumer has passed it (for inspection, not replay). */
  recordDays: number;
  /** Days a dead letter stays: from its failure, or from its replay once replayed. */
  deadLetterDays: number;
}

export const OUTBOX_RETENTION: OutboxRetention = { recordDays: 7, deadLetterDays: 30 };

/** Outbox rows one delete statement covers, so a long backlog goes in short transactions. */
const PRUNE_SPAN = 10_000;

const DAY_MS = 86_400_000;

/**
 * Deletes what no consumer will read again: dead letters past `deadLetterDays` (a dead one
 * left unreplayed that long is given up), then outbox records older than `recordDays` that every
 * consumer's cursor has passed and no remaining dead letter points at. New consumers start at
 * the end of the outbox, so nothing before the lowest cursor is read again. Returns the counts.
 *
 * ```ts
 * const { records, deadLetters } = await pruneOutbox(db, new Date());
 * ```
 */
export async function pruneOutbox(
  db: Kysely<Database>,
  now: Date,
  retention: OutboxRetention = OUTBOX_RETENTION,
): Promise<{ records: number; deadLetters: number }> {
  const store = exportStore(db);
  const letterCutoff = new Date(now.getTime() - retention.deadLetterDays * DAY_MS).toISOString();
  const letters = await store
    .deleteFrom('export_dead_letters')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'replayed'), eb('replayed_at', '<', letterCutoff)]),
        eb.and([eb('status', '=', 'dead'), eb('failed_at', '<', letterCutoff)]),
      ]),
    )
    .executeTakeFirst();

  const lowest = await store
    .selectFrom('export_deliveries')
    .select((eb) => eb.fn.min('cursor_seq').as('seq'))
    .executeTakeFirst();
  const floor = lowest?.seq == null ? (await lastOutboxSeq(db)) + 1 : Number(lowest.seq) + 1;
  const first = await store
    .selectFrom('export_outbox')
    .select((eb) => eb.fn.min('seq').as('seq'))
    .executeTakeFirst();
  const recordCutoff = new Date(now.getTime() - retention.recordDays * DAY_MS).toISOString();
  let records = 0;
  for (let from = Number(first?.seq ?? floor); from < floor; from += PRUNE_SPAN) {
    const result = await store
      .deleteFrom('export_outbox')
      .where('seq', '>=', from)
      .where('seq', '<', Math.min(floor, from + PRUNE_SPAN))
      .where('created_at', '<', recordCutoff)
      .where('seq', 'not in', (eb) => eb.selectFrom('export_dead_letters').select('outbox_seq'))
      .executeTakeFirst();
    records += Number(result.numDeletedRows);
  }
  return { records, deadLetters: Number(letters.numDeletedRows) };
}
