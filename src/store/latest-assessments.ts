/**
 * The latest stored assessment of a target set (what was scanned), and of every target set that
 * is not retired: the estate's current posture.
 */

import type { Kysely } from 'kysely';
import { retiredTargetSets } from './retired-target-sets.js';
import type { Database } from './schema.js';

/** The latest assessment of `targetSet`, if any. */
export async function latestOfTargetSet(db: Kysely<Database>, targetSet: string) {
  return db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'targets', 'secure_score'])
    .where('target_set', '=', targetSet)
    .orderBy('started_at', 'desc')
    .orderBy('finished_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The latest assessment of each target set stored, except those of deleted sources. */
export async function latestOfEachTargetSet(db: Kysely<Database>) {
  const sets = await db
    .selectFrom('assessments')
    .select('target_set')
    .distinct()
    .where('target_set', 'is not', null)
    .execute();
  const retired = await retiredTargetSets(db);
  const out: ({ targetSet: string } & NonNullable<
    Awaited<ReturnType<typeof latestOfTargetSet>>
  >)[] = [];
  for (const { target_set } of sets) {
    const targetSet = target_set as string;
    if (retired.has(targetSet)) continue;
    const latest = await latestOfTargetSet(db, targetSet);
    if (latest) out.push({ targetSet, ...latest });
  }
  return out;
}
