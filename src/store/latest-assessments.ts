/**
 * The latest stored assessment of a target set (what was scanned), and of every target set that
 * is not retired: the estate's current posture.
 */

import type { Kysely } from 'kysely';
import { retiredTargetSets } from './retired-target-sets.js';
import type { Database } from './schema.js';
import { allSources } from './source-repository.js';

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

/** One assessment of the estate's current posture, with the source whose targets it covers. */
export interface CurrentOfEstate {
  id: string;
  started_at: string;
  targetSet: string;
  source: { id: string; name: string } | null;
}

/**
 * The assessments that make up the estate's current posture: the latest of each configured
 * source, or, with no sources configured, the latest of every live target set (scans stored by
 * `palisade scan`). The API's posture and what-if views and `palisade whatif` all read this, so
 * they look at the same assessments.
 */
export async function currentOfEstate(db: Kysely<Database>): Promise<CurrentOfEstate[]> {
  const sources = await allSources(db);
  const out: CurrentOfEstate[] = [];
  for (const s of sources) {
    const latest = await latestOfTargetSet(db, s.target_set);
    if (latest) {
      out.push({
        id: latest.id,
        started_at: latest.started_at,
        targetSet: s.target_set,
        source: { id: s.id, name: s.name },
      });
    }
  }
  if (sources.length > 0) return out;
  // Deleted sources' assessments never stand in for the estate: with none left, "not assessed".
  for (const latest of await latestOfEachTargetSet(db)) {
    out.push({
      id: latest.id,
      started_at: latest.started_at,
      targetSet: latest.targetSet,
      source: null,
    });
  }
  return out;
}
