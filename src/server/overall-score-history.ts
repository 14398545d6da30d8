/**
 * The overall secure score over time: after each assessment of a configured source, the score
 * of every source's latest assessment as of then, so a trend chart shows one line for the estate.
 */

// Known gap: sources are assumed to hold different resources; a resource in two sources counts
// in both (GET /score, which scores the findings themselves, counts it once).

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { allSources } from '../store/source-repository.js';
import type { ScopeFilter } from './auth/scope-filter.js';
import type { PostureRules } from './posture-rules.js';
import { scopedFindings, scoreFindings } from './posture-view.js';

/** Most assessments one history looks back over. */
const MAX_POINTS = 1_000;

export interface OverallPoint {
  assessmentId: string;
  startedAt: string;
  secureScore: number;
  source: { id: string; name: string } | null;
}

interface Tally {
  max: number;
  healthy: number;
  unhealthy: number;
}

/** Σ current ÷ Σ max over controls with judged resources, as secure-score.ts rounds it. */
function scoreOfTallies(tallies: Iterable<Tally>): number {
  let max = 0;
  let current = 0;
  for (const t of tallies) {
    const judged = t.healthy + t.unhealthy;
    if (judged === 0) continue;
    max += t.max;
    current += (t.max * t.healthy) / judged;
  }
  return max === 0 ? 100 : Math.round((1000 * current) / max) / 10;
}

/**
 * One point per assessment of a configured source, oldest first, each the overall score at
 * that moment. Unscoped callers get it from the stored control scores; scoped callers from their
 * accounts' findings.
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
  const perAssessment = new Map<string, Promise<Map<string, Tally>>>();
  const controlsOf = (id: string) => {
    let loading = perAssessment.get(id);
    if (!loading) {
      loading = scope.unrestricted ? storedControls(db, id) : scopedControls(db, id, scope, rules);
      perAssessment.set(id, loading);
    }
    return loading;
  };

  const out: OverallPoint[] = [];
  for (const row of rows) {
    latest.set(row.target_set as string, row.id);
    if (range.since && row.started_at < range.since) continue;
    const sum = new Map<string, Tally>();
    for (const id of latest.values()) {
      for (const [control, t] of await controlsOf(id)) {
        const s = sum.get(control) ?? { max: t.max, healthy: 0, unhealthy: 0 };
        s.healthy += t.healthy;
        s.unhealthy += t.unhealthy;
        sum.set(control, s);
      }
    }
    const source = sources.get(row.target_set as string);
    out.push({
      assessmentId: row.id,
      startedAt: row.started_at,
      secureScore: scoreOfTallies(sum.values()),
      source: source ? { id: source.id, name: source.name } : null,
    });
  }
  return out;
}

async function storedControls(db: Kysely<Database>, id: string): Promise<Map<string, Tally>> {
  const rows = await db
    .selectFrom('control_scores')
    .select(['control_id', 'max_score', 'healthy', 'unhealthy'])
    .where('assessment_id', '=', id)
    .execute();
  return new Map(
    rows.map((r) => [
      r.control_id,
      { max: r.max_score, healthy: r.healthy, unhealthy: r.unhealthy },
    ]),
  );
}

async function scopedControls(
  db: Kysely<Database>,
  id: string,
  scope: ScopeFilter,
  rules: PostureRules,
): Promise<Map<string, Tally>> {
  const score = await scoreFindings(await scopedFindings(db, [id], scope), rules);
  return new Map(
    score.controls.map((c) => [
      c.id,
      { max: c.maxScore, healthy: c.healthy, unhealthy: c.unhealthy },
    ]),
  );
}
