/**
 * Status timelines of alerts and incidents: each status change, or comment alone, is one entry,
 * written in the caller's transaction beside the audit entry. Both subjects keep the same columns
 * in a table of their own (`alert_timeline`, migration 0006; `incident_timeline`, 0008).
 */

import type { Generated, Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { AlertStatus } from '../model/alert.js';
import type { Database } from './schema.js';

/** The columns both timeline tables share. */
interface TimelineColumns {
  id: Generated<number>;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  from_status: string;
  to_status: string;
  comment: string | null;
}

/** One status change or comment on an alert. */
export interface AlertTimelineTable extends TimelineColumns {
  alert_id: string;
}

/** One status change or comment on an incident. */
export interface IncidentTimelineTable extends TimelineColumns {
  incident_id: string;
}

/** Who made a timeline entry. */
export interface TimelineActor {
  kind: string;
  id?: string | null;
  name?: string | null;
}

/** What an analyst (or a workflow) asks for: a new status, a comment, or both. */
export interface StatusChange {
  status?: AlertStatus;
  comment?: string;
  actor: TimelineActor;
}

/** A timeline entry as the API shows it, without its subject's id. */
interface TimelineEntry {
  id: number;
  at: string;
  actor: { kind: string; id: string | null; name: string | null };
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

export interface AlertTimelineEntry extends TimelineEntry {
  alertId: string;
}

export interface IncidentTimelineEntry extends TimelineEntry {
  incidentId: string;
}

/** Where each subject keeps its status and its timeline. */
const SUBJECTS = {
  alert: { table: 'alerts', timeline: 'alert_timeline', key: 'alert_id' },
  incident: { table: 'incidents', timeline: 'incident_timeline', key: 'incident_id' },
} as const;

type Subject = keyof typeof SUBJECTS;

/**
 * The store as seen here: a subject table by its id and status, a timeline table by its shared
 * columns and its subject's id under one name (the real column is renamed per query).
 */
interface TimelineStore {
  subject: { id: string; status: string };
  timeline: TimelineColumns & { subject_id: string };
}

const timelineStore = (db: Kysely<Database> | Transaction<Database>) =>
  db as unknown as Kysely<TimelineStore>;

function entry(row: Selectable<TimelineStore['timeline']>): TimelineEntry & { subjectId: string } {
  return {
    id: Number(row.id),
    subjectId: row.subject_id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    from: row.from_status as AlertStatus,
    to: row.to_status as AlertStatus,
    comment: row.comment,
  };
}

/**
 * Sets the subject's status (or keeps it, for a comment alone) and appends its timeline entry,
 * in the caller's transaction. Undefined when no such alert or incident exists.
 */
async function writeChange(
  trx: Transaction<Database>,
  subject: Subject,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<(TimelineEntry & { subjectId: string }) | undefined> {
  const { table, timeline, key } = SUBJECTS[subject];
  const db = timelineStore(trx);
  const row = await db
    .selectFrom(`${table} as subject` as 'subject')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const from = row.status as AlertStatus;
  const to = change.status ?? from;
  if (to !== from) {
    await db
      .updateTable(table as 'subject')
      .set({ status: to })
      .where('id', '=', id)
      .execute();
  }
  const values = {
    at: now.toISOString(),
    actor_kind: change.actor.kind,
    actor_id: change.actor.id ?? null,
    actor_name: change.actor.name ?? null,
    from_status: from,
    to_status: to,
    comment: change.comment ?? null,
  };
  const inserted = await db
    .insertInto(timeline as 'timeline')
    .values({ ...values, [key]: id } as unknown as Insertable<TimelineStore['timeline']>)
    .returning('id')
    .executeTakeFirstOrThrow();
  return entry({ ...values, id: Number(inserted.id), subject_id: id });
}

/** A subject's timeline, oldest first (at most `limit` entries). */
async function readTimeline(
  db: Kysely<Database>,
  subject: Subject,
  id: string,
  limit: number,
): Promise<(TimelineEntry & { subjectId: string })[]> {
  const { timeline, key } = SUBJECTS[subject];
  const rows = await timelineStore(db)
    .selectFrom(`${timeline} as timeline` as 'timeline')
    .select([
      'id',
      `${key} as subject_id` as 'subject_id',
      'at',
      'actor_kind',
      'actor_id',
      'actor_name',
      'from_status',
      'to_status',
      'comment',
    ])
    .where(key as 'subject_id', '=', id)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(entry);
}

const asAlertEntry = ({ subjectId, ...rest }: TimelineEntry & { subjectId: string }) => ({
  ...rest,
  alertId: subjectId,
});

const asIncidentEntry = ({ subjectId, ...rest }: TimelineEntry & { subjectId: string }) => ({
  ...rest,
  incidentId: subjectId,
});

/** Changes an alert's status or comments on it; see `writeChange`. */
export async function writeAlertChange(
  trx: Transaction<Database>,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<AlertTimelineEntry | undefined> {
  const written = await writeChange(trx, 'alert', id, change, now);
  return written && asAlertEntry(written);
}

/**
 * Changes an incident's status or comments on it, in the caller's transaction; undefined when no
 * incident has this id.
 *
 * ```ts
 * const entry = await changeIncidentStatus(trx, id, { status: 'resolved', comment, actor }, now);
 * ```
 */
export async function changeIncidentStatus(
  trx: Transaction<Database>,
  id: string,
  change: StatusChange,
  now: Date,
): Promise<IncidentTimelineEntry | undefined> {
  const written = await writeChange(trx, 'incident', id, change, now);
  return written && asIncidentEntry(written);
}

/** The id of the entry that opens an alert's timeline, saying when it was raised (not stored). */
export const RAISED_ENTRY_ID = 0;

/** What the entry saying when an alert was raised holds as its comment. */
export const RAISED_COMMENT = 'raised by detection (its first event)';

/**
 * An alert's timeline, oldest first: first when detection raised it (at its first event, by
 * `system:detection`, entry id `RAISED_ENTRY_ID`), so a new alert's timeline is not empty, then
 * each status change and comment stored. Empty when no alert has this id.
 */
export async function alertTimeline(
  db: Kysely<Database>,
  id: string,
  limit = 1_000,
): Promise<AlertTimelineEntry[]> {
  const alert = await db
    .selectFrom('alerts')
    .select('first_seen')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!alert) return [];
  const raised: AlertTimelineEntry = {
    id: RAISED_ENTRY_ID,
    alertId: id,
    at: alert.first_seen,
    actor: { kind: 'system', id: null, name: 'detection' },
    from: 'active',
    to: 'active',
    comment: RAISED_COMMENT,
  };
  if (limit <= 1) return limit < 1 ? [] : [raised];
  return [raised, ...(await readTimeline(db, 'alert', id, limit - 1)).map(asAlertEntry)];
}

/** An incident's timeline, oldest first. */
export async function incidentTimeline(
  db: Kysely<Database>,
  id: string,
  limit = 1_000,
): Promise<IncidentTimelineEntry[]> {
  return (await readTimeline(db, 'incident', id, limit)).map(asIncidentEntry);
}
