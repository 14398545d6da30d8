/**
 * Sources of continuous assessment: a name, paths on the server's disk and an interval. A
 * source's assessments are those of its target set (see target-set.ts).
 */

import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { Database } from './schema.js';
import { targetSetKey } from './target-set.js';

/** The `sources` table (migration 0005). */
export interface SourceTable {
  id: string;
  name: string;
  /** JSON array of absolute paths. */
  paths: string;
  target_set: string;
  interval_minutes: number;
  created_by: string;
  created_at: string;
  last_run_at: string | null;
  last_assessment_id: string | null;
  last_error: string | null;
}

/** The store with the sources table. */
export type SourceDb = Kysely<Database & { sources: SourceTable }>;
export type SourceRow = Selectable<SourceTable>;

/** A source as the API shows it. */
export interface SourceView {
  id: string;
  name: string;
  paths: string[];
  intervalMinutes: number;
  createdBy: string;
  createdAt: string;
  lastRunAt: string | null;
  lastAssessmentId: string | null;
  lastError: string | null;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withSources = (db: Kysely<any>) => db as SourceDb;

/** The API view of a row. */
export function sourceView(row: SourceRow): SourceView {
  return {
    id: row.id,
    name: row.name,
    paths: JSON.parse(row.paths) as string[],
    intervalMinutes: row.interval_minutes,
    createdBy: row.created_by,
    createdAt: row.created_at,
    lastRunAt: row.last_run_at,
    lastAssessmentId: row.last_assessment_id,
    lastError: row.last_error,
  };
}

/** Inserts a source; `paths` must already be validated and absolute. */
export async function insertSource(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  input: { name: string; paths: string[]; intervalMinutes: number; createdBy: string },
  now: Date,
): Promise<SourceRow> {
  const row: SourceRow = {
    id: randomUUID(),
    name: input.name,
    paths: JSON.stringify(input.paths),
    target_set: targetSetKey(input.paths),
    interval_minutes: input.intervalMinutes,
    created_by: input.createdBy,
    created_at: now.toISOString(),
    last_run_at: null,
    last_assessment_id: null,
    last_error: null,
  };
  await withSources(db).insertInto('sources').values(row).execute();
  return row;
}

/** The source with id or name `ref`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function findSource(db: Kysely<any>, ref: string): Promise<SourceRow | undefined> {
  return withSources(db)
    .selectFrom('sources')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('name', '=', ref)]))
    .executeTakeFirst();
}

/** Every source, by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function allSources(db: Kysely<any>): Promise<SourceRow[]> {
  return withSources(db).selectFrom('sources').selectAll().orderBy('name').execute();
}

/** A query over sources, for paginated lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sourcesQuery(db: Kysely<any>) {
  return withSources(db).selectFrom('sources').selectAll();
}

/** Deletes a source (its assessments stay in the history). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function deleteSource(db: Kysely<any>, id: string): Promise<void> {
  await withSources(db).deleteFrom('sources').where('id', '=', id).execute();
}

/** Records the outcome of a run of the source. */
export async function recordSourceRun(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  id: string,
  run: { at: string; assessmentId: string | null; error: string | null },
): Promise<void> {
  const set: Partial<SourceRow> = { last_run_at: run.at, last_error: run.error };
  if (run.assessmentId) set.last_assessment_id = run.assessmentId;
  await withSources(db).updateTable('sources').set(set).where('id', '=', id).execute();
}
