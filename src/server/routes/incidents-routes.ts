/**
 * Incidents: the list (filters, sort, cursor pages), one incident with its alerts in order, and
 * status changes with a comment (audited, kept in the incident's timeline).
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { alertStore } from '../../store/alert-repository.js';
import { resolveIncidentId } from '../../store/incident-aliases.js';
import type { IncidentTable } from '../../store/schema.js';
import { scopeFilter, whereInScope, type ScopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import { changeIncidentStatusExported } from '../../export/outbox/incident-records.js';
import { incidentTimeline } from '../../store/status-timeline.js';
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
  IncidentTimelineEntrySchema,
  incidentView,
  StatusChangeBody,
  SeveritySchema,
  whereEntity,
  whereIncidentInScope,
} from './alerts-schemas.js';
import { IdParams } from './schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';
import { auditedStatusChange } from './status-change.js';

const SORTS: Record<string, string> = { lastSeen: 'last_seen', firstSeen: 'first_seen' };

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(Object.keys(SORTS), '-lastSeen'),
  severity: Type.Optional(Type.Array(SeveritySchema, { maxItems: 5 })),
  status: Type.Optional(Type.Array(AlertStatusSchema, { maxItems: 4 })),
  entity: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
  since: Type.Optional(TimeQueryField('since', 'incidents still active at or after this time')),
  until: Type.Optional(TimeQueryField('until', 'incidents first seen before this time')),
});

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
      if (since) query = query.where('last_seen', '>=', timeBound(since, 'since'));
      if (until) query = query.where('first_seen', '<', timeBound(until, 'until'));
      if (entity) query = whereEntity(query, 'entities', entity);
      query = whereIncidentInScope(query, scopeFilter(request));
      const parsed = parseSort(sort);
      const page = await paginate(query, {
        sort: { column: SORTS[parsed.column], direction: parsed.direction },
        idColumn: 'id',
        cursor,
        limit,
      });
      // A page may come out shorter than `limit`: incidents reaching outside the caller's
      // accounts are left out, and the cursor still continues after the last row read.
      const items = [];
      for (const row of page.items) {
        if (await whollyVisible(row, scopeFilter(request))) items.push(incidentView(row));
      }
      return { items, nextCursor: page.nextCursor };
    },
  );

  /**
   * True when the caller may see every alert of the incident: an incident that reaches into an
   * account the caller cannot see would show that account's alerts and entities.
   */
  const whollyVisible = async (row: IncidentTable, scope: ScopeFilter) => {
    if (scope.unrestricted) return true;
    const ids = incidentView(row).alertIds;
    if (ids.length === 0) return true;
    const rows = await db.selectFrom('alerts').select('account').where('id', 'in', ids).execute();
    return rows.length === new Set(ids).size && rows.every((r) => scope.allows(r.account));
  };

  /**
   * The incident's row when the caller may see it and all of its alerts. An id of an incident
   * merged into another finds the one that holds its alerts now.
   */
  const visible = async (request: Parameters<typeof scopeFilter>[0], id: string) => {
    const scope = scopeFilter(request);
    const resolved = (await resolveIncidentId(app.palisade.db, id)) ?? id;
    const found = await whereIncidentInScope(
      db.selectFrom('incidents').selectAll().where('id', '=', resolved),
      scope,
    ).executeTakeFirst();
    if (!found || !(await whollyVisible(found, scope))) {
      throw new HttpError(404, 'NOT_FOUND', 'no such incident');
    }
    return found;
  };

  app.patch(
    '/incidents/:id',
    {
      config: { permission: 'alerts:write' },
      schema: {
        summary: "Change an incident's status, with a comment",
        tags: ['detection'],
        params: IdParams,
        body: StatusChangeBody,
        response: {
          200: Type.Object({ incident: IncidentSchema, entry: IncidentTimelineEntrySchema }),
        },
      },
    },
    async (request) => {
      const { id } = await visible(request, request.params.id);
      const entry = await auditedStatusChange(
        request,
        'incident',
        id,
        changeIncidentStatusExported,
      );
      if (!entry) throw new HttpError(404, 'NOT_FOUND', 'no such incident');
      return { incident: incidentView(await visible(request, id)), entry };
    },
  );

  app.get(
    '/incidents/:id/timeline',
    {
      config: { permission: 'alerts:read' },
      schema: {
        summary: "An incident's status changes and comments, oldest first",
        tags: ['detection'],
        params: IdParams,
        response: { 200: Type.Object({ items: Type.Array(IncidentTimelineEntrySchema) }) },
      },
    },
    async (request) => {
      const { id } = await visible(request, request.params.id);
      return { items: await incidentTimeline(app.palisade.db, id) };
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
      const found = await visible(request, request.params.id);
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
