/** Saves assessments and reads back their history: score over time, latest findings. */

import type { Kysely } from 'kysely';
import type { AssessmentResult, ControlScore } from '../model/assessment.js';
import { redactSecrets } from '../model/redact-secrets.js';
import { emitAssessmentRecords } from '../export/outbox/assessment-records.js';
import { insertBatched } from './batch-insert.js';
import { updateFindingLifecycle } from './finding-lifecycle.js';
import type { Database } from './schema.js';
import { targetSetKey } from './target-set.js';

/** Rows built and inserted at a time, so a million findings never become a million rows at once. */
const CHUNK = 10_000;

async function insertChunked<T, K extends keyof Database & string>(
  trx: Kysely<Database>,
  table: K,
  items: readonly T[],
  row: (item: T) => Record<string, unknown>,
): Promise<void> {
  for (let i = 0; i < items.length; i += CHUNK)
    await insertBatched(trx, table, items.slice(i, i + CHUNK).map(row));
}

/**
 * Writes an assessment's own rows: the assessment, control scores, findings, resources and files.
 * With `summariesOnly` a resource keeps its identity and place but not its tags or properties
 * (streamed assessments drop those after judging).
 */
/** The `control_scores` row of control score `c` in assessment `assessmentId`. */
export function controlScoreRow(assessmentId: string, c: ControlScore) {
  return {
    assessment_id: assessmentId,
    control_id: c.id,
    title: c.title,
    max_score: c.maxScore,
    current_score: c.currentScore,
    healthy: c.healthy,
    unhealthy: c.unhealthy,
    not_applicable: c.notApplicable,
  };
}

export async function insertAssessmentRecords(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
  options: { summariesOnly?: boolean } = {},
): Promise<void> {
  await trx
    .insertInto('assessments')
    .values({
      id: a.id,
      started_at: a.startedAt,
      finished_at: a.finishedAt,
      targets: JSON.stringify(a.targets),
      secure_score: a.secureScore,
      resources: a.counts.resources,
      rules: a.counts.rules,
      pass: a.counts.pass,
      fail: a.counts.fail,
      not_applicable: a.counts.notApplicable,
      error: a.counts.error,
      exempt: a.counts.exempt,
      target_set: targetSet,
    })
    .execute();
  await insertChunked(trx, 'control_scores', a.controls, (c) => controlScoreRow(a.id, c));
  await insertChunked(trx, 'findings', a.findings, (f) => ({
    assessment_id: a.id,
    rule_id: f.ruleId,
    resource_id: f.resourceId,
    resource_type: f.resourceType,
    resource_name: f.resourceName,
    status: f.status,
    severity: f.severity,
    control: f.control,
    message: f.message,
    file: f.file ?? null,
    line: f.line ?? null,
    exemption: f.exemption ? JSON.stringify(f.exemption) : null,
  }));
  await insertChunked(trx, 'resources', a.resources, (r) => ({
    assessment_id: a.id,
    id: r.id,
    type: r.type,
    cloud: r.cloud,
    name: r.name,
    account: r.account ?? null,
    region: r.region ?? null,
    source_kind: r.source.kind,
    file: r.source.file ?? null,
    line: r.source.line ?? null,
    tags: options.summariesOnly ? '{}' : JSON.stringify(r.tags ?? {}),
    // Judged as read; stored without credentials.
    properties: options.summariesOnly
      ? 'null'
      : JSON.stringify(redactSecrets(r.type, r.properties)),
  }));
  await insertChunked(trx, 'source_files', a.files, (f) => ({
    assessment_id: a.id,
    file: f.file,
    kind: f.kind,
    resources: f.resources,
    error: f.error ? JSON.stringify(f.error) : null,
  }));
}

/**
 * Stores one assessment with everything it found and updates the finding lifecycle of its
 * targets (see finding-lifecycle.ts) and the export outbox, in one transaction: all or nothing.
 */
export async function saveAssessment(db: Kysely<Database>, a: AssessmentResult): Promise<void> {
  const targetSet = targetSetKey(a.targetIdentities ?? a.targets);
  await db.transaction().execute(async (trx) => {
    await insertAssessmentRecords(trx, a, targetSet);
    const changes = await updateFindingLifecycle(trx, a, targetSet);
    await emitAssessmentRecords(trx, a, targetSet, changes);
  });
}

/** One point of the score history. */
export interface ScorePoint {
  id: string;
  startedAt: string;
  secureScore: number;
  resources: number;
  fail: number;
  targets: string[];
}

/** Past assessments, oldest first (the last `limit` of them). */
export async function scoreHistory(db: Kysely<Database>, limit = 30): Promise<ScorePoint[]> {
  const rows = await db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'secure_score', 'resources', 'fail', 'targets'])
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.reverse().map((r) => ({
    id: r.id,
    startedAt: r.started_at,
    secureScore: r.secure_score,
    resources: r.resources,
    fail: r.fail,
    targets: JSON.parse(r.targets) as string[],
  }));
}

/** Findings of one stored assessment, optionally only one status. */
export async function storedFindings(db: Kysely<Database>, assessmentId: string, status?: string) {
  let query = db.selectFrom('findings').selectAll().where('assessment_id', '=', assessmentId);
  if (status) query = query.where('status', '=', status);
  return query.orderBy('id').execute();
}
