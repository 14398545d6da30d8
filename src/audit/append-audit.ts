/**
 * Appends entries to the audit log, each sealed with the server key. Call it with the
 * transaction that makes the change, so the change and its audit entry are stored together or
 * not at all.
 */

import { PostgresAdapter, sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../store/schema.js';
import {
  entryMac,
  GENESIS_HASH,
  type AuditEvent,
  type AuditRow,
  type AuditSealer,
} from './audit-entry.js';

/** Arbitrary constant naming the audit chain's advisory lock on PostgreSQL. */
const CHAIN_LOCK = 0x70a1_15ad;

/** The action of the entry that seals entries written before the chain was keyed. */
export const SEAL_ACTION = 'audit.chain.sealed';

async function lockTail(trx: Transaction<Database>) {
  // SQLite runs one writer at a time; PostgreSQL needs the chain's tail locked until commit.
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    await sql`select pg_advisory_xact_lock(${CHAIN_LOCK})`.execute(trx);
  }
  return trx
    .selectFrom('audit_log')
    .select(['seq', 'hash', 'key_id'])
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
}

function rowOf(
  event: AuditEvent,
  at: Date,
  seq: number,
  prevHash: string,
  key: AuditSealer,
): AuditRow {
  const row: Omit<AuditRow, 'hash'> = {
    seq,
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
    prev_hash: prevHash,
    key_id: key.id,
  };
  return { ...row, hash: entryMac(row, key) };
}

/**
 * Appends one entry inside `trx`, sealed with `key`, and returns it.
 *
 * ```ts
 * await db.transaction().execute(async (trx) => {
 *   await trx.insertInto('api_tokens').values(row).execute();
 *   await appendAudit(trx, { actor, action: 'token.create', outcome: 'success' }, now, key);
 * });
 * ```
 */
export async function appendAudit(
  trx: Transaction<Database>,
  event: AuditEvent,
  at: Date,
  key: AuditSealer,
): Promise<AuditRow> {
  const last = await lockTail(trx);
  refuseOtherKey(last?.key_id ?? null, key);
  const stored = rowOf(event, at, (last?.seq ?? 0) + 1, last?.hash ?? GENESIS_HASH, key);
  await trx.insertInto('audit_log').values(stored).execute();
  return stored;
}

/** The audit log is sealed with another server key than the one this process holds. */
export class AuditKeyMismatchError extends Error {
  constructor(
    readonly chainKeyId: string,
    readonly keyId: string,
  ) {
    super(
      `the audit log is sealed with server key ${chainKeyId}, but this run holds key ${keyId}: ` +
        'point PALISADE_SECRET_KEY_FILE (or auth.secretKeyFile) at the key file the store was ' +
        'made with; nothing was stored',
    );
    this.name = 'AuditKeyMismatchError';
  }
}

/**
 * Refuses to seal an entry with a key other than the chain's: an entry sealed with a wrong key
 * (a mistyped key file path, which would have made a fresh key) breaks the chain for good, as
 * entries can never be rewritten.
 */
function refuseOtherKey(chainKeyId: string | null, key: AuditSealer): void {
  if (chainKeyId !== null && chainKeyId !== key.id) {
    throw new AuditKeyMismatchError(chainKeyId, key.id);
  }
}

/**
 * Refuses, before a process writes anything, a key other than the one the audit log's newest
 * entry is sealed with (throws `AuditKeyMismatchError`); an empty log, or one of unkeyed entries
 * only, takes any key.
 */
export async function assertChainKey(db: Kysely<Database>, key: AuditSealer): Promise<void> {
  const last = await db
    .selectFrom('audit_log')
    .select('key_id')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  refuseOtherKey(last?.key_id ?? null, key);
}

/** Appends one entry in its own transaction (for events that change nothing else). */
export async function recordAudit(
  db: Kysely<Database>,
  event: AuditEvent,
  at: Date,
  key: AuditSealer,
): Promise<AuditRow> {
  return db.transaction().execute((trx) => appendAudit(trx, event, at, key));
}

/**
 * When the log ends in entries written before the chain was keyed (plain SHA-256), appends one
 * keyed entry after them: its HMAC covers their head, so rewriting them now breaks the chain.
 * Returns the sealing entry, or null when there was nothing to seal. The server calls it on start.
 */
export async function sealUnkeyedEntries(
  db: Kysely<Database>,
  at: Date,
  key: AuditSealer,
): Promise<AuditRow | null> {
  return db.transaction().execute(async (trx) => {
    const last = await lockTail(trx);
    if (!last || last.key_id !== null) return null;
    const event: AuditEvent = {
      actor: { kind: 'system', name: 'server start' },
      action: SEAL_ACTION,
      outcome: 'success',
      details: { unkeyedEntries: last.seq, unkeyedHead: last.hash, keyId: key.id },
    };
    const stored = rowOf(event, at, last.seq + 1, last.hash, key);
    await trx.insertInto('audit_log').values(stored).execute();
    return stored;
  });
}
