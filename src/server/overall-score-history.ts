/**
 * The overall secure score over time: after each assessment of a configured source, the score
 * of every source's latest assessment as of then, so a trend chart shows one line for the estate.
 * Only sources that exist count (a deleted source's runs drop out), a resource in two
 * overlapping sources counts once, and a point where nothing was judged (everything exempt) is
 * null, as `GET /score` says, never 100.
 */

// Known gap: each point is scored again from the deduplicated findings (about 6 ms of CPU a point
// for ~250 findings here), so a 1,000-point history costs seconds; incremental tallies per
// control are the next step if the overall series gets heavy use.

import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import { allSources } from '../store/source-repository.js';
import type { ScopeFilter } from './auth/scope-filter.js';
import type { PostureRules } from './posture-rules.js';
import {
  findingIdentity,
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
  // Each assessment's findings with their identities, computed once however many points use it.
  const perAssessment = new Map<string, Promise<[string, ViewFinding][]>>();
  const findingsOf = (id: string) => {
    let loading = perAssessment.get(id);
    if (!loading) {
      loading = scopedFindings(db, [id], scope).then((found) =>
        found.map((f): [string, ViewFinding] => [
          findingIdentity(f.ruleId, f.cloud, f.resourceType, f.resourceId, f.file),
          f,
        ]),
      );
      perAssessment.set(id, loading);
    }
    return loading;
  };

  const out: OverallPoint[] = [];
  for (const row of rows) {
    latest.set(row.target_set as string, row.id);
    if (range.since && row.started_at < range.since) continue;
    // A resource in two overlapping sources counts once: the newest finding (highest id) wins.
    const once = new Map<string, ViewFinding>();
    for (const id of latest.values()) {
      for (const [identity, f] of await findingsOf(id)) {
        const held = once.get(identity);
        if (!held || f.findingId > held.findingId) once.set(identity, f);
      }
    }
    const source = sources.get(row.target_set as string);
    out.push({
      assessmentId: row.id,
      startedAt: row.started_at,
      secureScore: await judgedScore([...once.values()], rules),
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
