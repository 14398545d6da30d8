/**
 * Alerts: the list (filters, sort, cursor pages), one alert with its evidence, a status change
 * with a comment (audited, kept in the alert's timeline), and the timeline.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { alertStore, changeAlertStatus } from '../../store/alert-repository.js';
import { alertTimeline } from '../../store/status-timeline.js';
import { scopeFilter, whereInScope } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import {
  applyFilters,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import {
  AlertDetailSchema,
  alertDetail,
  alertSummary,
  AlertStatusSchema,
  AlertSummarySchema,
  SeveritySchema,
  StatusChangeBody,
  TimelineEntrySchema,
  whereEntity,
} from './alerts-schemas.js';
import { IdParams } from './schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';
import { auditedStatusChange } from './status-change.js';

/** API sort names and their columns. */
const SORTS: Record<string, string> = {
  lastSeen: 'last_seen',
  firstSeen: 'first_seen',
  severity: 'severity_rank',
  eventCount: 'event_count',
};

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(Object.keys(SORTS), '-lastSeen'),
  severity: Type.Optional(Type.Array(SeveritySchema, { maxItems: 5 })),
  status: Type.Optional(Type.Array(AlertStatusSchema, { maxItems: 4 })),
  rule: Type.Optional(Type.String({ maxLength: 200, description: 'rule id' })),
  entity: Type.Optional(
    Type.String({ minLength: 1, maxLength: 500, description: 'an entity value: IP, account...' }),
  ),
  incident: Type.Optional(Type.String({ maxLength: 64, description: 'incident id' })),
  since: Type.Optional(TimeQueryField('since', 'alerts still seen at or after this time')),
  until: Type.Optional(TimeQueryField('until', 'alerts first seen before this time')),
});

export const alertRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = alertStore(app.palisade.db);
  const notFound = () => new HttpError(404, 'NOT_FOUND', 'no such alert');

  /** The alert's row when the caller may see it. */
  const visible = async (request: Parameters<typeof scopeFilter>[0], id: string) => {
    const row = await db.selectFrom('alerts').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row || !scopeFilter(request).allows(row.account)) throw notFound();
    return row;
  };

  app.get(
    '/alerts',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'Security alerts',
        tags: ['detection'],
        querystring: ListQuery,
        response: { 200: Page(AlertSummarySchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, since, until, entity, ...filters } = request.query;
      let query = applyFilters(db.selectFrom('alerts').selectAll(), filters, {
        severity: 'severity',
        status: 'status',
        rule: 'rule_id',
        incident: 'incident_id',
      });
      if (since) query = query.where('last_seen', '>=', timeBound(since, 'since'));
      if (until) query = query.where('first_seen', '<', timeBound(until, 'until'));
      if (entity) query = whereEntity(query, 'entities', entity);
      query = whereInScope(query, 'account', scopeFilter(request));
      const parsed = parseSort(sort);
      const page = await paginate(query, {
        sort: { column: SORTS[parsed.column], direction: parsed.direction },
        idColumn: 'id',
        cursor,
        limit,
      });
      return { items: page.items.map(alertSummary), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/alerts/:id',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'One alert with its evidence, ATT&CK mapping, entities and rule',
        tags: ['detection'],
        params: IdParams,
        response: { 200: AlertDetailSchema },
      },
    },
    async (request) =>
      alertDetail(await visible(request, request.params.id), request.principal!.scopes),
  );

  app.patch(
    '/alerts/:id',
    {
      config: { permission: 'alerts:write' },
      schema: {
        summary: "Change an alert's status, with a comment",
        tags: ['detection'],
        params: IdParams,
        body: StatusChangeBody,
        response: {
          200: Type.Object({ alert: AlertDetailSchema, entry: TimelineEntrySchema }),
        },
      },
    },
    async (request) => {
      const { id } = request.params;
      await visible(request, id);
      const entry = await auditedStatusChange(request, 'alert', id, changeAlertStatus);
      if (!entry) throw notFound();
      return { alert: alertDetail(await visible(request, id), request.principal!.scopes), entry };
    },
  );

  app.get(
    '/alerts/:id/timeline',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'When an alert was raised, then its status changes and comments, oldest first',
        tags: ['detection'],
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(TimelineEntrySchema) }) },
      },
    },
    async (request) => {
      await visible(request, request.params.id);
      return { items: await alertTimeline(app.palisade.db, request.params.id) };
    },
  );
};
