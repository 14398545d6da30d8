/**
 * Appends entries to the audit log. Call it with the transaction that makes the change, so the
 * change and its audit entry are stored together or not at all.
 */

import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import { entryHash, GENESIS_HASH, type AuditEvent, type AuditRow } from './audit-entry.js';

/** Arbitrary constant naming the audit chain's advisory lock on PostgreSQL. */
const CHAIN_LOCK = 0x70a1_15ad;

/**
 * Appends one entry inside `trx` and returns it.
 *
 * ```ts
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('api_tokens').values(row).execute();
 *   await appendAudit(trx, { actor, action: 'token.create', outcome: 'success' }, now);
 * });
 * ```
 */
export async function appendAudit(
  trx: Transaction<Database>,
  event: AuditEvent,
  at: Date,
): Promise<AuditRow> {
  // SQLite runs one writer at a time; PostgreSQL needs the chain's tail locked until commit.
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  }
  const last = await trx
    .selectFrom('audit_log')
    .select(['seq', 'hash'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();

  const row: Omit<AuditRow, 'hash'> = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor_kind: event.actor.kind,
    actor_id: event.actor.id ?? null,
    actor_name: event.actor.name ?? null,
    action: event.action,
    outcome: event.outcome,
    target_kind: event.target?.kind ?? null,
    target_id: event.target?.id ?? null,
    ip: event.ip ?? null,
    request_id: event.requestId ?? null,
    details: JSON.stringify(event.details ?? {}),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const stored = { ...row, hash: entryHash(row) };
  await trx.insertInto('audit_log').values(stored).execute();
  return stored;
}

/** Appends one entry in its own transaction (for events that change nothing else). */
export async function recordAudit(
  db: Kysely<Database>,
  event: AuditEvent,
  at: Date,
): Promise<AuditRow> {
  return db.transaction().execute((trx) => appendAudit(trx, event, at));
}
