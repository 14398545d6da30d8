/**
 * What the posture routes look at: the latest assessment of each source (or of one), and its
 * findings narrowed to the caller's accounts, scored again so a scoped caller's score, the
 * recommendations and compliance cover only what that caller may see.
 */

// Known gap: the view is built in memory from the stored findings on each request; fine for
// thousands of resources, a cache keyed by assessment ids is the next step for 100k.

import type { Kysely } from 'kysely';
import type { Finding } from '../model/finding.js';
import { loadCatalog } from '../posture/benchmark-catalog.js';
import { computeCompliance } from '../posture/compliance.js';
import { countFindings as countAssessmentFindings } from '../posture/finding-counts.js';
import { computeSecureScore } from '../posture/secure-score.js';
import { findingOfRow } from '../store/finding-row.js';
import type { Database } from '../store/schema.js';
import { currentOfEstate, latestOfTargetSet } from '../store/latest-assessments.js';
import { allSources, findSource, type SourceRow } from '../store/source-repository.js';
import { whereInScope, type ScopeFilter } from './auth/scope-filter.js';
import { HttpError } from './http-error.js';
import type { PostureRules } from './posture-rules.js';

/** The latest assessment of one source (or of one target set when no sources are set up). */
export interface CurrentAssessment {
  id: string;
  startedAt: string;
  source: { id: string; name: string } | null;
}

/** A stored finding with where it was found and the account of its resource. */
export interface ViewFinding extends Finding {
  findingId: number;
  assessmentId: string;
  account: string | null;
  cloud: string | null;
}

/**
 * The target sets (see target-set.ts) of the sources `scope` may see: those whose stored
 * assessments read resources of its accounts only. A source's accounts are those of the
 * resources its assessments read; a source never run, one that read nothing, or one that read a
 * resource of no known account has unknown accounts, and a scoped caller does not see it (its
 * paths and errors are about the server and the rest of the estate). Null: every source.
 * `only` narrows the answer to one target set.
 */
export async function targetSetsInScope(
  db: Kysely<Database>,
  scope: ScopeFilter,
  only?: string,
): Promise<string[] | null> {
  if (scope.unrestricted) return null;
  let query = db
    .selectFrom('resources as r')
    .innerJoin('assessments as a', 'a.id', 'r.assessment_id')
    .select(['a.target_set', 'r.account'])
    .where('a.target_set', 'is not', null);
  // One source asked about: its own resources only, not the whole store's on every request.
  if (only !== undefined) query = query.where('a.target_set', '=', only);
  const rows = await query.groupBy(['a.target_set', 'r.account']).execute();
  const outside = new Set<string>();
  const seen = new Set<string>();
  for (const row of rows) {
    seen.add(row.target_set!);
    if (!scope.allows(row.account)) outside.add(row.target_set!);
  }
  return [...seen].filter((set) => !outside.has(set));
}

/**
 * The source `ref` (id or name), or 404; also 404 when `scope` may not see it (see
 * `targetSetsInScope`): a caller limited to some accounts cannot tell another team's source
 * from none, nor run, score or list it.
 */
export async function sourceOr404(
  db: Kysely<Database>,
  ref: string,
  scope: ScopeFilter,
): Promise<SourceRow> {
  const source = await findSource(db, ref);
  const visible =
    source && (scope.unrestricted || (await targetSetsInScope(db, scope, source.target_set)));
  if (!source || !(visible === true || visible?.includes(source.target_set))) {
    throw new HttpError(404, 'NOT_FOUND', `no source ${ref}`);
  }
  return source;
}

/**
 * The latest assessment of source `ref`, or of every source. With no sources configured, the
 * latest assessment of every set of targets stored (e.g. by `palisade scan`), except those of
 * deleted sources.
 */
export async function currentAssessments(db: Kysely<Database>): Promise<CurrentAssessment[]>;
export async function currentAssessments(
  db: Kysely<Database>,
  ref: string | undefined,
  scope: ScopeFilter,
): Promise<CurrentAssessment[]>;
export async function currentAssessments(
  db: Kysely<Database>,
  ref?: string,
  scope?: ScopeFilter,
): Promise<CurrentAssessment[]> {
  if (!ref) {
    return (await currentOfEstate(db)).map((c) => ({
      id: c.id,
      startedAt: c.started_at,
      source: c.source,
    }));
  }
  const s = await sourceOr404(db, ref, scope!);
  const latest = await latestOfTargetSet(db, s.target_set);
  return latest
    ? [{ id: latest.id, startedAt: latest.started_at, source: { id: s.id, name: s.name } }]
    : [];
}

/** The source of assessment `id`, if a configured source has its targets. */
export async function sourceOfAssessment(
  db: Kysely<Database>,
  targetSet: string | null,
): Promise<{ id: string; name: string } | null> {
  if (!targetSet) return null;
  const s = (await allSources(db)).find((x) => x.target_set === targetSet);
  return s ? { id: s.id, name: s.name } : null;
}

/** The findings of `assessmentIds` the scope may see, with their resources' accounts. */
export async function scopedFindings(
  db: Kysely<Database>,
  assessmentIds: readonly string[],
  scope: ScopeFilter,
  where: { ruleId?: string; resourceId?: string } = {},
): Promise<ViewFinding[]> {
  if (assessmentIds.length === 0) return [];
  let query = db
    .selectFrom('findings as f')
    .leftJoin('resources as r', (j) =>
      j
        .onRef('r.assessment_id', '=', 'f.assessment_id')
        .onRef('r.id', '=', 'f.resource_id')
        .onRef('r.type', '=', 'f.resource_type'),
    )
    .selectAll('f')
    .select(['r.account as account', 'r.cloud as cloud'])
    .where('f.assessment_id', 'in', [...assessmentIds]);
  if (where.ruleId) query = query.where('f.rule_id', '=', where.ruleId);
  if (where.resourceId) query = query.where('f.resource_id', '=', where.resourceId);
  const rows = await whereInScope(query, 'r.account', scope).orderBy('f.id').execute();
  const seen = new Set<number>();
  const out: ViewFinding[] = [];
  for (const row of rows) {
    // A resource stored twice in one assessment would repeat its findings in the join.
    if (seen.has(row.id)) continue;
    seen.add(row.id);
    out.push({
      findingId: row.id,
      assessmentId: row.assessment_id,
      account: row.account,
      cloud: row.cloud,
      ...findingOfRow(row),
    });
  }
  return assessmentIds.length > 1 ? oncePerResource(out) : out;
}

/**
 * Two sources that overlap (a folder and one inside it) hold the same resource: the estate
 * counts each rule on each resource once, with the finding of the newest assessment (the highest
 * finding id). Order is kept.
 */
export function oncePerResource(findings: readonly ViewFinding[]): ViewFinding[] {
  const winner = new Map<string, number>();
  for (const f of findings) {
    const identity = findingIdentity(f.ruleId, f.cloud, f.resourceType, f.resourceId, f.file);
    const held = winner.get(identity);
    if (held === undefined || f.findingId > held) winner.set(identity, f.findingId);
  }
  return findings.filter(
    (f) =>
      winner.get(findingIdentity(f.ruleId, f.cloud, f.resourceType, f.resourceId, f.file)) ===
      f.findingId,
  );
}

/**
 * What makes a finding the same across sources: the rule, and the resource's cloud, type, id
 * (or IaC address) and file. Files are stored as scanned, so overlapping sources agree on them.
 */
export function findingIdentity(
  rule: string,
  cloud: string | null,
  type: string,
  id: string,
  file: string | null | undefined,
): string {
  return JSON.stringify([rule, cloud, type, id, file ?? null]);
}

/** Secure score, controls and recommendations of `findings`. */
export async function scoreFindings(findings: ViewFinding[], rules: PostureRules) {
  const catalog = await loadCatalog();
  return computeSecureScore(findings, catalog.controls, rules.rules);
}

/** Compliance of every standard over `findings`. */
export async function complianceOf(findings: ViewFinding[], rules: PostureRules) {
  const catalog = await loadCatalog();
  return computeCompliance(catalog.standards, rules.rules, findings);
}

/** Finding counts as an assessment shows them (the scan's counts, without the severity split). */
export function countFindings(findings: readonly Finding[]) {
  const { bySeverity: _, ...counts } = countAssessmentFindings(findings);
  return counts;
}

/** A finding as the API shows it. */
export function findingView(f: ViewFinding) {
  return {
    id: f.findingId,
    assessmentId: f.assessmentId,
    ruleId: f.ruleId,
    resourceId: f.resourceId,
    resourceType: f.resourceType,
    resourceName: f.resourceName,
    account: f.account,
    status: f.status,
    severity: f.severity,
    control: f.control,
    message: f.message,
    file: f.file ?? null,
    line: f.line ?? null,
    exemption: f.exemption ?? null,
  };
}

/** Which of `ids` judged at least one resource on some control (not everything exempt). */
export async function judgedAssessments(db: Kysely<Database>, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom('control_scores')
    .select('assessment_id')
    .where('assessment_id', 'in', ids)
    .where((eb) => eb.or([eb('healthy', '>', 0), eb('unhealthy', '>', 0)]))
    .distinct()
    .execute();
  return new Set(rows.map((r) => r.assessment_id));
}
