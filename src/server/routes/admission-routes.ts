/**
 * Admission decisions through the API: every answer the webhook gave, newest first, filtered by
 * namespace, kind, answer, mode, operation, user and time. Kubernetes objects belong to no cloud
 * account, so a caller limited to accounts sees none.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { decisionsQuery, decisionView } from '../../store/admission-decision-repository.js';
import { scopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import {
  applyFilters,
  applyTimeRange,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import { IdParams } from './schemas.js';
import { likeLiteral } from './alerts-schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';

const Mode = Type.Union(
  ['deny', 'audit', 'pass', 'exempt', 'skip', 'error'].map((m) => Type.Literal(m)),
  {
    description:
      'deny, audit (allowed with warnings), pass, exempt, skip (nothing to judge), error',
  },
);

/** One stored decision. */
export const DecisionSchema = Type.Object({
  id: Type.String(),
  uid: Type.String({ description: 'the AdmissionReview request uid' }),
  time: Type.String({ format: 'date-time' }),
  apiVersion: Type.String(),
  kind: Type.String(),
  namespace: Type.Union([Type.String(), Type.Null()]),
  name: Type.String(),
  operation: Type.String(),
  user: Type.String(),
  allowed: Type.Boolean(),
  dryRun: Type.Boolean(),
  mode: Mode,
  ruleIds: Type.Array(Type.String(), { description: 'rules that denied, warned or were exempt' }),
  rules: Type.Array(
    Type.Object({
      id: Type.String(),
      mode: Type.Union([Type.Literal('deny'), Type.Literal('audit')]),
      reason: Type.String(),
      exemption: Type.Optional(
        Type.Object(
          {
            category: Type.Union([Type.Literal('waiver'), Type.Literal('mitigated')]),
            justification: Type.String(),
            source: Type.String(),
            expires: Type.Optional(Type.String()),
          },
          { description: 'the exemption that covers the failure: it neither denied nor warned' },
        ),
      ),
    }),
  ),
  message: Type.Union([Type.String(), Type.Null()]),
});

const Filter = Type.String({ minLength: 1, maxLength: 253 });

export const admissionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db } = app.palisade;

  app.get(
    '/admission/decisions',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'List admission decisions, newest first',
        tags: ['admission'],
        querystring: Type.Object({
          ...PageQueryFields,
          sort: SortField(['time', 'kind', 'namespace'], '-time'),
          namespace: Type.Optional(Filter),
          kind: Type.Optional(Filter),
          name: Type.Optional(Filter),
          operation: Type.Optional(
            Type.Union(['CREATE', 'UPDATE', 'DELETE', 'CONNECT'].map((o) => Type.Literal(o))),
          ),
          user: Type.Optional(Filter),
          mode: Type.Optional(Mode),
          allowed: Type.Optional(Type.Boolean()),
          rule: Type.Optional(
            Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9.-]+$' }),
          ),
          since: Type.Optional(TimeQueryField('since', 'decisions made at or after this')),
          until: Type.Optional(TimeQueryField('until', 'decisions made before this')),
        }),
        response: { 200: Page(DecisionSchema) },
      },
    },
    async (request) => {
      if (!scopeFilter(request).unrestricted) return { items: [], nextCursor: null };
      const { cursor, limit, sort, since, until, allowed, rule, ...filters } = request.query;
      let query = applyFilters(decisionsQuery(db), filters, {
        namespace: 'namespace',
        kind: 'kind',
        name: 'name',
        operation: 'operation',
        user: 'user_name',
        mode: 'mode',
      });
      // As instants: the stored times are UTC ISO text, compared as text.
      query = applyTimeRange(query, 'time', {
        since: since && timeBound(since, 'since'),
        until: until && timeBound(until, 'until'),
      });
      if (allowed !== undefined) query = query.where('allowed', '=', allowed ? 1 : 0);
      // rule_ids is a JSON array of ids; the quoted id matches one element exactly, `%` and `_`
      // in it as themselves.
      if (rule) {
        const pattern = `%${likeLiteral(JSON.stringify(rule))}%`;
        query = query.where(sql<boolean>`${sql.ref('rule_ids')} like ${pattern} escape '\\'`);
      }
      const page = await paginate(query, { sort: parseSort(sort), idColumn: 'id', cursor, limit });
      return { items: page.items.map(decisionView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/admission/decisions/:id',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One admission decision',
        tags: ['admission'],
        params: IdParams,
        response: { 200: DecisionSchema },
      },
    },
    async (request) => {
      const row = scopeFilter(request).unrestricted
        ? await decisionsQuery(db).where('id', '=', request.params.id).executeTakeFirst()
        : undefined;
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no admission decision ${request.params.id}`);
      return decisionView(row);
    },
  );
};
