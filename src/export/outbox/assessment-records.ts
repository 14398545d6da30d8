/**
 * Export records an assessment causes, written to the outbox in the transaction that saves it:
 * recommendation state changes per rule and resource (from the finding lifecycle), secure score
 * moves of 0.01 or more (overall and per control), and standard control state changes.
 */

import type { Kysely } from 'kysely';
import type { AssessmentResult, ControlScore } from '../../model/assessment.js';
import type {
  ComplianceExportData,
  ComplianceState,
  ExportRecord,
  RecommendationExportData,
  ScoreMove,
} from '../../model/export-record.js';
import type { Finding } from '../../model/finding.js';
import type { Resource } from '../../model/resource.js';
import type { Severity } from '../../model/rule.js';
import { exportStore } from '../../store/export-store.js';
import type { FindingLifecycleRow } from '../../store/finding-lifecycle.js';
import { appendOutbox, hasOutboxConsumers, lockOutbox } from '../../store/outbox-repository.js';
import type { Database } from '../../store/schema.js';
import { findingKey, lastSeen, type LastSeen } from './last-seen.js';
import { recordId } from './record-id.js';

/** Versions of `schemas/export/<type>.v1.json`. */
export const RECOMMENDATION_SCHEMA_VERSION = 1;
export const SECURE_SCORE_SCHEMA_VERSION = 1;

/**
 * The compliance schema a record is written at, the oldest that can say it: v3 when it names its
 * estate (every record written now does), else v2 when it names `manual`, which v1 has no word
 * for (a v1 reader takes it as `not_assessed`, what v1 said of such a control), else v1.
 *
 * ```ts
 * complianceSchemaVersion({ state: 'manual' }); // 2
 * complianceSchemaVersion({ state: 'failed', estate: { targetSet, targets: ['infra'] } }); // 3
 * ```
 */
export function complianceSchemaVersion(
  data: Pick<ComplianceExportData, 'state' | 'previousState' | 'estate'>,
): 1 | 2 | 3 {
  if (data.estate) return 3;
  return data.state === 'manual' || data.previousState === 'manual' ? 2 : 1;
}

/**
 * States a control of a target set has before its first assessment says anything: nothing was
 * judged, so a first assessment finding a control not assessed (or manual, which no assessment
 * of any estate changes) reports no change. Sending one would read, at a receiver holding
 * another estate's state for the control, as that control having changed.
 */
const FIRST_UNCHANGED: ReadonlySet<ComplianceState> = new Set(['not_assessed', 'manual']);

/** The smallest score move (percentage points) that is reported. */
export const SCORE_STEP = 0.01;

const SEP = '\u0000';
const round2 = (n: number) => Math.round(n * 100) / 100;

/** A control's score as a percentage of its maximum. */
export function controlPercent(c: ControlTally): number | null {
  if (!judged(c)) return null;
  return c.maxScore > 0 ? round2((c.currentScore / c.maxScore) * 100) : 0;
}

/** Distinct cloud accounts of an assessment's resources. */
function accountsOf(resources: readonly Resource[]): string[] {
  const out = new Set<string>();
  for (const r of resources) if (r.account) out.add(r.account);
  return [...out].sort();
}

/** From a lifecycle change to the states before and after. */
function statesOf(
  row: FindingLifecycleRow,
  resolvedBefore?: string,
): Pick<RecommendationExportData, 'previousState' | 'state' | 'reason'> {
  const reason = row.reason as NonNullable<RecommendationExportData['reason']>;
  if (row.change === 'new') return { state: 'fail', reason };
  if (row.change === 'reopened') {
    return { previousState: resolvedState(resolvedBefore ?? 'passed'), state: 'fail', reason };
  }
  return { previousState: 'fail', state: resolvedState(reason), reason };
}

/** The state a resolution left a finding in. */
function resolvedState(reason: string): 'pass' | 'not_applicable' {
  return reason === 'passed' ? 'pass' : 'not_applicable';
}

/**
 * How each reopened finding had been resolved (its latest resolution before this assessment),
 * so a reopened record says whether it passed or no longer applied before.
 */
async function priorResolutions(
  trx: Kysely<Database>,
  assessmentId: string,
  changes: readonly FindingLifecycleRow[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const reopened = changes.filter((c) => c.change === 'reopened');
  for (let i = 0; i < reopened.length; i += 200) {
    const chunk = reopened.slice(i, i + 200);
    const rows = await trx
      .selectFrom('finding_events')
      .select(['rule_id', 'resource_type', 'resource_id', 'reason'])
      .where('target_set', '=', chunk[0].target_set)
      .where('change', '=', 'resolved')
      .where('assessment_id', '<>', assessmentId)
      .where('rule_id', 'in', [...new Set(chunk.map((c) => c.rule_id))])
      .where('resource_id', 'in', [...new Set(chunk.map((c) => c.resource_id))])
      .orderBy('id')
      .execute();
    // Later rows overwrite earlier ones: the latest resolution wins.
    for (const r of rows) {
      out.set(r.rule_id + SEP + r.resource_type + SEP + r.resource_id, r.reason);
    }
  }
  return out;
}

/**
 * The resolutions `a` cannot describe alone, with what their finding was when last seen: the
 * resource left the estate (so it is not among `a.resources`: its tags, account and region would
 * be missing, and tag- or account-scoped consumers would never get the resolution), or the rule
 * has no failing resource left (so it is not among `a.recommendations`: its title would be).
 */
async function unseenResolutions(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
  changes: readonly FindingLifecycleRow[],
): Promise<Map<string, LastSeen>> {
  const scanned = new Set(a.resources.map((r) => r.type + SEP + r.id));
  const recommended = new Set(a.recommendations.map((r) => r.ruleId));
  const unseen = changes.filter(
    (c) =>
      c.change === 'resolved' &&
      (!scanned.has(c.resource_type + SEP + c.resource_id) || !recommended.has(c.rule_id)),
  );
  return unseen.length === 0 ? new Map() : lastSeen(trx, targetSet, unseen);
}

/**
 * One recommendation record per lifecycle change of the assessment. `seen` fills in, for a
 * resolution, what the assessment no longer knows (see `unseenResolutions`). A rule not among
 * the recommendations and with no failing record left in the outbox (none is written while the
 * store has no consumer, and they are pruned) is named by the rules the assessment was judged
 * with (`a.ruleTexts`), so its resolution still has the rule's title and remediation.
 */
export function recommendationRecords(
  a: AssessmentResult,
  changes: readonly FindingLifecycleRow[],
  resolvedBefore: ReadonlyMap<string, string> = new Map(),
  seen: ReadonlyMap<string, LastSeen> = new Map(),
): ExportRecord[] {
  if (changes.length === 0) return [];
  const wanted = new Set(
    changes.map((c) => c.rule_id + SEP + c.resource_type + SEP + c.resource_id),
  );
  const findings = new Map<string, Finding>();
  for (const f of a.findings) {
    const key = f.ruleId + SEP + f.resourceType + SEP + f.resourceId;
    if (wanted.has(key) && (!findings.has(key) || f.status === 'fail')) findings.set(key, f);
  }
  const resourceKeys = new Set(changes.map((c) => c.resource_type + SEP + c.resource_id));
  const resources = new Map<string, Resource>();
  for (const r of a.resources) {
    const key = r.type + SEP + r.id;
    if (resourceKeys.has(key)) resources.set(key, r);
  }
  const rules = new Map(a.recommendations.map((r) => [r.ruleId, r]));

  return changes.map((c) => {
    const finding = findings.get(c.rule_id + SEP + c.resource_type + SEP + c.resource_id);
    const resource = resources.get(c.resource_type + SEP + c.resource_id);
    const rule = rules.get(c.rule_id);
    const known = seen.get(findingKey(c.rule_id, c.resource_type, c.resource_id));
    const judged = a.ruleTexts?.get(c.rule_id);
    // The resource as scanned now, or else as last seen.
    const where = resource ?? known;
    const message =
      finding?.message ||
      (c.reason === 'gone'
        ? `${c.resource_name} is no longer judged by ${c.rule_id}: the resource or the rule left the scan`
        : `${c.resource_name} now passes ${c.rule_id}`);
    const data: RecommendationExportData = {
      assessmentId: a.id,
      ruleId: c.rule_id,
      title: rule?.title ?? known?.title ?? judged?.title ?? c.rule_id,
      severity: c.severity as Severity,
      control: finding?.control || rule?.control || known?.control || '',
      resourceId: c.resource_id,
      resourceType: c.resource_type,
      resourceName: c.resource_name,
      cloud: where?.cloud ?? c.resource_type.split('::')[0].split('.')[0].toLowerCase(),
      ...statesOf(c, resolvedBefore.get(c.rule_id + SEP + c.resource_type + SEP + c.resource_id)),
      message,
    };
    if (where?.account) data.account = where.account;
    if (where?.region) data.region = where.region;
    if (where?.tags && Object.keys(where.tags).length) data.tags = { ...where.tags };
    const remediation = rule?.remediation ?? known?.remediation ?? judged?.remediation;
    if (remediation) data.remediation = remediation;
    return {
      id: recordId('recommendation', [a.id, c.rule_id, c.resource_type, c.resource_id]),
      schemaVersion: RECOMMENDATION_SCHEMA_VERSION,
      kind: 'change' as const,
      type: 'recommendation' as const,
      occurredAt: c.at,
      accounts: data.account ? [data.account] : [],
      data,
    };
  });
}

/** What a control's score stands on: its points and how many resources were judged. */
type ControlTally = Pick<ControlScore, 'maxScore' | 'currentScore' | 'healthy' | 'unhealthy'>;

/** True when some resource of the control passed or failed (not all exempt or n/a). */
function judged(c: Pick<ControlScore, 'healthy' | 'unhealthy'>): boolean {
  return c.healthy + c.unhealthy > 0;
}

/**
 * Overall and per-control score of an assessment, as score moves from `previous`. A score that
 * nothing was judged for is null (the API's "not assessed"), and the points count only the
 * judged controls, as the percentage does.
 */
export function scoreMoves(
  controls: readonly ControlScore[],
  secureScore: number,
  previous?: { secureScore: number | null; controls: ReadonlyMap<string, number | null> },
): { overall: ScoreMove; controls: ScoreMove[] } {
  const scored = controls.filter(judged);
  const overall: ScoreMove = {
    id: 'overall',
    name: 'Secure score',
    current: scored.length > 0 ? round2(secureScore) : null,
    currentPoints: round2(scored.reduce((s, c) => s + c.currentScore, 0)),
    maxPoints: round2(scored.reduce((s, c) => s + c.maxScore, 0)),
  };
  if (previous)
    overall.previous = previous.secureScore === null ? null : round2(previous.secureScore);
  const moves = controls.map((c) => {
    const move: ScoreMove = {
      id: c.id,
      name: c.title,
      current: controlPercent(c),
      currentPoints: round2(c.currentScore),
      maxPoints: round2(c.maxScore),
    };
    const before = previous?.controls.get(c.id);
    if (before !== undefined) move.previous = before;
    return move;
  });
  return { overall, controls: moves };
}

/**
 * True when a move is reported: first seen, judged or no longer judged, or changed by at least
 * 0.01 points.
 */
function moved(m: ScoreMove): boolean {
  if (m.previous === undefined) return true;
  if (m.previous === null || m.current === null) return m.previous !== m.current;
  return Math.abs(m.current - m.previous) >= SCORE_STEP - 1e-9;
}

/** The secure score record of `a` against the previous assessment of the same targets. */
async function secureScoreRecord(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
  accounts: string[],
): Promise<ExportRecord | undefined> {
  const prior = await trx
    .selectFrom('assessments')
    .select(['id', 'secure_score'])
    .where('target_set', '=', targetSet)
    .where('id', '<>', a.id)
    .where('started_at', '<=', a.startedAt)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  let previous: { secureScore: number | null; controls: Map<string, number | null> } | undefined;
  if (prior) {
    const rows = await trx
      .selectFrom('control_scores')
      .select(['control_id', 'current_score', 'max_score', 'healthy', 'unhealthy'])
      .where('assessment_id', '=', prior.id)
      .execute();
    const tallies = rows.map((r) => ({
      id: r.control_id,
      percent: controlPercent({
        currentScore: r.current_score,
        maxScore: r.max_score,
        healthy: r.healthy,
        unhealthy: r.unhealthy,
      }),
    }));
    previous = {
      secureScore: tallies.some((t) => t.percent !== null) ? prior.secure_score : null,
      controls: new Map(tallies.map((t) => [t.id, t.percent])),
    };
  }
  const moves = scoreMoves(a.controls, a.secureScore, previous);
  const controls = moves.controls.filter(moved);
  if (!moved(moves.overall) && controls.length === 0) return undefined;
  return {
    id: recordId('secure_score', [a.id]),
    schemaVersion: SECURE_SCORE_SCHEMA_VERSION,
    kind: 'change',
    type: 'secure_score',
    occurredAt: a.finishedAt,
    accounts,
    data: { assessmentId: a.id, overall: moves.overall, controls },
  };
}

/**
 * Compliance records for every standard control whose state differs from the last one stored
 * for these targets (on the first assessment of the targets: every control it judged), each
 * naming the estate, and the stored states brought up to date.
 */
async function complianceRecords(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
  accounts: string[],
): Promise<ExportRecord[]> {
  const db = exportStore(trx);
  const stored = await db
    .selectFrom('compliance_states')
    .select(['standard', 'control_id', 'state'])
    .where('target_set', '=', targetSet)
    .execute();
  const before = new Map(stored.map((s) => [s.standard + SEP + s.control_id, s.state]));
  const firstOfEstate = stored.length === 0;
  const estate = { targetSet, targets: [...a.targets] };
  const records: ExportRecord[] = [];
  const rows = [];
  for (const standard of a.compliance) {
    for (const control of standard.controls) {
      const key = standard.id + SEP + control.id;
      const previous = before.get(key) as ComplianceState | undefined;
      const state = control.state;
      rows.push({
        target_set: targetSet,
        standard: standard.id,
        control_id: control.id,
        standard_name: standard.name,
        control_name: control.title,
        state,
        passed: control.passing,
        failed: control.failing,
        assessment_id: a.id,
        accounts: JSON.stringify(accounts),
      });
      if (previous === state) continue;
      if (firstOfEstate && FIRST_UNCHANGED.has(state)) continue;
      const data: ComplianceExportData = {
        assessmentId: a.id,
        estate,
        standard: standard.id,
        standardName: standard.name,
        controlId: control.id,
        controlName: control.title,
        state,
        passedResources: control.passing,
        failedResources: control.failing,
      };
      if (previous) data.previousState = previous;
      records.push({
        id: recordId('compliance', [a.id, standard.id, control.id]),
        schemaVersion: complianceSchemaVersion(data),
        kind: 'change',
        type: 'compliance',
        occurredAt: a.finishedAt,
        accounts,
        data,
      });
    }
  }
  for (let i = 0; i < rows.length; i += 400) {
    await db
      .insertInto('compliance_states')
      .values(rows.slice(i, i + 400))
      .onConflict((oc) =>
        oc.columns(['target_set', 'standard', 'control_id']).doUpdateSet((eb) => ({
          standard_name: eb.ref('excluded.standard_name'),
          control_name: eb.ref('excluded.control_name'),
          state: eb.ref('excluded.state'),
          passed: eb.ref('excluded.passed'),
          failed: eb.ref('excluded.failed'),
          assessment_id: eb.ref('excluded.assessment_id'),
          accounts: eb.ref('excluded.accounts'),
        })),
      )
      .execute();
  }
  return records;
}

/**
 * Writes the export records of assessment `a` to the outbox, inside the transaction saving it,
 * and brings the stored compliance states up to date. `changes` are the finding lifecycle
 * changes the same save recorded. While the store has no outbox consumer, no record would ever be
 * delivered (see `hasOutboxConsumers`): only the compliance states are written, and the records
 * are not built.
 */
export async function emitAssessmentRecords(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
  changes: readonly FindingLifecycleRow[],
  now: Date = new Date(),
): Promise<void> {
  const accounts = accountsOf(a.resources);
  // Locked before asking, so a consumer created meanwhile waits for this save (PostgreSQL).
  await lockOutbox(trx);
  if (!(await hasOutboxConsumers(trx))) {
    await complianceRecords(trx, a, targetSet, accounts);
    return;
  }
  const records = recommendationRecords(
    a,
    changes,
    await priorResolutions(trx, a.id, changes),
    await unseenResolutions(trx, a, targetSet, changes),
  );
  const score = await secureScoreRecord(trx, a, targetSet, accounts);
  if (score) records.push(score);
  records.push(...(await complianceRecords(trx, a, targetSet, accounts)));
  await appendOutbox(trx, records, now);
}
