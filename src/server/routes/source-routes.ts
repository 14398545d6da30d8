/**
 * Sources of continuous assessment, for Security Admins and Owners: list, create (paths are
 * checked on the server's disk; the first run starts at once), delete. A caller limited to
 * accounts lists only the sources whose assessments read those accounts alone.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import {
  deleteSource,
  insertSource,
  sourcesQuery,
  sourceView,
  type SourceRow,
} from '../../store/source-repository.js';
import { retireTargetSet, reviveTargetSet } from '../../store/retired-target-sets.js';
import { targetSetKey } from '../../store/target-set.js';
import { auditedChange } from '../audited-change.js';
import { scopeFilter } from '../auth/scope-filter.js';
import { forbidden, HttpError } from '../http-error.js';
import { Page, PageQueryFields, paginate, parseSort, SortField } from '../pagination.js';
import { sourceOr404, targetSetsInScope } from '../posture-view.js';
import { validateSourcePaths } from '../source-paths.js';
import type { PostureOptions } from './posture-routes.js';
import { IdParams } from './schemas.js';

const SourceSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  paths: Type.Array(Type.String()),
  intervalMinutes: Type.Integer(),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  lastRunAt: Type.Union([Type.String(), Type.Null()]),
  lastAssessmentId: Type.Union([Type.String(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
});

const CreateSource = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' }),
    paths: Type.Array(Type.String({ minLength: 1, maxLength: 4096 }), {
      minItems: 1,
      maxItems: 100,
    }),
    intervalMinutes: Type.Integer({ minimum: 1, maximum: 10_080, default: 60 }),
  },
  { additionalProperties: false },
);

/** A source assesses whatever its paths hold, of every account: scoped callers cannot change it. */
function refuseScoped(request: FastifyRequest, verb: string): void {
  if (request.principal!.scopes.length === 0) return;
  throw forbidden(`sources cover every account; a caller limited to accounts cannot ${verb} them`);
}

export const sourceRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app, opts) => {
  const { db, clock } = app.palisade;
  const { scheduler, settings } = opts.posture;

  app.get(
    '/sources',
    {
      // Reading which sources exist is posture data every role may see; changing them is not.
      config: { permission: 'posture:read' },
      schema: {
        summary: 'List the sources of continuous assessment',
        tags: ['sources'],
        querystring: Type.Object({
          ...PageQueryFields,
          sort: SortField(['name', 'created_at'], 'name'),
        }),
        response: { 200: Page(SourceSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort } = request.query;
      // A caller limited to accounts sees only the sources that read those accounts alone.
      const inScope = await targetSetsInScope(db, scopeFilter(request));
      let query = sourcesQuery(db);
      if (inScope) {
        query =
          inScope.length > 0
            ? query.where('target_set', 'in', inScope)
            : query.where(sql<boolean>`1 = 0`);
      }
      const page = await paginate(query, {
        sort: parseSort(sort),
        idColumn: 'id',
        cursor,
        limit,
      });
      return { items: page.items.map(sourceView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/sources',
    {
      config: { permission: 'sources:write' },
      schema: {
        summary: 'Add a source: paths on the server re-assessed every intervalMinutes',
        tags: ['sources'],
        body: CreateSource,
        response: { 201: SourceSchema },
      },
    },
    async (request, reply) => {
      refuseScoped(request, 'create');
      const body = request.body;
      const paths = await validateSourcePaths(body.paths, settings.allowedRoots, settings.ownFiles);
      const taken = await sourcesQuery(db)
        .where((eb) =>
          eb.or([eb('name', '=', body.name), eb('target_set', '=', targetSetKey(paths))]),
        )
        .executeTakeFirst();
      if (taken) {
        const what = taken.name === body.name ? 'name' : 'paths';
        throw new HttpError(409, 'SOURCE_EXISTS', `source ${taken.name} has the same ${what}`);
      }
      const actor = request.principal!;
      const row = await auditedChange<SourceRow>(
        request,
        (r) => ({
          action: 'source.create',
          outcome: 'success',
          target: { kind: 'source', id: r.id },
          details: { name: r.name, paths, intervalMinutes: r.interval_minutes },
        }),
        async (trx) => {
          // The same paths again bring back the past assessments of a deleted source.
          await reviveTargetSet(trx, targetSetKey(paths));
          return insertSource(
            trx,
            { ...body, paths, createdBy: `${actor.kind}:${actor.name}` },
            clock.now(),
          );
        },
      );
      scheduler.plan(row);
      return reply.code(201).send(sourceView(row));
    },
  );

  app.delete(
    '/sources/:id',
    {
      config: { permission: 'sources:write' },
      schema: {
        summary: 'Delete a source (its past assessments stay stored, out of the estate score)',
        tags: ['sources'],
        params: IdParams,
        response: { 200: SourceSchema },
      },
    },
    async (request) => {
      refuseScoped(request, 'delete');
      const row = await sourceOr404(db, request.params.id, scopeFilter(request));
      await auditedChange(
        request,
        {
          action: 'source.delete',
          outcome: 'success',
          target: { kind: 'source', id: row.id },
          details: { name: row.name, paths: JSON.parse(row.paths) as string[] },
        },
        async (trx) => {
          await deleteSource(trx, row.id);
          // Its assessments stay stored but leave the estate's score and trend.
          await retireTargetSet(trx, row.target_set, row.name, clock.now());
        },
      );
      scheduler.forget(row.id);
      return sourceView(row);
    },
  );
};
