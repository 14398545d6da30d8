/**
 * The overall secure score over time: after each assessment of a configured source, the score
 * of every source's latest assessment as of then, so a trend chart shows one line for the estate.
 * Only sources that exist count (a deleted source's runs drop out), a resource in two
 * overlapping sources counts once, and a point where nothing was judged (everything exempt) is
 * null, as `GET /score` says, never 100.
 */

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { allSources } from '../store/source-repository.js';
import type { ScopeFilter } from './auth/scope-filter.js';
import type { PostureRules } from './posture-rules.js';
import {
  oncePerResource,
  scopedFindings,
  scoreFindings,
  type ViewFinding,
} from './posture-view.js';

/** Most assessments one history looks back over. */
const MAX_POINTS = 1_000;

export interface OverallPoint {
  assessmentId: string;
  startedAt: string;
  secureScore: number | null;
  source: { id: string; name: string } | null;
}

/**
 * One point per assessment of a configured source, oldest first, each the overall score at
 * that moment, scored from the findings the caller may see.
 */
export async function overallScoreHistory(
  db: Kysely<Database>,
  scope: ScopeFilter,
  rules: PostureRules,
  range: { since?: string; until?: string },
): Promise<OverallPoint[]> {
  const sources = new Map((await allSources(db)).map((s) => [s.target_set, s]));
  if (sources.size === 0) return [];
  let query = db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'target_set'])
    .where('target_set', 'in', [...sources.keys()]);
  if (range.until) query = query.where('started_at', '<', range.until);
  const rows = (
    await query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(MAX_POINTS).execute()
  ).reverse();

  const latest = new Map<string, string>();
  const perAssessment = new Map<string, Promise<ViewFinding[]>>();
  const findingsOf = (id: string) => {
    let loading = perAssessment.get(id);
    if (!loading) {
      loading = scopedFindings(db, [id], scope);
      perAssessment.set(id, loading);
    }
    return loading;
  };

  const out: OverallPoint[] = [];
  for (const row of rows) {
    latest.set(row.target_set as string, row.id);
    if (range.since && row.started_at < range.since) continue;
    const all: ViewFinding[] = [];
    for (const id of latest.values()) all.push(...(await findingsOf(id)));
    const source = sources.get(row.target_set as string);
    out.push({
      assessmentId: row.id,
      startedAt: row.started_at,
      secureScore: await judgedScore(oncePerResource(all), rules),
      source: source ? { id: source.id, name: source.name } : null,
    });
  }
  return out;
}

/** The secure score of `findings`, or null when no control judged anything. */
export async function judgedScore(
  findings: ViewFinding[],
  rules: PostureRules,
): Promise<number | null> {
  const score = await scoreFindings(findings, rules);
  const judged = score.controls.some((c) => c.healthy + c.unhealthy > 0);
  return judged ? score.secureScore : null;
}
