/**
 * Findings of the latest assessments with their lifecycle (first seen, last seen, status
 * changed, resolved), filtered by rule, status (exempt apart, as the score counts), severity,
 * resource and change time.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { scopeFilter, whereInScope } from '../auth/scope-filter.js';
import {
  applyFilters,
  applyTimeRange,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import { currentAssessments } from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import {
  FindingSchema,
  FindingStatusFilterSchema,
  Nullable,
  SeveritySchema,
  SourceQueryField,
} from './posture-schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';

const Lifecycle = Type.Union([
  Type.Object({
    status: Type.String({ description: 'open or resolved' }),
    firstSeen: Type.String(),
    lastSeen: Type.String(),
    statusChangedAt: Type.String(),
    resolvedAt: Nullable(Type.String()),
  }),
  Type.Null(),
]);

const FindingItem = Type.Composite([FindingSchema, Type.Object({ lifecycle: Lifecycle })]);

/**
 * The findings `?status=` names, as the scan counts them: an exempt finding keeps its verdict in
 * the listing but is counted as exempt, so `pass` and `fail` leave it out and `exempt` lists it.
 */
function statusCondition(status: string) {
  if (status === 'exempt') {
    return sql<boolean>`(f.exemption is not null and f.status in ('pass', 'fail'))`;
  }
  if (status === 'pass' || status === 'fail') {
    return sql<boolean>`(f.status = ${status} and f.exemption is null)`;
  }
  return sql<boolean>`f.status = ${status}`;
}

export const postureFindingRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app) => {
  const { db } = app.palisade;

  app.get(
    '/findings',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Findings of the latest assessments with their lifecycle',
        tags: ['findings'],
        querystring: Type.Object({
          ...PageQueryFields,
          ...SourceQueryField,
          sort: SortField(
            ['id', 'rule_id', 'resource_name', 'first_seen', 'status_changed_at'],
            'id',
          ),
          rule: Type.Optional(Type.String({ maxLength: 200 })),
          status: Type.Optional(FindingStatusFilterSchema),
          severity: Type.Optional(SeveritySchema),
          resource: Type.Optional(Type.String({ maxLength: 2_000, description: 'resource id' })),
          lifecycle: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('resolved')])),
          since: Type.Optional(TimeQueryField('since', 'lifecycle changed at or after this')),
        }),
        response: { 200: Page(FindingItem) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, source, since, status, ...filters } = request.query;
      const ids = (await currentAssessments(db, source, scopeFilter(request))).map((c) => c.id);
      let query = db
        .selectFrom('findings as f')
        .innerJoin('assessments as a', 'a.id', 'f.assessment_id')
        .leftJoin('resources as r', (j) =>
          j
            .onRef('r.assessment_id', '=', 'f.assessment_id')
            .onRef('r.id', '=', 'f.resource_id')
            .onRef('r.type', '=', 'f.resource_type'),
        )
        .leftJoin('finding_states as s', (j) =>
          j
            .onRef('s.target_set', '=', 'a.target_set')
            .onRef('s.rule_id', '=', 'f.rule_id')
            .onRef('s.resource_type', '=', 'f.resource_type')
            .onRef('s.resource_id', '=', 'f.resource_id'),
        )
        .select([
          'f.id as id',
          'f.assessment_id',
          'f.rule_id as rule_id',
          'f.resource_id',
          'f.resource_type',
          'f.resource_name as resource_name',
          'f.status',
          'f.severity',
          'f.control',
          'f.message',
          'f.file',
          'f.line',
          'f.exemption',
          'r.account',
          's.status as lifecycle_status',
          's.first_seen as first_seen',
          's.last_seen',
          's.status_changed_at as status_changed_at',
          's.resolved_at',
        ])
        .where('f.assessment_id', 'in', ids.length > 0 ? ids : ['-']);
      if (ids.length > 1) {
        // Overlapping sources hold the same resource: list each rule on it once, from the
        // newest assessment (the highest finding id), as the score and inventory count it.
        query = query.where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('findings as g')
                .select('g.id')
                .where('g.assessment_id', 'in', ids)
                .whereRef('g.id', '>', 'f.id')
                .whereRef('g.rule_id', '=', 'f.rule_id')
                .whereRef('g.resource_type', '=', 'f.resource_type')
                .whereRef('g.resource_id', '=', 'f.resource_id')
                .where(sql<boolean>`coalesce(g.file, '') = coalesce(f.file, '')`),
            ),
          ),
        );
      }
      if (status !== undefined) query = query.where(statusCondition(status));
      query = applyFilters(query, filters, {
        rule: 'f.rule_id',
        severity: 'f.severity',
        resource: 'f.resource_id',
        lifecycle: 's.status',
      });
      query = applyTimeRange(query, 's.status_changed_at', {
        since: since && timeBound(since, 'since'),
      });
      query = whereInScope(query, 'r.account', scopeFilter(request));
      const parsed = parseSort(sort);
      const qualified: Record<string, string> = {
        id: 'f.id',
        rule_id: 'f.rule_id',
        resource_name: 'f.resource_name',
        first_seen: 's.first_seen',
        status_changed_at: 's.status_changed_at',
      };
      const page = await paginate(query, {
        sort: parsed,
        sortColumn: qualified[parsed.column],
        idColumn: 'f.id',
        cursor,
        limit,
      });
      return {
        items: page.items.map((r) => ({
          id: r.id,
          assessmentId: r.assessment_id,
          ruleId: r.rule_id,
          resourceId: r.resource_id,
          resourceType: r.resource_type,
          resourceName: r.resource_name,
          account: r.account,
          status: r.status,
          severity: r.severity,
          control: r.control,
          message: r.message,
          file: r.file,
          line: r.line,
          exemption: r.exemption ? JSON.parse(r.exemption) : null,
          lifecycle: r.lifecycle_status
            ? {
                status: r.lifecycle_status,
                firstSeen: r.first_seen!,
                lastSeen: r.last_seen!,
                statusChangedAt: r.status_changed_at!,
                resolvedAt: r.resolved_at,
              }
            : null,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );
};
