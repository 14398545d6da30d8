/**
 * Policy assignments as API objects: list and read (readers), create, replace and delete
 * (security admins), each change audited. A body is validated by the same code as assignment
 * files and resolved against the loaded rules and standards, so an error names its field.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { AssignmentLoadError, validateAssignment } from '../../enforce/assignment-loader.js';
import type { Assignment } from '../../enforce/assignment.js';
import { loadEnforcementRules } from '../../enforce/enforcement-rules.js';
import { resolveAssignments } from '../../enforce/resolve-assignments.js';
import type { Rule } from '../../model/rule.js';
import { loadCatalog } from '../../posture/benchmark-catalog.js';
import {
  assignmentsQuery,
  assignmentView,
  deleteAssignment,
  findAssignment,
  insertAssignment,
  replaceAssignment,
  titleTaken,
  type AssignmentRow,
} from '../../store/assignment-repository.js';
import { auditedChange } from '../audited-change.js';
import { forbidden, HttpError } from '../http-error.js';
import { Page, PageQueryFields, paginate, parseSort, SortField } from '../pagination.js';
import { postureSettings } from '../posture-settings.js';
import { IdParams } from './schemas.js';

const Mode = Type.Union([Type.Literal('audit'), Type.Literal('deny'), Type.Literal('disabled')]);
const Globs = Type.Optional(Type.Array(Type.String()));
const Scope = Type.Object({
  accounts: Globs,
  subscriptions: Globs,
  projects: Globs,
  namespaces: Globs,
  paths: Globs,
});

const AssignmentSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  benchmark: Type.Optional(Type.String()),
  initiative: Type.Optional(Type.String()),
  scope: Scope,
  exclude: Scope,
  mode: Mode,
  rules: Type.Record(Type.String(), Mode),
  parameters: Type.Record(Type.String(), Type.Unknown()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedBy: Type.String(),
  updatedAt: Type.String({ format: 'date-time' }),
});

// Checked field by field by the assignment validator (as in files), so errors name the field.
const AssignmentBody = Type.Object(
  {},
  {
    additionalProperties: true,
    description:
      'id, title, benchmark or initiative, scope, exclude, mode (audit|deny|disabled; ' +
      'required, unlike in a file), rules (rule id → mode), parameters: as in an assignment file',
  },
);

function actorName(request: FastifyRequest): string {
  const p = request.principal!;
  return `${p.kind}:${p.name}`;
}

function refuseScoped(request: FastifyRequest): void {
  // An assignment's scope reaches every account; a caller limited to some could reach beyond.
  if (request.principal!.scopes.length > 0) {
    throw forbidden(
      'assignments apply across accounts; a caller limited to accounts cannot change them',
    );
  }
}

export const assignmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock, config } = app.palisade;
  // What the webhook judges API assignments with: the benchmark and the enforcement pack (its
  // parameter-driven rules are named by id in `rules`), then the configured folders. Loaded
  // once, apart from the posture rules, which leave the pack out.
  const ruleDirs = postureSettings(config).ruleDirs;
  let loading: Promise<Rule[]> | undefined;
  const enforcementRules = (): Promise<Rule[]> => {
    loading ??= loadEnforcementRules(ruleDirs);
    loading.catch(() => (loading = undefined));
    return loading;
  };

  /** The validated assignment, resolved once against the rules so bad ids answer 400. */
  async function validated(body: unknown, id?: string): Promise<Assignment> {
    try {
      const data =
        id !== undefined && typeof body === 'object' && body !== null ? { id, ...body } : body;
      const assignment = validateAssignment(data, 'api');
      if (id !== undefined && assignment.id !== id) {
        throw new HttpError(
          400,
          'ID_MISMATCH',
          `body id ${assignment.id} is not the path id ${id}`,
        );
      }
      if (assignment.initiative !== undefined) {
        throw new AssignmentLoadError({
          file: 'api',
          field: 'initiative',
          message:
            'initiatives are declared in policy files; an API assignment names a benchmark ' +
            '(palisade or a standard id) and sets per-rule modes in `rules`',
        });
      }
      const { standards } = await loadCatalog();
      resolveAssignments(
        { initiatives: [], assignments: [assignment] },
        await enforcementRules(),
        standards,
      );
      return assignment;
    } catch (error) {
      if (error instanceof AssignmentLoadError) {
        throw new HttpError(400, 'BAD_ASSIGNMENT', error.message);
      }
      throw error;
    }
  }

  /** The stored assignment `id`, or 404. */
  async function existing(id: string): Promise<AssignmentRow> {
    const row = await findAssignment(db, id);
    if (!row) throw new HttpError(404, 'NOT_FOUND', `no assignment ${id}`);
    return row;
  }

  /** Refuses a title another assignment already carries (409). */
  async function refuseTakenTitle(assignment: Assignment): Promise<void> {
    if (!(await titleTaken(db, assignment.title, assignment.id))) return;
    throw new HttpError(409, 'TITLE_TAKEN', `another assignment is titled "${assignment.title}"`);
  }

  app.get(
    '/assignments',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'List policy assignments made through the API',
        tags: ['enforcement'],
        querystring: Type.Object({
          ...PageQueryFields,
          sort: SortField(['created_at', 'name', 'updated_at'], '-created_at'),
        }),
        response: { 200: Page(AssignmentSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort } = request.query;
      const page = await paginate(assignmentsQuery(db), {
        sort: parseSort(sort),
        idColumn: 'id',
        cursor,
        limit,
      });
      return { items: page.items.map(assignmentView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/assignments/:id',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One policy assignment',
        tags: ['enforcement'],
        params: IdParams,
        response: { 200: AssignmentSchema },
      },
    },
    async (request) => {
      const row = await existing(request.params.id);
      return assignmentView(row);
    },
  );

  app.post(
    '/assignments',
    {
      config: { permission: 'assignments:write' },
      schema: {
        summary: 'Assign a benchmark to a scope with enforcement modes and parameters',
        tags: ['enforcement'],
        body: AssignmentBody,
        response: { 201: AssignmentSchema },
      },
    },
    async (request, reply) => {
      refuseScoped(request);
      const assignment = await validated(request.body);
      if (await findAssignment(db, assignment.id)) {
        throw new HttpError(
          409,
          'ASSIGNMENT_EXISTS',
          `assignment ${assignment.id} exists; PUT replaces it`,
        );
      }
      await refuseTakenTitle(assignment);
      const row = await auditedChange<AssignmentRow>(
        request,
        (r) => ({
          action: 'assignment.create',
          outcome: 'success',
          target: { kind: 'assignment', id: r.id },
          details: { body: JSON.parse(r.body) },
        }),
        (trx) => insertAssignment(trx, assignment, actorName(request), clock.now()),
      );
      return reply.code(201).send(assignmentView(row));
    },
  );

  app.put(
    '/assignments/:id',
    {
      config: { permission: 'assignments:write' },
      schema: {
        summary: 'Replace a policy assignment',
        tags: ['enforcement'],
        params: IdParams,
        body: AssignmentBody,
        response: { 200: AssignmentSchema },
      },
    },
    async (request) => {
      refuseScoped(request);
      const before = await existing(request.params.id);
      const assignment = await validated(request.body, request.params.id);
      await refuseTakenTitle(assignment);
      await auditedChange(
        request,
        {
          action: 'assignment.replace',
          outcome: 'success',
          target: { kind: 'assignment', id: assignment.id },
          details: { before: JSON.parse(before.body), after: { ...assignment, origin: undefined } },
        },
        (trx) => replaceAssignment(trx, assignment, actorName(request), clock.now()),
      );
      return assignmentView((await findAssignment(db, assignment.id))!);
    },
  );

  app.delete(
    '/assignments/:id',
    {
      config: { permission: 'assignments:write' },
      schema: {
        summary: 'Delete a policy assignment',
        tags: ['enforcement'],
        params: IdParams,
        response: { 200: AssignmentSchema },
      },
    },
    async (request) => {
      refuseScoped(request);
      const row = await existing(request.params.id);
      await auditedChange(
        request,
        {
          action: 'assignment.delete',
          outcome: 'success',
          target: { kind: 'assignment', id: row.id },
          details: { body: JSON.parse(row.body) },
        },
        (trx) => deleteAssignment(trx, row.id),
      );
      return assignmentView(row);
    },
  );
};
