/**
 * Proves the audit log intact: every entry's hash matches its content, links to the entry
 * before it, and sequence numbers run without gaps from 1.
 */

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { entryHash, GENESIS_HASH } from './audit-entry.js';

/** Result of a verification: either intact, or the first entry that breaks the chain. */
export type ChainVerdict =
  | { intact: true; entries: number; head: string }
  | { intact: false; entries: number; brokenAt: number; reason: string };

const PAGE = 1_000;

/**
 * Walks the whole audit log in order.
 *
 * ```ts
 * const verdict = await verifyAuditChain(db);
 * if (!verdict.intact) console.error(`entry ${verdict.brokenAt}: ${verdict.reason}`);
 * ```
 */
export async function verifyAuditChain(db: Kysely<Database>): Promise<ChainVerdict> {
  let previous = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;

  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>=', expectedSeq)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const broken = (reason: string): ChainVerdict => ({
        intact: false,
        entries,
        brokenAt: row.seq,
        reason,
      });
      if (row.seq !== expectedSeq) {
        return { intact: false, entries, brokenAt: expectedSeq, reason: 'entry is missing' };
      }
      if (row.prev_hash !== previous) return broken('does not link to the entry before it');
      const { hash, ...content } = row;
      if (entryHash(content) !== hash) return broken('content does not match its hash');
      previous = hash;
      expectedSeq += 1;
      entries += 1;
    }
    if (rows.length < PAGE) return { intact: true, entries, head: previous };
  }
}
