/**
 * Delivery state of each outbox consumer (an export or an automation rule): a cursor below which
 * every record is settled, the failed attempts of the batch after it, a lease so one exporter
 * process at a time drives a consumer, and the dead-letter list with its replays.
 */

import { sql, type Kysely, type Selectable } from 'kysely';
import {
  exportStore,
  type ExportDeadLetterTable,
  type ExportDeliveryTable,
} from './export-store.js';
import type { Database } from './schema.js';

export type DeliveryState = Selectable<ExportDeliveryTable>;
export type DeadLetterRow = Selectable<ExportDeadLetterTable>;

/** Dead-letter statuses: given up on, asked to be sent again, sent again. */
export type DeadLetterStatus = 'dead' | 'replay' | 'replayed';

/** Creates the consumer's delivery row at `startSeq` when it has none. */
export async function ensureDelivery(
  db: Kysely<Database>,
  consumer: string,
  now: Date,
  startSeq = 0,
): Promise<void> {
  await exportStore(db)
    .insertInto('export_deliveries')
    .values({
      consumer,
      cursor_seq: startSeq,
      attempts: 0,
      delivered: 0,
      updated_at: now.toISOString(),
    })
    .onConflict((oc) => oc.column('consumer').doNothing())
    .execute();
}

/** The consumer's delivery state, or undefined. */
export async function deliveryState(
  db: Kysely<Database>,
  consumer: string,
): Promise<DeliveryState | undefined> {
  return exportStore(db)
    .selectFrom('export_deliveries')
    .selectAll()
    .where('consumer', '=', consumer)
    .executeTakeFirst();
}

/**
 * Takes (or renews) the consumer's lease for `owner` until `now + leaseMs`; false while another
 * live owner holds it. An owner that restarts under the same name takes its lease back at once.
 */
export async function claimLease(
  db: Kysely<Database>,
  consumer: string,
  owner: string,
  now: Date,
  leaseMs: number,
): Promise<boolean> {
  const result = await exportStore(db)
    .updateTable('export_deliveries')
    .set({ lease_owner: owner, lease_until: new Date(now.getTime() + leaseMs).toISOString() })
    .where('consumer', '=', consumer)
    .where((eb) =>
      eb.or([
        eb('lease_owner', 'is', null),
        eb('lease_owner', '=', owner),
        eb('lease_until', '<', now.toISOString()),
      ]),
    )
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Extends `owner`'s lease on the consumer to `until`, only while `owner` holds it still: an
 * exporter does this before each send, so no send starts on a lease another exporter has taken
 * over. False when the lease is lost (taken over, or given up).
 */
export async function extendLease(
  db: Kysely<Database>,
  consumer: string,
  owner: string,
  until: Date,
): Promise<boolean> {
  const result = await exportStore(db)
    .updateTable('export_deliveries')
    .set({ lease_until: until.toISOString() })
    .where('consumer', '=', consumer)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives the lease up (on a clean stop). */
export async function releaseLease(
  db: Kysely<Database>,
  consumer: string,
  owner: string,
): Promise<void> {
  await exportStore(db)
    .updateTable('export_deliveries')
    .set({ lease_owner: null, lease_until: null })
    .where('consumer', '=', consumer)
    .where('lease_owner', '=', owner)
    .execute();
}

/**
 * Moves the cursor to `toSeq` after a batch was settled, clearing failures; only while `owner`
 * still holds the lease (a stale exporter cannot move it). False when the lease was lost.
 * Records of a failing batch still after `toSeq` (the batch size shrank meanwhile) keep the
 * batch's attempts: they failed that often too.
 */
export async function advanceCursor(
  db: Kysely<Database>,
  consumer: string,
  owner: string,
  toSeq: number,
  delivered: number,
  now: Date,
  /** Why the batch was given up (dead-lettered) rather than delivered; kept for `export list`. */
  lastError: string | null = null,
): Promise<boolean> {
  const result = await exportStore(db)
    .updateTable('export_deliveries')
    .set({
      cursor_seq: toSeq,
      attempts: sql<number>`case when batch_end_seq > ${toSeq} then attempts else 0 end`,
      batch_end_seq: sql<
        number | null
      >`case when batch_end_seq > ${toSeq} then batch_end_seq else null end`,
      next_attempt_at: null,
      last_error: lastError?.slice(0, 2_000) ?? null,
      delivered: sql`delivered + ${delivered}`,
      updated_at: now.toISOString(),
    })
    .where('consumer', '=', consumer)
    .where('lease_owner', '=', owner)
    .where('cursor_seq', '<', toSeq)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records a failed attempt of the batch that ends at `batchEnd` (an outbox seq), and when to try
 * again. The retry sends that batch and no record appended since. Only while `owner` still holds
 * the lease; false when it was lost.
 */
export async function recordFailure(
  db: Kysely<Database>,
  consumer: string,
  owner: string,
  attempts: number,
  batchEnd: number,
  nextAttemptAt: Date,
  error: string,
  now: Date,
): Promise<boolean> {
  const result = await exportStore(db)
    .updateTable('export_deliveries')
    .set({
      attempts,
      batch_end_seq: batchEnd,
      next_attempt_at: nextAttemptAt.toISOString(),
      last_error: error.slice(0, 2_000),
      updated_at: now.toISOString(),
    })
    .where('consumer', '=', consumer)
    .where('lease_owner', '=', owner)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/**
 * Records a replay of dead letters in the consumer's delivery state, as `export list` and the
 * API show it: sent, its records count as delivered and the last error is cleared (unless a
 * batch after the cursor is failing now); failed again, the last error is the replay's.
 */
export async function recordReplay(
  db: Kysely<Database>,
  consumer: string,
  outcome: { ok: true; delivered: number } | { ok: false; error: string },
  now: Date,
): Promise<void> {
  const set = outcome.ok
    ? {
        delivered: sql<number>`delivered + ${outcome.delivered}`,
        last_error: sql<string | null>`case when attempts = 0 then null else last_error end`,
        updated_at: now.toISOString(),
      }
    : { last_error: outcome.error.slice(0, 2_000), updated_at: now.toISOString() };
  await exportStore(db)
    .updateTable('export_deliveries')
    .set(set)
    .where('consumer', '=', consumer)
    .execute();
}

/** Puts records on the consumer's dead-letter list (in the caller's transaction). */
export async function addDeadLetters(
  db: Kysely<Database>,
  consumer: string,
  records: readonly { seq: number; recordId: string }[],
  attempts: number,
  error: string,
  now: Date,
): Promise<void> {
  const rows = records.map((r) => ({
    consumer,
    outbox_seq: r.seq,
    record_id: r.recordId,
    attempts,
    error: error.slice(0, 2_000),
    status: 'dead',
    failed_at: now.toISOString(),
    replayed_at: null,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await exportStore(db)
      .insertInto('export_dead_letters')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

/** How many of the consumer's records are dead (given up and not replayed). */
export async function deadLetterCount(db: Kysely<Database>, consumer: string): Promise<number> {
  const row = await exportStore(db)
    .selectFrom('export_dead_letters')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('consumer', '=', consumer)
    .where('status', '=', 'dead')
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** The consumer's dead letters, newest first, optionally of one status. */
export async function listDeadLetters(
  db: Kysely<Database>,
  consumer: string,
  options: { status?: DeadLetterStatus; limit?: number; beforeId?: number } = {},
): Promise<DeadLetterRow[]> {
  let query = exportStore(db)
    .selectFrom('export_dead_letters')
    .selectAll()
    .where('consumer', '=', consumer);
  if (options.status) query = query.where('status', '=', options.status);
  if (options.beforeId !== undefined) query = query.where('id', '<', options.beforeId);
  return query
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
}

/** The consumer's dead letters among `ids` (any status); ids of other consumers are not found. */
export async function deadLettersById(
  db: Kysely<Database>,
  consumer: string,
  ids: readonly number[],
): Promise<DeadLetterRow[]> {
  if (ids.length === 0) return [];
  return exportStore(db)
    .selectFrom('export_dead_letters')
    .selectAll()
    .where('consumer', '=', consumer)
    .where('id', 'in', [...ids])
    .execute();
}

/**
 * Why `ids` cannot be replayed for `consumer` (some are no dead letter of it, or are queued or
 * replayed already), or undefined when every one is dead and can be: a mistyped id must not be
 * taken for a replay of nothing.
 */
export async function unreplayable(
  db: Kysely<Database>,
  consumer: string,
  ids: readonly number[],
  target: string,
): Promise<string | undefined> {
  const found = new Map((await deadLettersById(db, consumer, ids)).map((l) => [Number(l.id), l]));
  const missing = [...new Set(ids)].filter((id) => !found.has(id));
  if (missing.length > 0) return `no dead letter ${missing.join(', ')} of ${target}`;
  const settled = [...found.values()].filter((l) => l.status !== 'dead');
  if (settled.length === 0) return undefined;
  const which = settled.map((l) => `${l.id} (${l.status})`).join(', ');
  return `dead letter ${which} is not dead: only dead ones are sent again`;
}

/**
 * Asks for dead letters to be delivered again: the given ids, or every dead one when `ids` is
 * absent. Returns how many were queued; the exporter sends them before new records.
 */
export async function requestReplay(
  db: Kysely<Database>,
  consumer: string,
  ids?: readonly number[],
): Promise<number> {
  let query = exportStore(db)
    .updateTable('export_dead_letters')
    .set({ status: 'replay' })
    .where('consumer', '=', consumer)
    .where('status', '=', 'dead');
  if (ids) {
    if (ids.length === 0) return 0;
    query = query.where('id', 'in', [...ids]);
  }
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Dead letters queued for replay, oldest first. */
export async function pendingReplays(
  db: Kysely<Database>,
  consumer: string,
  limit: number,
): Promise<DeadLetterRow[]> {
  return exportStore(db)
    .selectFrom('export_dead_letters')
    .selectAll()
    .where('consumer', '=', consumer)
    .where('status', '=', 'replay')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Settles replayed dead letters: delivered, or dead again with the new error. */
export async function settleReplays(
  db: Kysely<Database>,
  ids: readonly number[],
  outcome: { ok: true } | { ok: false; error: string },
  now: Date,
): Promise<void> {
  if (ids.length === 0) return;
  const set = outcome.ok
    ? { status: 'replayed', replayed_at: now.toISOString() }
    : {
        status: 'dead',
        error: outcome.error.slice(0, 2_000),
        failed_at: now.toISOString(),
        attempts: sql<number>`attempts + 1`,
      };
  await exportStore(db)
    .updateTable('export_dead_letters')
    .set(set)
    .where('id', 'in', [...ids])
    .execute();
}
