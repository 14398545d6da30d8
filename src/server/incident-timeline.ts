/**
 * An incident's status and its timeline: each status change or comment is one entry, written in
 * the caller's transaction beside the audit entry, as alerts keep theirs.
 */

import type { Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { AlertStatus } from '../model/alert.js';
import type { TimelineActor } from '../store/alert-repository.js';
import type { Database } from '../store/schema.js';

/** One status change or comment on an incident (table of store migration 0008). */
export interface IncidentTimelineTable {
  id: Generated<number>;
  incident_id: string;
  at: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string | null;
  from_status: string;
  to_status: string;
  comment: string | null;
}

/** The store with the incident timeline typed. */
type IncidentStore = Database & { incident_timeline: IncidentTimelineTable };

const incidentStore = (db: Kysely<Database> | Transaction<Database>) =>
  db as unknown as Kysely<IncidentStore>;

/** An incident timeline entry as the API shows it. */
export interface IncidentTimelineEntry {
  id: number;
  incidentId: string;
  at: string;
  actor: { kind: string; id: string | null; name: string | null };
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

function entryView(row: Selectable<IncidentTimelineTable>): IncidentTimelineEntry {
  return {
    id: Number(row.id),
    incidentId: row.incident_id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    from: row.from_status as AlertStatus,
    to: row.to_status as AlertStatus,
    comment: row.comment,
  };
}

/**
 * Sets an incident's status (or keeps it, for a comment alone) and appends the timeline entry,
 * in the caller's transaction. Returns undefined when no incident has this id.
 *
 * ```ts
 * const entry = await changeIncidentStatus(trx, id, { status: 'resolved', comment, actor }, now);
 * ```
 */
export async function changeIncidentStatus(
  trx: Transaction<Database>,
  id: string,
  change: { status?: AlertStatus; comment?: string; actor: TimelineActor },
  now: Date,
): Promise<IncidentTimelineEntry | undefined> {
  const db = incidentStore(trx);
  const row = await db
    .selectFrom('incidents')
    .select('status')
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  const from = row.status as AlertStatus;
  const to = change.status ?? from;
  if (to !== from)
    await db.updateTable('incidents').set({ status: to }).where('id', '=', id).execute();

  const entry = {
    incident_id: id,
    at: now.toISOString(),
    actor_kind: change.actor.kind,
    actor_id: change.actor.id ?? null,
    actor_name: change.actor.name ?? null,
    from_status: from,
    to_status: to,
    comment: change.comment ?? null,
  };
  const inserted = await db
    .insertInto('incident_timeline')
    .values(entry)
    .returning('id')
    .executeTakeFirstOrThrow();
  return entryView({ ...entry, id: Number(inserted.id) });
}

/** An incident's timeline, oldest first (at most `limit` entries). */
export async function incidentTimeline(
  db: Kysely<Database>,
  id: string,
  limit = 1_000,
): Promise<IncidentTimelineEntry[]> {
  const rows = await incidentStore(db)
    .selectFrom('incident_timeline')
    .selectAll()
    .where('incident_id', '=', id)
    .orderBy('id')
    .limit(limit)
    .execute();
  return rows.map(entryView);
}
