/**
 * Policy assignments made through the API: stored as the validated assignment document, listed,
 * replaced and deleted; the admission webhook and `palisade check --db` read them back.
 */

import type { Kysely, Selectable } from 'kysely';
import type { Assignment } from '../enforce/assignment.js';

/** The `assignments` table (migration 0011). `id` is the assignment's own id. */
export interface AssignmentTable {
  id: string;
  /** The assignment's title, unique so two API objects cannot be confused in the console. */
  name: string;
  /** The assignment as JSON (without `origin`). */
  body: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}

export type AssignmentRow = Selectable<AssignmentTable>;
export type AssignmentDb = Kysely<{ assignments: AssignmentTable }>;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const withAssignments = (db: Kysely<any>) => db as AssignmentDb;

/** Where an API assignment says it came from (errors and decisions name it). */
export const assignmentOrigin = (id: string) => `api assignment ${id}`;

/** The assignment a row holds. */
export function assignmentOf(row: AssignmentRow): Assignment {
  return { ...(JSON.parse(row.body) as Assignment), id: row.id, origin: assignmentOrigin(row.id) };
}

/** The API view of a row. */
export function assignmentView(row: AssignmentRow) {
  const { origin: _origin, ...assignment } = assignmentOf(row);
  return {
    ...assignment,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedBy: row.updated_by,
    updatedAt: row.updated_at,
  };
}

function bodyOf(a: Assignment): string {
  const { origin: _origin, ...rest } = a;
  return JSON.stringify(rest);
}

/** Inserts an assignment. */
export async function insertAssignment(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  assignment: Assignment,
  actor: string,
  now: Date,
): Promise<AssignmentRow> {
  const at = now.toISOString();
  const row: AssignmentRow = {
    id: assignment.id,
    name: assignment.title,
    body: bodyOf(assignment),
    created_by: actor,
    created_at: at,
    updated_by: actor,
    updated_at: at,
  };
  await withAssignments(db).insertInto('assignments').values(row).execute();
  return row;
}

/** Replaces the assignment `assignment.id`; returns the new row. */
export async function replaceAssignment(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  assignment: Assignment,
  actor: string,
  now: Date,
): Promise<void> {
  await withAssignments(db)
    .updateTable('assignments')
    .set({
      name: assignment.title,
      body: bodyOf(assignment),
      updated_by: actor,
      updated_at: now.toISOString(),
    })
    .where('id', '=', assignment.id)
    .execute();
}

/** A query over stored assignments, for paginated lists. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function assignmentsQuery(db: Kysely<any>) {
  return withAssignments(db).selectFrom('assignments').selectAll();
}

/** The stored assignment `id`. */
export async function findAssignment(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  id: string,
): Promise<AssignmentRow | undefined> {
  return assignmentsQuery(db).where('id', '=', id).executeTakeFirst();
}

/** True when another assignment than `id` has the title `name`. */
export async function titleTaken(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  name: string,
  id: string,
): Promise<boolean> {
  const row = await assignmentsQuery(db)
    .where('name', '=', name)
    .where('id', '!=', id)
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes the assignment `id`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function deleteAssignment(db: Kysely<any>, id: string): Promise<void> {
  await withAssignments(db).deleteFrom('assignments').where('id', '=', id).execute();
}

/** Every stored assignment, oldest first. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function storedAssignments(db: Kysely<any>): Promise<Assignment[]> {
  const rows = await assignmentsQuery(db).orderBy('created_at').orderBy('id').execute();
  return rows.map(assignmentOf);
}
