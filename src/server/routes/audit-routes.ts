/** `GET /api/v1/audit`: the audit log, newest first, filtered by action, actor, outcome, time. */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { AuditRow } from '../../audit/audit-entry.js';
import {
  applyFilters,
  applyTimeRange,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import { forbidden } from '../http-error.js';
import { TimeQueryField, timeBound } from './time-query.js';

const Entry = Type.Object({
  seq: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  actor: Type.Object({
    kind: Type.String(),
    id: Type.Union([Type.String(), Type.Null()]),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
  action: Type.String(),
  outcome: Type.String(),
  target: Type.Union([
    Type.Object({ kind: Type.String(), id: Type.Union([Type.String(), Type.Null()]) }),
    Type.Null(),
  ]),
  ip: Type.Union([Type.String(), Type.Null()]),
  requestId: Type.Union([Type.String(), Type.Null()]),
  details: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String(),
  prevHash: Type.String(),
});

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(['seq'], '-seq'),
  action: Type.Optional(Type.String({ maxLength: 100 })),
  actor: Type.Optional(Type.String({ maxLength: 200, description: 'actor name' })),
  outcome: Type.Optional(
    Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]),
  ),
  since: Type.Optional(TimeQueryField('since', 'entries written at or after this')),
  until: Type.Optional(TimeQueryField('until', 'entries written before this')),
});

function entryView(row: AuditRow) {
  return {
    seq: row.seq,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    outcome: row.outcome,
    target: row.target_kind ? { kind: row.target_kind, id: row.target_id } : null,
    ip: row.ip,
    requestId: row.request_id,
    details: JSON.parse(row.details) as Record<string, unknown>,
    hash: row.hash,
    prevHash: row.prev_hash,
  };
}

export const auditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.palisade;

  app.get(
    '/audit',
    {
      config: { permission: 'audit:read' },
      schema: {
        summary: 'The audit log (unscoped callers only)',
        tags: ['audit'],
        querystring: ListQuery,
        response: { 200: Page(Entry) },
      },
    },
    async (request) => {
      // Entries name every account's users, tokens, sources and changes; none is tied to one.
      if (request.principal!.scopes.length > 0) {
        throw forbidden(
          'the audit log covers every account; a caller limited to accounts cannot read it',
        );
      }
      const { cursor, limit, sort, since, until, ...filters } = request.query;
      let query = applyFilters(db.selectFrom('audit_log').selectAll(), filters, {
        action: 'action',
        actor: 'actor_name',
        outcome: 'outcome',
      });
      query = applyTimeRange(query, 'at', {
        since: since && timeBound(since, 'since'),
        until: until && timeBound(until, 'until'),
      });
      const page = await paginate(query, { sort: parseSort(sort), idColumn: 'seq', cursor, limit });
      return { items: page.items.map(entryView), nextCursor: page.nextCursor };
    },
  );
};
