/**
 * Proves the audit log intact: every entry's HMAC under the server key matches its content, it
 * links to the entry before it, sequence numbers run without gaps from 1, and (when the operator
 * recorded one elsewhere) the chain still reaches the head they pinned.
 */

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import {
  entryMacMatches,
  GENESIS_HASH,
  legacyEntryHash,
  type AuditRow,
  type AuditSealer,
} from './audit-entry.js';

/** Result of a verification: either intact, or the first entry that breaks the chain. */
export type ChainVerdict =
  | { intact: true; entries: number; head: string; pinnedHeadAt?: number }
  | { intact: false; entries: number; brokenAt: number; reason: string };

/** What to verify against. */
export interface VerifyOptions {
  /** A head hash recorded earlier (from a previous verify): the chain must still contain it. */
  head?: string;
}

const PAGE = 1_000;

/** Why `row` breaks the chain, or null when it holds; `unkeyedAllowed` until a keyed entry. */
function rowProblem(
  row: AuditRow,
  previous: string,
  key: AuditSealer,
  unkeyedAllowed: boolean,
): string | null {
  if (row.prev_hash !== previous) return 'does not link to the entry before it';
  if (row.key_id === null) {
    if (!unkeyedAllowed) return 'is not sealed with the server key, yet follows sealed entries';
    const { hash, key_id: _none, ...content } = row;
    return legacyEntryHash(content) === hash ? null : 'content does not match its hash';
  }
  if (row.key_id !== key.id) {
    return (
      `was sealed with server key ${row.key_id}, but the key given is ${key.id}; ` +
      'verify with the key file the server uses'
    );
  }
  return entryMacMatches(row, key) ? null : 'content does not match its hash';
}

/**
 * Walks the whole audit log in order.
 *
 * ```ts
 * const verdict = await verifyAuditChain(db, serverKey, { head: recordedHead });
 * if (!verdict.intact) console.error(`entry ${verdict.brokenAt}: ${verdict.reason}`);
 * ```
 */
export async function verifyAuditChain(
  db: Kysely<Database>,
  key: AuditSealer,
  options: VerifyOptions = {},
): Promise<ChainVerdict> {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  let keyedSeen = false;
  let pinnedHeadAt: number | undefined;

  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      if (row.seq !== expectedSeq) {
        return { intact: false, entries, brokenAt: expectedSeq, reason: 'entry is missing' };
      }
      const problem = rowProblem(row, previous, key, !keyedSeen);
      if (problem) return { intact: false, entries, brokenAt: row.seq, reason: problem };
      if (row.key_id !== null) keyedSeen = true;
      if (options.head !== undefined && row.hash === options.head) pinnedHeadAt = row.seq;
      previous = row.hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (rows.length === PAGE) continue;
    return conclude(entries, previous, keyedSeen, options.head, pinnedHeadAt);
  }
}

function conclude(
  entries: number,
  head: string,
  keyedSeen: boolean,
  pinned: string | undefined,
  pinnedHeadAt: number | undefined,
): ChainVerdict {
  if (entries > 0 && !keyedSeen) {
    return {
      intact: false,
      entries,
      brokenAt: 1,
      reason:
        'no entry is sealed with the server key: the log was written before the chain was ' +
        'keyed (start the server once to seal it) or rewritten without the key',
    };
  }
  if (pinned !== undefined && pinnedHeadAt === undefined) {
    return {
      intact: false,
      entries,
      brokenAt: entries + 1,
      reason:
        `the recorded head ${pinned} is not in the log: entries were cut from its end, ` +
        'or the log was rewritten',
    };
  }
  return { intact: true, entries, head, ...(pinnedHeadAt ? { pinnedHeadAt } : {}) };
}
