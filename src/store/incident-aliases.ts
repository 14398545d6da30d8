/**
 * Incidents merged into another: the stored incident whose alerts joined an older one is removed,
 * its timeline moves to the surviving incident, and its id stays an alias of it, so a link, a
 * bookmark or a ticket naming the old id still finds the incident.
 */

import type { Kysely, Transaction } from 'kysely';
import type { AlertStatus } from '../model/alert.js';
import type { Database } from './schema.js';
import type { IncidentTimelineTable } from './status-timeline.js';

/** One merged incident's id and the incident that holds its alerts now (migration 0015). */
export interface IncidentAliasTable {
  id: string;
  incident_id: string;
  merged_at: string;
}

/** The store as merging sees it: the base schema, the incident timeline and the aliases. */
type AliasStore = Database & {
  incident_aliases: IncidentAliasTable;
  incident_timeline: IncidentTimelineTable;
};

// Known gap: a ticket that a per-incident ticket sink opened for a merged incident stays open
// under the old id; the merged alerts' later changes go to the surviving incident's ticket.

const aliasStore = (db: Kysely<Database> | Transaction<Database>) =>
  db as unknown as Kysely<AliasStore>;

/**
 * Merges stored incidents into the ones that now hold their alerts (`merged`: old id -> id of the
 * surviving incident), in the caller's transaction: each old incident is deleted, its timeline
 * entries move to the survivor, and its id (and any id that pointed to it) becomes an alias of
 * the survivor. Returns the statuses the old incidents had.
 *
 * ```ts
 * const statuses = await mergeIncidents(trx, new Map([[oldId, survivorId]]), new Date());
 * ```
 */
export async function mergeIncidents(
  trx: Transaction<Database>,
  merged: ReadonlyMap<string, string>,
  now: Date,
): Promise<Map<string, AlertStatus>> {
  const statuses = new Map<string, AlertStatus>();
  if (merged.size === 0) return statuses;
  const db = aliasStore(trx);
  const at = now.toISOString();
  const ids = [...merged.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const rows = await db
      .selectFrom('incidents')
      .select(['id', 'status'])
      .where('id', 'in', chunk)
      .execute();
    for (const r of rows) statuses.set(r.id, r.status as AlertStatus);
    await db.deleteFrom('incidents').where('id', 'in', chunk).execute();
  }
  for (const [old, into] of merged) {
    await db
      .updateTable('incident_timeline')
      .set({ incident_id: into })
      .where('incident_id', '=', old)
      .execute();
    await db
      .updateTable('incident_aliases')
      .set({ incident_id: into })
      .where('incident_id', '=', old)
      .execute();
    await db
      .insertInto('incident_aliases')
      .values({ id: old, incident_id: into, merged_at: at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ incident_id: into, merged_at: at }))
      .execute();
  }
  return statuses;
}

/** The ids merged into incident `id` (its aliases), oldest merge first. */
export async function aliasesOf(db: Kysely<Database>, id: string): Promise<string[]> {
  const rows = await aliasStore(db)
    .selectFrom('incident_aliases')
    .select('id')
    .where('incident_id', '=', id)
    .orderBy('merged_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}

/**
 * The id of the stored incident `id` names: itself when such an incident is stored, else the
 * incident it was merged into; undefined when neither.
 */
export async function resolveIncidentId(
  db: Kysely<Database>,
  id: string,
): Promise<string | undefined> {
  const store = aliasStore(db);
  const own = await store
    .selectFrom('incidents')
    .select('id')
    .where('id', '=', id)
    .executeTakeFirst();
  if (own) return own.id;
  const alias = await store
    .selectFrom('incident_aliases')
    .select('incident_id')
    .where('id', '=', id)
    .executeTakeFirst();
  return alias?.incident_id;
}
