/**
 * The read positions of the server's file tailers (migration 0016). A position names the file by
 * inode and keeps the bytes that must still be there (the file's first bytes and those just
 * before the position), so a restart can tell the same file, grown, from a rotated or truncated
 * one.
 */

import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** Where a tailer had read to: every line before `offset` was handed on. */
export interface TailPosition {
  path: string;
  inode: number;
  offset: number;
  /** The file's first bytes (at most 256) and the bytes just before `offset` (at most 256). */
  head: Buffer;
  behind: Buffer;
}

export interface TailPositionTable {
  path: string;
  inode: string;
  read_to: number;
  head: string;
  behind: string;
  updated_at: string;
}

type PositionStore = Kysely<Database & { tail_positions: TailPositionTable }>;

const positions = (db: Kysely<Database>) => db as unknown as PositionStore;

/** The stored positions of these paths, by path. */
export async function loadTailPositions(
  db: Kysely<Database>,
  paths: string[],
): Promise<Map<string, TailPosition>> {
  const found = new Map<string, TailPosition>();
  if (paths.length === 0) return found;
  const rows = await positions(db)
    .selectFrom('tail_positions')
    .selectAll()
    .where('path', 'in', paths)
    .execute();
  for (const row of rows) {
    found.set(row.path, {
      path: row.path,
      inode: Number(row.inode),
      offset: Number(row.read_to),
      head: Buffer.from(row.head, 'base64'),
      behind: Buffer.from(row.behind, 'base64'),
    });
  }
  return found;
}

/** Records these positions, replacing each path's earlier one, in one transaction. */
export async function saveTailPositions(
  db: Kysely<Database>,
  list: TailPosition[],
  now: Date,
): Promise<void> {
  if (list.length === 0) return;
  const at = now.toISOString();
  await positions(db)
    .transaction()
    .execute(async (trx) => {
      for (const p of list) {
        const row = {
          inode: String(p.inode),
          read_to: p.offset,
          head: p.head.toString('base64'),
          behind: p.behind.toString('base64'),
          updated_at: at,
        };
        await trx
          .insertInto('tail_positions')
          .values({ path: p.path, ...row })
          .onConflict((oc) => oc.column('path').doUpdateSet(row))
          .execute();
      }
    });
}
