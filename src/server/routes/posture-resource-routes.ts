/**
 * Inventory: the resources of the latest assessments with their health (failing and passing
 * findings, worst failing severity), and one resource with its properties and findings.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { redactSecrets } from '../../model/redact-secrets.js';
import { paginateArray } from '../array-pagination.js';
import { scopeFilter, whereInScope } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import { applyFilters, Page, PageQueryFields, parseSort, SortField } from '../pagination.js';
import { currentAssessments, findingView, scopedFindings } from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import { CloudSchema, FindingSchema, Nullable, SourceQueryField } from './posture-schemas.js';

const Health = Type.Union(['healthy', 'unhealthy', 'not_assessed'].map((h) => Type.Literal(h)));

const ResourceSchema = Type.Object({
  key: Type.String({ description: 'assessment|type|id|file: unique in the list' }),
  assessmentId: Type.String(),
  id: Type.String(),
  type: Type.String(),
  cloud: Type.String(),
  name: Type.String(),
  account: Nullable(Type.String()),
  region: Nullable(Type.String()),
  sourceKind: Type.String(),
  file: Nullable(Type.String()),
  line: Type.Union([Type.Integer(), Type.Null()]),
  health: Health,
  failing: Type.Integer(),
  passing: Type.Integer(),
  exempt: Type.Integer(),
  worstSeverity: Nullable(Type.String()),
});

/**
 * A resource's key in the list: its assessment, type, id and file. Two files may declare the
 * same id (a Deployment in two manifests, one Terraform address in two environments): they are
 * two resources with findings of their own.
 */
function resourceKey(
  assessment: string,
  type: string,
  id: string,
  file: string | null | undefined,
): string {
  return `${assessment}|${type}|${id}|${file ?? ''}`;
}

const RANK: Record<string, number> = { informational: 0, low: 1, medium: 2, high: 3, critical: 4 };

/**
 * One row per resource identity (cloud, type, id, file): overlapping sources hold the same
 * resource, and the estate lists it once, preferring the row whose findings were kept.
 */
function oncePerResource<
  R extends { cloud: string; type: string; id: string; file: string | null },
>(rows: R[], preferred: (row: R) => boolean): R[] {
  const chosen = new Map<string, R>();
  for (const r of rows) {
    const identity = JSON.stringify([r.cloud, r.type, r.id, r.file]);
    const held = chosen.get(identity);
    if (!held || (!preferred(held) && preferred(r))) chosen.set(identity, r);
  }
  return [...chosen.values()];
}

export const postureResourceRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app) => {
  const { db } = app.palisade;

  function resourcesOf(ids: string[]) {
    return db
      .selectFrom('resources')
      .select([
        'assessment_id',
        'id',
        'type',
        'cloud',
        'name',
        'account',
        'region',
        'source_kind',
        'file',
        'line',
      ])
      .where('assessment_id', 'in', ids.length > 0 ? ids : ['-']);
  }

  app.get(
    '/resources',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Resources of the latest assessments with their health',
        tags: ['inventory'],
        querystring: Type.Object({
          ...PageQueryFields,
          ...SourceQueryField,
          sort: SortField(['name', 'type', 'failing', 'severity'], '-severity'),
          cloud: Type.Optional(CloudSchema),
          type: Type.Optional(Type.String({ maxLength: 300 })),
          account: Type.Optional(Type.String({ maxLength: 200 })),
          health: Type.Optional(Health),
          q: Type.Optional(
            Type.String({
              maxLength: 2_000,
              description: 'text the name, type or id contains (any case)',
            }),
          ),
        }),
        response: { 200: Page(ResourceSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, source, health, q, ...filters } = request.query;
      const needle = q?.trim().toLowerCase();
      const found = (r: { name: string; type: string; id: string }) =>
        !needle ||
        r.name.toLowerCase().includes(needle) ||
        r.type.toLowerCase().includes(needle) ||
        r.id.toLowerCase().includes(needle);
      const scope = scopeFilter(request);
      const ids = (await currentAssessments(db, source, scopeFilter(request))).map((c) => c.id);
      const query = applyFilters(resourcesOf(ids), filters, {
        cloud: 'cloud',
        type: 'type',
        account: 'account',
      });
      const rows = await whereInScope(query, 'account', scope).execute();
      const tally = new Map<
        string,
        { failing: number; passing: number; exempt: number; worst: number }
      >();
      for (const f of await scopedFindings(db, ids, scope)) {
        const key = resourceKey(f.assessmentId, f.resourceType, f.resourceId, f.file);
        const t = tally.get(key) ?? { failing: 0, passing: 0, exempt: 0, worst: -1 };
        if (f.exemption && (f.status === 'fail' || f.status === 'pass')) t.exempt += 1;
        else if (f.status === 'fail') {
          t.failing += 1;
          t.worst = Math.max(t.worst, RANK[f.severity] ?? 0);
        } else if (f.status === 'pass') t.passing += 1;
        tally.set(key, t);
      }
      const severities = Object.keys(RANK);
      const keyOf = (r: (typeof rows)[number]) =>
        resourceKey(r.assessment_id, r.type, r.id, r.file);
      const items = oncePerResource(rows, (r) => tally.has(keyOf(r)))
        .map((r) => {
          const key = keyOf(r);
          const t = tally.get(key) ?? { failing: 0, passing: 0, exempt: 0, worst: -1 };
          return {
            key,
            assessmentId: r.assessment_id,
            id: r.id,
            type: r.type,
            cloud: r.cloud,
            name: r.name,
            account: r.account,
            region: r.region,
            sourceKind: r.source_kind,
            file: r.file,
            line: r.line,
            health: (t.failing > 0 ? 'unhealthy' : t.passing > 0 ? 'healthy' : 'not_assessed') as
              'healthy' | 'unhealthy' | 'not_assessed',
            failing: t.failing,
            passing: t.passing,
            exempt: t.exempt,
            worstSeverity: t.worst >= 0 ? severities[t.worst] : null,
            rank: t.worst,
          };
        })
        .filter((r) => (!health || r.health === health) && found(r));
      const page = paginateArray(items, {
        sort: parseSort(sort),
        idOf: (r) => r.key,
        valueOf: (r, column) =>
          column === 'severity' ? r.rank : column === 'failing' ? r.failing : r[column as 'name'],
        cursor,
        limit,
      });
      return { items: page.items.map(({ rank: _rank, ...r }) => r), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/resources/detail',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One resource of the latest assessments: properties, tags and findings',
        tags: ['inventory'],
        querystring: Type.Object({
          ...SourceQueryField,
          id: Type.String({ minLength: 1, maxLength: 2_000, description: 'resource id' }),
          type: Type.Optional(Type.String({ maxLength: 300 })),
          file: Type.Optional(
            Type.String({
              maxLength: 4_000,
              description: 'the file it was read from, when several files hold this id',
            }),
          ),
        }),
        response: {
          200: Type.Intersect([
            Type.Omit(ResourceSchema, ['health', 'failing', 'passing', 'exempt', 'worstSeverity']),
            Type.Object({
              tags: Type.Record(Type.String(), Type.String()),
              properties: Type.Record(Type.String(), Type.Unknown()),
              findings: Type.Array(FindingSchema),
            }),
          ]),
        },
      },
    },
    async (request) => {
      const { id, type, file, source } = request.query;
      const scope = scopeFilter(request);
      const ids = (await currentAssessments(db, source, scopeFilter(request))).map((c) => c.id);
      let query = resourcesOf(ids).select(['tags', 'properties']).where('id', '=', id);
      if (type) query = query.where('type', '=', type);
      if (file !== undefined) query = query.where('file', '=', file);
      const row = await whereInScope(query, 'account', scope).executeTakeFirst();
      if (!row)
        throw new HttpError(404, 'NOT_FOUND', `no resource ${id} in the latest assessments`);
      // Findings of this resource alone: another file may hold a resource of the same id.
      const findings = (
        await scopedFindings(db, [row.assessment_id], scope, { resourceId: id })
      ).filter((f) => f.resourceType === row.type && (f.file ?? null) === row.file);
      return {
        key: resourceKey(row.assessment_id, row.type, row.id, row.file),
        assessmentId: row.assessment_id,
        id: row.id,
        type: row.type,
        cloud: row.cloud,
        name: row.name,
        account: row.account,
        region: row.region,
        sourceKind: row.source_kind,
        file: row.file,
        line: row.line,
        tags: JSON.parse(row.tags) as Record<string, string>,
        // Stores written before credentials were left out at save time still hold them.
        properties: redactSecrets(row.type, JSON.parse(row.properties)) as Record<string, unknown>,
        findings: findings.map(findingView),
      };
    },
  );
};
