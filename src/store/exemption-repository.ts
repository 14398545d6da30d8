/**
 * Exemptions made through the API: stored, listed, deleted, and turned into the posture
 * engine's `Exemption` so every later assessment applies them.
 */

import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Kysely, Selectable } from 'kysely';
import type { ExemptionCategory } from '../model/finding.js';
import type { Exemption } from '../posture/exemptions.js';
import { isPostgresLocation, openStore } from './database.js';
import type { Database } from './schema.js';

/** The `exemptions` table (migration 0005). */
export interface ExemptionTable {
  id: string;
  rule: string;
  resource: string;
  justification: string;
  category: string;
  /** YYYY-MM-DD; applies through that day. */
  expires: string | null;
  created_by: string;
  created_at: string;
}

export type ExemptionDb = Kysely<Database & { exemptions: ExemptionTable }>;
export type ExemptionRow = Selectable<ExemptionTable>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withExemptions = (db: Kysely<any>) => db as ExemptionDb;

/** What an API exemption's findings name as their source. */
export const exemptionSource = (id: string) => `api exemption ${id}`;

/** The API view of a row; `active` is judged at `now`. */
export function exemptionView(row: ExemptionRow, active: boolean) {
  return {
    id: row.id,
    rule: row.rule,
    resource: row.resource,
    justification: row.justification,
    category: row.category as ExemptionCategory,
    expires: row.expires,
    active,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/** Inserts an exemption. */
export async function insertExemption(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  input: Omit<ExemptionTable, 'id' | 'created_at'>,
  now: Date,
): Promise<ExemptionRow> {
  const row: ExemptionRow = { ...input, id: randomUUID(), created_at: now.toISOString() };
  await withExemptions(db).insertInto('exemptions').values(row).execute();
  return row;
}

/** A query over exemptions, for paginated lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function exemptionsQuery(db: Kysely<any>) {
  return withExemptions(db).selectFrom('exemptions').selectAll();
}

/** The exemption `id`. */
export async function findExemption(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  id: string,
): Promise<ExemptionRow | undefined> {
  return exemptionsQuery(db).where('id', '=', id).executeTakeFirst();
}

/** Deletes the exemption `id`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function deleteExemption(db: Kysely<any>, id: string): Promise<void> {
  await withExemptions(db).deleteFrom('exemptions').where('id', '=', id).execute();
}

/**
 * Every stored exemption as the posture engine takes them; expired ones are included, so the
 * assessment warns that they no longer apply.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function storedExemptions(db: Kysely<any>): Promise<Exemption[]> {
  const rows = await exemptionsQuery(db).orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    rule: r.rule,
    resource: r.resource,
    justification: r.justification,
    category: r.category as ExemptionCategory,
    expires: r.expires ?? undefined,
    source: exemptionSource(r.id),
  }));
}

/**
 * The exemptions stored at `location`, for a CLI scan into that store to apply as the server's
 * runs do: one made in the console then holds for `palisade scan --db` as well.
 */
export async function exemptionsInStore(location: string): Promise<Exemption[]> {
  // A SQLite store not made yet holds none, and opening it would make it: the scan's first store
  // must find no store there, so that it makes the server key beside it.
  const file = !isPostgresLocation(location) && location.replace(/^sqlite:/, '');
  if (file !== false && (file === ':memory:' || !existsSync(file))) return [];
  const db = await openStore(location);
  try {
    return await storedExemptions(db);
  } finally {
    await db.destroy();
  }
}
