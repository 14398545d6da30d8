/** Incidents: the list (filters, sort, cursor pages) and one incident with its alerts in order. */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { alertStore } from '../../store/alert-repository.js';
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
  alertSummary,
  AlertStatusSchema,
  AlertSummarySchema,
  IncidentSchema,
  incidentView,
  SeveritySchema,
  whereEntity,
  whereIncidentInScope,
} from './alerts-schemas.js';
import { IdParams } from './schemas.js';

const SORTS: Record<string, string> = { lastSeen: 'last_seen', firstSeen: 'first_seen' };

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(Object.keys(SORTS), '-lastSeen'),
  severity: Type.Optional(Type.Array(SeveritySchema, { maxItems: 5 })),
  status: Type.Optional(Type.Array(AlertStatusSchema, { maxItems: 4 })),
  entity: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
});

const iso = (time: string | undefined) => (time ? new Date(time).toISOString() : undefined);

export const incidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const db = alertStore(app.palisade.db);

  app.get(
    '/incidents',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'Incidents: alerts that share entities, along the kill chain',
        tags: ['detection'],
        querystring: ListQuery,
        response: { 200: Page(IncidentSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, since, until, entity, ...filters } = request.query;
      let query = applyFilters(db.selectFrom('incidents').selectAll(), filters, {
        severity: 'severity',
        status: 'status',
      });
      if (since) query = query.where('last_seen', '>=', iso(since)!);
      if (until) query = query.where('first_seen', '<', iso(until)!);
      if (entity) query = whereEntity(query, 'entities', entity);
      query = whereIncidentInScope(query, scopeFilter(request));
      const parsed = parseSort(sort);
      const page = await paginate(query, {
        sort: { column: SORTS[parsed.column], direction: parsed.direction },
        idColumn: 'id',
        cursor,
        limit,
      });
      return { items: page.items.map(incidentView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/incidents/:id',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: 'One incident with its alerts in kill-chain order',
        tags: ['detection'],
        params: IdParams,
        response: {
          200: Type.Composite([
            IncidentSchema,
            Type.Object({ alerts: Type.Array(AlertSummarySchema) }),
          ]),
        },
      },
    },
    async (request) => {
      const scope = scopeFilter(request);
      const found = await whereIncidentInScope(
        db.selectFrom('incidents').selectAll().where('id', '=', request.params.id),
        scope,
      ).executeTakeFirst();
      if (!found) throw new HttpError(404, 'NOT_FOUND', 'no such incident');
      const incident = incidentView(found);
      const ids = incident.alertIds.slice(0, 1_000);
      const rows =
        ids.length === 0
          ? []
          : await whereInScope(
              db.selectFrom('alerts').selectAll().where('id', 'in', ids),
              'account',
              scope,
            ).execute();
      const byId = new Map(rows.map((r) => [r.id, r]));
      const alerts = ids.flatMap((id) => {
        const row = byId.get(id);
        return row ? [alertSummary(row)] : [];
      });
      return { ...incident, alerts };
    },
  );
};
