/**
 * The receipt keys continuous detection remembers (migration 0020): written with the alerts their
 * records formed, in the same transaction, so a record is known as received exactly when what it
 * formed is stored; read back when a server starts, so a sender's retry after a restart is
 * recognised too. One row holds the keys of one write, packed (12 bytes a key), so a write of
 * many keys is one statement; a row is deleted once all its keys are older than what the server
 * still remembers.
 */

import type { Kysely, Transaction } from 'kysely';
import type { Receipts } from '../server/ingest/receipt-memory.js';
import type { Database } from './schema.js';

/** Keys a row holds at most (a write of more takes several rows). */
const ROW_KEYS = 50_000;
/** Rows read per query when loading. */
const PAGE = 20;
/** The latest a key may be received after its row's first (ms in 32 bits: 49 days). */
const MAX_OFFSET = 0xffff_ffff;

/**
 * The stored keys received at or after `since` (epoch ms), in receipt order. A damaged row (its
 * keys and times do not match its count) is skipped.
 */
export async function loadReceipts(
  db: Kysely<Database>,
  options: { since: number },
): Promise<Receipts[]> {
  const since = Math.floor(options.since);
  const out: Receipts[] = [];
  let after = -1;
  for (;;) {
    const rows = await db
      .selectFrom('received_records')
      .selectAll()
      .where('last_ms', '>=', since)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const receipts = unpack(row.keys, row.times, Number(row.count), Number(row.first_ms));
      if (receipts) out.push(since > Number(row.first_ms) ? within(receipts, since) : receipts);
    }
    if (rows.length < PAGE) return out;
    after = Number(rows[rows.length - 1].seq);
  }
}

/**
 * Stores `receipts` (in receipt order) and deletes the rows all of whose keys were received
 * before `horizon` (epoch ms): keys the server no longer remembers.
 */
export async function saveReceipts(
  trx: Transaction<Database>,
  receipts: Receipts,
  horizon: number,
): Promise<void> {
  const n = receipts.hi.length;
  if (n === 0) return;
  for (let start = 0; start < n; start += ROW_KEYS) {
    const end = Math.min(n, start + ROW_KEYS);
    await trx
      .insertInto('received_records')
      .values(pack(receipts, start, end))
      .execute();
  }
  await trx.deleteFrom('received_records').where('last_ms', '<', Math.floor(horizon)).execute();
}

/** The row of entries `start` to `end` (exclusive). */
function pack(receipts: Receipts, start: number, end: number) {
  const { hi, lo, at } = receipts;
  let first = Infinity;
  let last = -Infinity;
  for (let i = start; i < end; i++) {
    first = Math.min(first, at[i]);
    last = Math.max(last, at[i]);
  }
  first = Math.floor(first);
  const keys = Buffer.alloc((end - start) * 8);
  const times = Buffer.alloc((end - start) * 4);
  for (let i = start; i < end; i++) {
    const k = i - start;
    keys.writeUInt32BE(hi[i], k * 8);
    keys.writeUInt32BE(lo[i], k * 8 + 4);
    times.writeUInt32BE(Math.min(MAX_OFFSET, Math.floor(at[i]) - first), k * 4);
  }
  return {
    first_ms: first,
    last_ms: Math.ceil(last),
    count: end - start,
    keys: keys.toString('base64'),
    times: times.toString('base64'),
  };
}

function unpack(keys: string, times: string, count: number, first: number): Receipts | undefined {
  const k = Buffer.from(keys, 'base64');
  const t = Buffer.from(times, 'base64');
  if (!Number.isInteger(count) || k.length !== count * 8 || t.length !== count * 4)
    return undefined;
  const out: Receipts = {
    hi: new Uint32Array(count),
    lo: new Uint32Array(count),
    at: new Float64Array(count),
  };
  for (let i = 0; i < count; i++) {
    out.hi[i] = k.readUInt32BE(i * 8);
    out.lo[i] = k.readUInt32BE(i * 8 + 4);
    out.at[i] = first + t.readUInt32BE(i * 4);
  }
  return out;
}

/** The entries received at or after `since`. */
function within(receipts: Receipts, since: number): Receipts {
  const keep: number[] = [];
  for (let i = 0; i < receipts.at.length; i++) if (receipts.at[i] >= since) keep.push(i);
  return {
    hi: Uint32Array.from(keep, (i) => receipts.hi[i]),
    lo: Uint32Array.from(keep, (i) => receipts.lo[i]),
    at: Float64Array.from(keep, (i) => receipts.at[i]),
  };
}
