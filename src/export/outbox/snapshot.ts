/**
 * Periodic snapshots: the current state of all four data types (every alert, every open
 * recommendation finding, the latest secure score of each set of targets, every standard
 * control's state) written to the outbox as `snapshot` records, so a new SIEM can be filled.
 */

// Known gap: a snapshot's recommendation records look their resources up per page of open
// findings; in an assessment of millions of resources each lookup scans that assessment's rows.

import type { Kysely } from 'kysely';
import type {
  ComplianceState,
  ExportDataType,
  ExportRecord,
  RecommendationExportData,
} from '../../model/export-record.js';
import type { Severity } from '../../model/rule.js';
import { exportStore } from '../../store/export-store.js';
import { latestOfEachTargetSet } from '../../store/latest-assessments.js';
import { retiredTargetSets } from '../../store/retired-target-sets.js';
import { appendOutbox } from '../../store/outbox-repository.js';
import type { Database } from '../../store/schema.js';
import { alertFromRow, alertRecord } from './alert-records.js';
import { exportTakesRecord, type ExportFilter } from './export-filter.js';
import {
  complianceSchemaVersion,
  RECOMMENDATION_SCHEMA_VERSION,
  SECURE_SCORE_SCHEMA_VERSION,
  scoreMoves,
} from './assessment-records.js';
import { recordId } from './record-id.js';

/** Rows read and written per transaction. */
const PAGE = 500;

/** How many records a snapshot wrote, by data type. */
export interface SnapshotCounts {
  snapshotId: string;
  alert: number;
  recommendation: number;
  secure_score: number;
  compliance: number;
}

/** Where a snapshot goes: the export it fills, and what that export carries. */
interface SnapshotTarget {
  db: Kysely<Database>;
  now: Date;
  target: string | null;
  /** Records the export does not carry (other accounts, types, severities) are not written. */
  filter: ExportFilter | undefined;
}

/** Writes the records the target carries; returns how many. */
async function write(to: SnapshotTarget, records: ExportRecord[]): Promise<number> {
  const kept = to.filter ? records.filter((r) => exportTakesRecord(to.filter!, r)) : records;
  if (kept.length === 0) return 0;
  await to.db.transaction().execute((trx) => appendOutbox(trx, kept, to.now, to.target));
  return kept.length;
}

/** False when the target carries no record of the type (its rows are then not even read). */
function carries(to: SnapshotTarget, type: ExportDataType): boolean {
  return !to.filter || to.filter.types.includes(type);
}

async function snapshotAlerts(to: SnapshotTarget, id: string) {
  if (!carries(to, 'alert')) return 0;
  const { db, now } = to;
  let after = '';
  let count = 0;
  for (;;) {
    const rows = await db
      .selectFrom('alerts')
      .selectAll()
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (rows.length === 0) return count;
    const at = now.toISOString();
    const records = rows.map((r) =>
      alertRecord(alertFromRow(r), { change: 'updated' }, at, 'snapshot', id),
    );
    count += await write(to, records);
    after = rows[rows.length - 1].id;
  }
}

async function snapshotRecommendations(to: SnapshotTarget, id: string) {
  if (!carries(to, 'recommendation')) return 0;
  const { db, now } = to;
  let count = 0;
  const retired = await retiredTargetSets(db);
  let after: [string, string, string, string] = ['', '', '', ''];
  for (;;) {
    const [set, rule, type, resource] = after;
    const states = await db
      .selectFrom('finding_states')
      .selectAll()
      .where('status', '=', 'open')
      .where((eb) =>
        eb.or([
          eb('target_set', '>', set),
          eb.and([eb('target_set', '=', set), eb('rule_id', '>', rule)]),
          eb.and([
            eb('target_set', '=', set),
            eb('rule_id', '=', rule),
            eb('resource_type', '>', type),
          ]),
          eb.and([
            eb('target_set', '=', set),
            eb('rule_id', '=', rule),
            eb('resource_type', '=', type),
            eb('resource_id', '>', resource),
          ]),
        ]),
      )
      .orderBy('target_set')
      .orderBy('rule_id')
      .orderBy('resource_type')
      .orderBy('resource_id')
      .limit(PAGE)
      .execute();
    if (states.length === 0) return count;
    const records: ExportRecord[] = [];
    const byAssessment = new Map<string, typeof states>();
    for (const s of states) {
      // A deleted source's findings stay stored as history; they are no longer the estate's.
      if (retired.has(s.target_set)) continue;
      const group = byAssessment.get(s.last_assessment_id) ?? [];
      group.push(s);
      byAssessment.set(s.last_assessment_id, group);
    }
    for (const [assessment, group] of byAssessment) {
      const ids = [...new Set(group.map((s) => s.resource_id))];
      const findings = await db
        .selectFrom('findings')
        .select(['rule_id', 'resource_id', 'resource_type', 'control', 'message', 'status'])
        .where('assessment_id', '=', assessment)
        .where('resource_id', 'in', ids)
        .execute();
      const resources = await db
        .selectFrom('resources')
        .select(['id', 'type', 'cloud', 'account', 'region', 'tags'])
        .where('assessment_id', '=', assessment)
        .where('id', 'in', ids)
        .execute();
      for (const s of group) {
        const f = findings.find(
          (x) =>
            x.rule_id === s.rule_id &&
            x.resource_id === s.resource_id &&
            x.resource_type === s.resource_type,
        );
        const r = resources.find((x) => x.id === s.resource_id && x.type === s.resource_type);
        const tags = r ? (JSON.parse(r.tags) as Record<string, string>) : {};
        const data: RecommendationExportData = {
          assessmentId: s.last_assessment_id,
          ruleId: s.rule_id,
          title: s.rule_id,
          severity: s.severity as Severity,
          control: f?.control ?? '',
          resourceId: s.resource_id,
          resourceType: s.resource_type,
          resourceName: s.resource_name,
          cloud: r?.cloud ?? s.resource_type.split('::')[0].split('.')[0].toLowerCase(),
          state: 'fail',
          message: f?.message ?? `${s.resource_name} fails ${s.rule_id}`,
        };
        if (r?.account) data.account = r.account;
        if (r?.region) data.region = r.region;
        if (Object.keys(tags).length) data.tags = tags;
        records.push({
          id: recordId('recommendation', [
            'snapshot',
            id,
            s.target_set,
            s.rule_id,
            s.resource_type,
            s.resource_id,
          ]),
          schemaVersion: RECOMMENDATION_SCHEMA_VERSION,
          kind: 'snapshot',
          type: 'recommendation',
          occurredAt: now.toISOString(),
          accounts: data.account ? [data.account] : [],
          data,
        });
      }
    }
    count += await write(to, records);
    const last = states[states.length - 1];
    after = [last.target_set, last.rule_id, last.resource_type, last.resource_id];
  }
}

async function snapshotScores(to: SnapshotTarget, id: string) {
  if (!carries(to, 'secure_score')) return 0;
  const { db, now } = to;
  const records: ExportRecord[] = [];
  // The estate's current posture: the latest assessment of each target set whose source still
  // exists (a deleted source's scores are history, not state), as the posture view reads it.
  for (const latest of await latestOfEachTargetSet(db)) {
    const controls = await db
      .selectFrom('control_scores')
      .selectAll()
      .where('assessment_id', '=', latest.id)
      .orderBy('control_id')
      .execute();
    const accounts = await db
      .selectFrom('resources')
      .select('account')
      .distinct()
      .where('assessment_id', '=', latest.id)
      .where('account', 'is not', null)
      .execute();
    const moves = scoreMoves(
      controls.map((c) => ({
        id: c.control_id,
        title: c.title,
        maxScore: c.max_score,
        currentScore: c.current_score,
        healthy: c.healthy,
        unhealthy: c.unhealthy,
        notApplicable: c.not_applicable,
      })),
      latest.secure_score,
    );
    records.push({
      id: recordId('secure_score', ['snapshot', id, latest.id]),
      schemaVersion: SECURE_SCORE_SCHEMA_VERSION,
      kind: 'snapshot',
      type: 'secure_score',
      occurredAt: now.toISOString(),
      accounts: accounts.map((a) => a.account!).sort(),
      data: { assessmentId: latest.id, overall: moves.overall, controls: moves.controls },
    });
  }
  return write(to, records);
}

/** The targets each assessment ran on, as stored, by assessment id. */
async function assessedTargets(
  db: Kysely<Database>,
  ids: readonly string[],
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (let i = 0; i < ids.length; i += PAGE) {
    const rows = await db
      .selectFrom('assessments')
      .select(['id', 'targets'])
      .where('id', 'in', ids.slice(i, i + PAGE))
      .execute();
    for (const r of rows) out.set(r.id, JSON.parse(r.targets) as string[]);
  }
  return out;
}

async function snapshotCompliance(to: SnapshotTarget, id: string) {
  if (!carries(to, 'compliance')) return 0;
  const { db, now } = to;
  const retired = await retiredTargetSets(db);
  const rows = await exportStore(db)
    .selectFrom('compliance_states')
    .selectAll()
    .orderBy('target_set')
    .orderBy('standard')
    .orderBy('control_id')
    .execute();
  const live = rows.filter((r) => !retired.has(r.target_set));
  const targets = await assessedTargets(db, [...new Set(live.map((r) => r.assessment_id))]);
  const records: ExportRecord[] = live.map((r) => {
    const data = {
      assessmentId: r.assessment_id,
      estate: { targetSet: r.target_set, targets: targets.get(r.assessment_id) ?? [] },
      standard: r.standard,
      standardName: r.standard_name,
      controlId: r.control_id,
      controlName: r.control_name,
      state: r.state as ComplianceState,
      passedResources: r.passed,
      failedResources: r.failed,
    };
    return {
      id: recordId('compliance', ['snapshot', id, r.target_set, r.standard, r.control_id]),
      schemaVersion: complianceSchemaVersion(data),
      kind: 'snapshot',
      type: 'compliance',
      occurredAt: now.toISOString(),
      accounts: JSON.parse(r.accounts) as string[],
      data,
    };
  });
  let count = 0;
  for (let i = 0; i < records.length; i += PAGE) {
    count += await write(to, records.slice(i, i + PAGE));
  }
  return count;
}

/**
 * Writes a snapshot of the current state to the outbox: for one export (`target`), only the
 * records it carries (its types, scope and minimum severity, `filter`), so the counts are what
 * it will send and a caller limited to one account learns nothing of the others; or for every
 * consumer (null). `snapshotId` names the snapshot in the records' keys: writing the same
 * snapshot again (after a crash) adds nothing twice.
 *
 * ```ts
 * await writeSnapshot(db, exportId, `${exportId}:${slot}`, new Date(), exportView(row));
 * ```
 */
export async function writeSnapshot(
  db: Kysely<Database>,
  target: string | null,
  snapshotId: string,
  now: Date,
  filter?: ExportFilter,
): Promise<SnapshotCounts> {
  const to: SnapshotTarget = { db, now, target, filter };
  return {
    snapshotId,
    alert: await snapshotAlerts(to, snapshotId),
    recommendation: await snapshotRecommendations(to, snapshotId),
    secure_score: await snapshotScores(to, snapshotId),
    compliance: await snapshotCompliance(to, snapshotId),
  };
}
