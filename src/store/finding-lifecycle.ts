/**
 * Finding lifecycle for continuous assessment: compares an assessment with the stored state of
 * the same targets and records what is new, reopened and resolved, with first/last-seen times.
 */

// Known gap: targets are compared as given; `scan estate` and `scan ./estate/` are two sets.
// Known gap: an exempted failing finding stays open (it is still failing); the exemption is on
// the finding of each assessment, not on the lifecycle.
// Known gap: resolved states are kept forever; nothing prunes resources long gone.
// Known gap: assessments are assumed saved in the order they ran; saving an older one after a
// newer one of the same targets records the changes against the newer one.

import { resolve, sep } from 'node:path';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { AssessmentResult } from '../model/assessment.js';
import type { Finding } from '../model/finding.js';
import { insertBatched } from './batch-insert.js';
import { dialectOf } from './dialect.js';
import type { Database, FindingEventTable, FindingStateTable } from './schema.js';

/** A lifecycle change an assessment caused. */
export type FindingChangeKind = 'new' | 'reopened' | 'resolved';

/**
 * Why: `failed` (new or reopened), `passed` or `not_applicable` (resolved by the rule's
 * verdict), `gone` (resolved because the resource or the rule no longer appears in the scan).
 */
export type FindingChangeReason = 'failed' | 'passed' | 'not_applicable' | 'gone';

export interface FindingChange {
  ruleId: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  severity: string;
  reason: FindingChangeReason;
  at: string;
}

/** What changed in one assessment against the previous one of the same targets. */
export interface FindingChanges {
  assessmentId: string;
  /** The previous assessment of the same targets; null for the first one. */
  previousAssessmentId: string | null;
  new: FindingChange[];
  reopened: FindingChange[];
  resolved: FindingChange[];
}

export interface FindingLifecycleEvent {
  assessmentId: string;
  change: FindingChangeKind;
  reason: FindingChangeReason;
  at: string;
}

/** One (rule, resource) of one set of targets, with its whole lifecycle. */
export interface FindingHistory {
  targetSet: string;
  /** The targets of the most recent assessment of that set. */
  targets: string[];
  ruleId: string;
  resourceType: string;
  resourceId: string;
  resourceName: string;
  severity: string;
  status: 'open' | 'resolved';
  firstSeen: string;
  /** The last assessment in which the finding was open. */
  lastSeen: string;
  statusChangedAt: string;
  resolvedAt: string | null;
  events: FindingLifecycleEvent[];
}

type Verdict = 'fail' | 'error' | 'pass' | 'not_applicable';
type StateRow = Selectable<FindingStateTable>;
type EventRow = Omit<FindingEventTable, 'id'>;

/** One lifecycle change as recorded, returned to the save so it can report it (export). */
export type FindingLifecycleRow = EventRow;

const SEP = '\u0000';

function keyOf(ruleId: string, resourceType: string, resourceId: string): string {
  return ruleId + SEP + resourceType + SEP + resourceId;
}

/** Rank of a verdict when one resource appears more than once: a failure anywhere wins. */
const RANK: Record<Verdict, number> = { fail: 3, error: 2, pass: 1, not_applicable: 0 };

/** The verdict of each (rule, resource) in the assessment, duplicates folded. */
function currentVerdicts(findings: readonly Finding[]): Map<string, Finding> {
  const out = new Map<string, Finding>();
  for (const f of findings) {
    const key = keyOf(f.ruleId, f.resourceType, f.resourceId);
    const seen = out.get(key);
    if (!seen || RANK[f.status] > RANK[seen.status]) out.set(key, f);
  }
  return out;
}

/** Resources of a resource-table lookup at a time (`in` lists stay well under bind limits). */
const LOOKUP_CHUNK = 500;

/** Whether `file` (resolved) is the unit `unit` (resolved) or lies inside it (a folder). */
function within(file: string, unit: string): boolean {
  return file === unit || file.startsWith(unit.endsWith(sep) ? unit : unit + sep);
}

/**
 * Of `candidates` (open findings whose resource assessment `a` did not read), those `a` cannot
 * say are gone, because it could not read every file of its targets: they are held, their
 * lifecycle left exactly as it was (no event, no outbox record).
 *
 * A resource missing from an assessment is `gone` only when the assessment read the place it
 * came from. Where each resource came from is the `file` of its `resources` row in the
 * assessment that last saw the finding open (`last_assessment_id`, which a held state keeps).
 * When every file of the targets was read (no file report has an `error`), nothing is held: a
 * resource absent from a full read has left, whatever file it was in, the file included.
 * When some file or unit (a Terraform folder whose read failed) errored, a missing resource is
 * resolved as `gone` only if its file is known and is among the files this assessment read
 * without error (and not inside an errored unit; a resource stored from several files needs
 * them all read); otherwise it is held: its file errored, or its file is not stored (no
 * `resources` row, no `file`), or its path does not match one read now (stored relative to
 * another working folder, a deleted file, a module read from elsewhere).
 * A file no reader recognised (an export job that wrote `{"error": "AccessDenied"}` where the
 * account's inventory was) is unread as well for the resources it held before: they are held
 * whatever else was read, while a resource of a file read as usual is resolved as usual (a
 * folder may hold a file that never was an input, and it must not keep deleted files' findings
 * open forever).
 * Holding is the safe side: a held finding is judged by the next assessment that reads its
 * file, while a wrong `gone` tells ticketing and SIEM consumers (through the outbox) that an
 * open issue is fixed. Paths are compared resolved against the working folder, as the readers
 * name them relative to it and the CLI lists errored files as the user typed them.
 */
async function unreadStates(
  trx: Kysely<Database>,
  a: AssessmentResult,
  candidates: readonly StateRow[],
): Promise<Set<StateRow>> {
  const errored = a.files.filter((f) => f.error);
  const unrecognised = new Set(
    a.files.filter((f) => f.kind === 'unrecognised').map((f) => resolve(f.file)),
  );
  if ((errored.length === 0 && unrecognised.size === 0) || candidates.length === 0) {
    return new Set();
  }
  const erroredUnits = errored.map((f) => resolve(f.file));
  const read = new Set(
    a.files.filter((f) => !f.error && f.kind !== 'unrecognised').map((f) => resolve(f.file)),
  );
  const vouched = (file: string | null): boolean => {
    if (!file) return errored.length === 0;
    const at = resolve(file);
    if (unrecognised.has(at)) return false;
    if (errored.length === 0) return true;
    return read.has(at) && !erroredUnits.some((unit) => within(at, unit));
  };

  const byAssessment = new Map<string, StateRow[]>();
  for (const s of candidates) {
    const group = byAssessment.get(s.last_assessment_id) ?? [];
    group.push(s);
    byAssessment.set(s.last_assessment_id, group);
  }
  const filesOf = new Map<string, (string | null)[]>();
  for (const [assessmentId, group] of byAssessment) {
    const ids = [...new Set(group.map((s) => s.resource_id))];
    for (let i = 0; i < ids.length; i += LOOKUP_CHUNK) {
      const rows = await trx
        .selectFrom('resources')
        .select(['id', 'type', 'file'])
        .where('assessment_id', '=', assessmentId)
        .where('id', 'in', ids.slice(i, i + LOOKUP_CHUNK))
        .execute();
      for (const r of rows) {
        const key = assessmentId + SEP + r.type + SEP + r.id;
        filesOf.set(key, [...(filesOf.get(key) ?? []), r.file]);
      }
    }
  }
  return new Set(
    candidates.filter((s) => {
      const files = filesOf.get(s.last_assessment_id + SEP + s.resource_type + SEP + s.resource_id);
      return files ? !files.every(vouched) : errored.length > 0;
    }),
  );
}

/**
 * Updates the lifecycle of `targetSet` with assessment `a`, inside the caller's transaction.
 * A failing finding with no state is new; a resolved one that fails again is reopened; an open
 * one that passes, becomes not applicable, or no longer appears is resolved. An `error` verdict
 * leaves the state as it was: the rule could not tell. So does a resource missing because a file
 * of the targets could not be read (see `unreadStates`): its findings stay open, unchanged, and
 * are not resolved as `gone`. Returns the changes it recorded.
 */
export async function updateFindingLifecycle(
  trx: Kysely<Database>,
  a: AssessmentResult,
  targetSet: string,
): Promise<FindingLifecycleRow[]> {
  const at = a.startedAt;
  if (dialectOf(trx) === 'postgres') {
    // Two saves of the same targets at once would both see the old state and both report the
    // same changes; the second waits here until the first commits. (SQLite writes one at a time.)
    await sql`select pg_advisory_xact_lock(hashtext(${'palisade:' + targetSet}))`.execute(trx);
  }
  const current = currentVerdicts(a.findings);
  const prior = new Map<string, StateRow>();
  const stored = await trx
    .selectFrom('finding_states')
    .selectAll()
    .where('target_set', '=', targetSet)
    .execute();
  for (const row of stored) prior.set(keyOf(row.rule_id, row.resource_type, row.resource_id), row);

  // States seen for the first time are plain inserts (the fast path); the others are updates.
  const fresh: StateRow[] = [];
  const upserts: StateRow[] = [];
  const events: EventRow[] = [];
  const event = (s: StateRow, change: FindingChangeKind, reason: FindingChangeReason) =>
    events.push({
      assessment_id: a.id,
      target_set: targetSet,
      rule_id: s.rule_id,
      resource_type: s.resource_type,
      resource_id: s.resource_id,
      resource_name: s.resource_name,
      severity: s.severity,
      change,
      reason,
      at,
    });

  for (const [key, f] of current) {
    if (f.status !== 'fail') continue;
    const before = prior.get(key);
    if (before?.status === 'open') continue;
    const state: StateRow = {
      target_set: targetSet,
      rule_id: f.ruleId,
      resource_type: f.resourceType,
      resource_id: f.resourceId,
      resource_name: f.resourceName,
      severity: f.severity,
      status: 'open',
      first_seen: before?.first_seen ?? at,
      last_seen: at,
      status_changed_at: at,
      resolved_at: null,
      first_assessment_id: before?.first_assessment_id ?? a.id,
      last_assessment_id: a.id,
    };
    (before ? upserts : fresh).push(state);
    event(state, before ? 'reopened' : 'new', 'failed');
  }

  const read = new Set(a.resources.map((r) => r.type + SEP + r.id));
  const held = await unreadStates(
    trx,
    a,
    [...prior].flatMap(([key, s]) =>
      s.status === 'open' && !current.has(key) && !read.has(s.resource_type + SEP + s.resource_id)
        ? [s]
        : [],
    ),
  );

  for (const [key, before] of prior) {
    if (before.status !== 'open' || held.has(before)) continue;
    const now = current.get(key);
    if (now && (now.status === 'fail' || now.status === 'error')) continue;
    const reason: FindingChangeReason = !now
      ? 'gone'
      : now.status === 'pass'
        ? 'passed'
        : 'not_applicable';
    const state: StateRow = {
      ...before,
      status: 'resolved',
      status_changed_at: at,
      resolved_at: at,
    };
    if (now) state.resource_name = now.resourceName;
    upserts.push(state);
    event(state, 'resolved', reason);
  }

  const upsert = (rows: StateRow[]) =>
    insertBatched(trx, 'finding_states', rows, (oc) =>
      oc.columns(['target_set', 'rule_id', 'resource_type', 'resource_id']).doUpdateSet((eb) => ({
        resource_name: eb.ref('excluded.resource_name'),
        severity: eb.ref('excluded.severity'),
        status: eb.ref('excluded.status'),
        last_seen: eb.ref('excluded.last_seen'),
        status_changed_at: eb.ref('excluded.status_changed_at'),
        resolved_at: eb.ref('excluded.resolved_at'),
        last_assessment_id: eb.ref('excluded.last_assessment_id'),
      })),
    );
  await insertBatched(trx, 'finding_states', fresh);
  await upsert(upserts);
  // Every finding still open now is one this assessment saw failing (or could not evaluate)...
  await trx
    .updateTable('finding_states')
    .set({ last_seen: at, last_assessment_id: a.id })
    .where('target_set', '=', targetSet)
    .where('status', '=', 'open')
    .where('last_assessment_id', '<>', a.id)
    .execute();
  // ...but for those held because their file could not be read: this assessment did not see
  // them, and their last assessment is still the one that holds their resource and verdict.
  await upsert([...held]);
  await insertBatched(trx, 'finding_events', events);
  return events;
}

/** The assessment saved before `assessmentId` over the same targets, if any. */
async function previousAssessment(
  db: Kysely<Database>,
  assessment: { id: string; started_at: string; target_set: string | null },
): Promise<string | null> {
  if (assessment.target_set === null) return null;
  const row = await db
    .selectFrom('assessments')
    .select('id')
    .where('target_set', '=', assessment.target_set)
    .where('id', '<>', assessment.id)
    .where('started_at', '<=', assessment.started_at)
    .orderBy('started_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * What assessment `assessmentId` found new, reopened and resolved against the previous
 * assessment of the same targets; undefined when no such assessment is stored.
 */
export async function findingChanges(
  db: Kysely<Database>,
  assessmentId: string,
): Promise<FindingChanges | undefined> {
  const assessment = await db
    .selectFrom('assessments')
    .select(['id', 'started_at', 'target_set'])
    .where('id', '=', assessmentId)
    .executeTakeFirst();
  if (!assessment) return undefined;
  const rows = await db
    .selectFrom('finding_events')
    .selectAll()
    .where('assessment_id', '=', assessmentId)
    .orderBy('id')
    .execute();
  const changes: FindingChanges = {
    assessmentId,
    previousAssessmentId: await previousAssessment(db, assessment),
    new: [],
    reopened: [],
    resolved: [],
  };
  for (const r of rows) {
    changes[r.change as FindingChangeKind].push({
      ruleId: r.rule_id,
      resourceType: r.resource_type,
      resourceId: r.resource_id,
      resourceName: r.resource_name,
      severity: r.severity,
      reason: r.reason as FindingChangeReason,
      at: r.at,
    });
  }
  return changes;
}

/**
 * The lifecycle of rule `ruleId` on resource `resourceId` in every set of targets that ever
 * saw it fail, oldest first, each with its events in order.
 */
export async function findingHistory(
  db: Kysely<Database>,
  ruleId: string,
  resourceId: string,
): Promise<FindingHistory[]> {
  const states = await db
    .selectFrom('finding_states')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .where('resource_id', '=', resourceId)
    .orderBy('first_seen')
    .orderBy('target_set')
    .execute();
  if (states.length === 0) return [];
  const events = await db
    .selectFrom('finding_events')
    .selectAll()
    .where('rule_id', '=', ruleId)
    .where('resource_id', '=', resourceId)
    .orderBy('id')
    .execute();
  const targets = new Map<string, string[]>();
  for (const set of new Set(states.map((s) => s.target_set))) {
    const row = await db
      .selectFrom('assessments')
      .select('targets')
      .where('target_set', '=', set)
      .orderBy('started_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    targets.set(set, row ? (JSON.parse(row.targets) as string[]) : []);
  }
  return states.map((s) => ({
    targetSet: s.target_set,
    targets: targets.get(s.target_set) ?? [],
    ruleId: s.rule_id,
    resourceType: s.resource_type,
    resourceId: s.resource_id,
    resourceName: s.resource_name,
    severity: s.severity,
    status: s.status as 'open' | 'resolved',
    firstSeen: s.first_seen,
    lastSeen: s.last_seen,
    statusChangedAt: s.status_changed_at,
    resolvedAt: s.resolved_at,
    events: events
      .filter((e) => e.target_set === s.target_set && e.resource_type === s.resource_type)
      .map((e) => ({
        assessmentId: e.assessment_id,
        change: e.change as FindingChangeKind,
        reason: e.reason as FindingChangeReason,
        at: e.at,
      })),
  }));
}

/** One lifecycle row as it stands now, without its events. */
export type FindingState = Omit<FindingHistory, 'events' | 'targets'>;

/**
 * The lifecycle of every finding that ever failed in the targets of `assessmentId`, as it
 * stands now (open first, then by rule and resource); `status` narrows it.
 */
export async function currentFindingStates(
  db: Kysely<Database>,
  assessmentId: string,
  status?: 'open' | 'resolved',
): Promise<FindingState[]> {
  const assessment = await db
    .selectFrom('assessments')
    .select('target_set')
    .where('id', '=', assessmentId)
    .executeTakeFirst();
  if (!assessment?.target_set) return [];
  let query = db
    .selectFrom('finding_states')
    .selectAll()
    .where('target_set', '=', assessment.target_set);
  if (status) query = query.where('status', '=', status);
  const rows = await query
    .orderBy('status')
    .orderBy('rule_id')
    .orderBy('resource_type')
    .orderBy('resource_id')
    .execute();
  return rows.map((s) => ({
    targetSet: s.target_set,
    ruleId: s.rule_id,
    resourceType: s.resource_type,
    resourceId: s.resource_id,
    resourceName: s.resource_name,
    severity: s.severity,
    status: s.status as 'open' | 'resolved',
    firstSeen: s.first_seen,
    lastSeen: s.last_seen,
    statusChangedAt: s.status_changed_at,
    resolvedAt: s.resolved_at,
  }));
}
