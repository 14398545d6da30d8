/**
 * The score history `palisade history` shows: past assessments, oldest first, without the runs
 * of deleted sources, and with no score (null) for a run that judged nothing (everything
 * exempt), which would otherwise read as a perfect 100.
 */

import type { Kysely } from 'kysely';
import type { ScorePoint } from './assessment-repository.js';
import { retiredTargetSets } from './retired-target-sets.js';
import type { Database } from './schema.js';

/** A past assessment; `secureScore` null when nothing was judged. */
export interface EstatePoint extends Omit<ScorePoint, 'secureScore'> {
  secureScore: number | null;
  /** The key of what was assessed (see `targetSetKey`): points with one key form one trend. */
  targetSet: string | null;
}

/**
 * The last `limit` assessments of live sources and `palisade scan`, oldest first; only those of
 * the target set `targetSet` when given.
 */
export async function estateScoreHistory(
  db: Kysely<Database>,
  limit = 30,
  targetSet?: string,
): Promise<EstatePoint[]> {
  const retired = [...(await retiredTargetSets(db))];
  let query = db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'secure_score', 'resources', 'fail', 'targets', 'target_set']);
  if (targetSet !== undefined) query = query.where('target_set', '=', targetSet);
  if (retired.length > 0) {
    query = query.where((eb) =>
      eb.or([eb('target_set', 'is', null), eb('target_set', 'not in', retired)]),
    );
  }
  const rows = (
    await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(limit).execute()
  ).reverse();
  const judged = new Set<string>();
  if (rows.length > 0) {
    const hits = await db
      .selectFrom('control_scores')
      .select('assessment_id')
      .distinct()
      .where(
        'assessment_id',
        'in',
        rows.map((r) => r.id),
      )
      .where((eb) => eb.or([eb('healthy', '>', 0), eb('unhealthy', '>', 0)]))
      .execute();
    for (const h of hits) judged.add(h.assessment_id);
  }
  return rows.map((r) => ({
    id: r.id,
    startedAt: r.started_at,
    secureScore: judged.has(r.id) ? r.secure_score : null,
    resources: r.resources,
    fail: r.fail,
    targets: JSON.parse(r.targets) as string[],
    targetSet: r.target_set,
  }));
}
