/**
 * Target sets of deleted sources (migration 0012). Their assessments stay stored, but the
 * estate view, the score trend and `palisade history` leave them out; creating a source with
 * the same paths brings them back.
 */

import type { Kysely } from 'kysely';

/** The `retired_target_sets` table. */
export interface RetiredTargetSetTable {
  target_set: string;
  source_name: string;
  retired_at: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withRetired = (db: Kysely<any>) =>
  db as Kysely<{ retired_target_sets: RetiredTargetSetTable }>;

/** Records that the source `name` of `targetSet` was deleted at `now`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function retireTargetSet(db: Kysely<any>, targetSet: string, name: string, now: Date) {
  await withRetired(db)
    .insertInto('retired_target_sets')
    .values({ target_set: targetSet, source_name: name, retired_at: now.toISOString() })
    .onConflict((oc) =>
      oc.column('target_set').doUpdateSet({ source_name: name, retired_at: now.toISOString() }),
    )
    .execute();
}

/** Brings `targetSet` back when a source with the same paths is created again. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function reviveTargetSet(db: Kysely<any>, targetSet: string): Promise<void> {
  await withRetired(db)
    .deleteFrom('retired_target_sets')
    .where('target_set', '=', targetSet)
    .execute();
}

/** Every retired target set. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function retiredTargetSets(db: Kysely<any>): Promise<Set<string>> {
  const rows = await withRetired(db)
    .selectFrom('retired_target_sets')
    .select('target_set')
    .execute();
  return new Set(rows.map((r) => r.target_set));
}
