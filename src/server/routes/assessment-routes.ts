/**
 * Assessments: the history of runs (each source's and any stored by `palisade scan`), one run in
 * detail with its controls and what changed, and a run on demand. Scoped callers see scores and
 * counts computed over their accounts only.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely, Selectable } from 'kysely';
import { findingChanges } from '../../store/finding-lifecycle.js';
import type { AssessmentTable, Database } from '../../store/schema.js';
import { allSources } from '../../store/source-repository.js';
import { RunCancelled } from '../assessment-scheduler.js';
import { auditedChange } from '../audited-change.js';
import { scopeFilter, whereInScope, type ScopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import {
  applyTimeRange,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import { judgedScore } from '../overall-score-history.js';
import type { PostureRules } from '../posture-rules.js';
import {
  countFindings,
  judgedAssessments,
  scopedFindings,
  scoreFindings,
  sourceOr404,
} from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import {
  ControlScoreSchema,
  CountsSchema,
  SourceQueryField,
  SourceRefSchema,
} from './posture-schemas.js';
import { IdParams } from './schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';

const AssessmentSchema = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  finishedAt: Type.String(),
  targets: Type.Array(Type.String(), {
    description:
      "the paths assessed, on the server; empty for a caller limited to some accounts (the server's folders are no data of theirs)",
  }),
  source: SourceRefSchema,
  secureScore: Type.Union([Type.Number(), Type.Null()], {
    description: "percentage over the caller's accounts; null when none of them was judged",
  }),
  resources: Type.Integer(),
  counts: CountsSchema,
});

const Change = Type.Object({
  ruleId: Type.String(),
  resourceType: Type.String(),
  resourceId: Type.String(),
  resourceName: Type.String(),
  severity: Type.String(),
  reason: Type.String(),
  at: Type.String(),
});

const AssessmentDetail = Type.Intersect([
  AssessmentSchema,
  Type.Object({
    controls: Type.Array(ControlScoreSchema),
    changes: Type.Object({
      previousAssessmentId: Type.Union([Type.String(), Type.Null()]),
      new: Type.Array(Change),
      reopened: Type.Array(Change),
      resolved: Type.Array(Change),
    }),
  }),
]);

const RunBody = Type.Object(
  {
    source: Type.String({ minLength: 1, maxLength: 200, description: 'source id or name' }),
    wait: Type.Boolean({ default: false, description: 'answer when the run has finished' }),
  },
  { additionalProperties: false },
);

type Row = Selectable<AssessmentTable>;

/** An assessment as `scope` may see it: stored totals, or recomputed over its accounts. */
async function summarise(
  db: Kysely<Database>,
  row: Row,
  scope: ScopeFilter,
  rules: PostureRules,
  sources: Map<string, { id: string; name: string }>,
) {
  const base = {
    id: row.id,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    // Where the server read the estate tells a caller limited to some accounts about the
    // server and the rest of the estate, not about their accounts.
    targets: scope.unrestricted ? (JSON.parse(row.targets) as string[]) : [],
    source: (row.target_set && sources.get(row.target_set)) || null,
  };
  if (scope.unrestricted) {
    const counts = {
      pass: row.pass,
      fail: row.fail,
      notApplicable: row.not_applicable,
      error: row.error,
      exempt: row.exempt,
    };
    // Null when nothing was judged (everything exempt), as GET /score says, never 100.
    const judged = (await judgedAssessments(db, [row.id])).has(row.id);
    return {
      ...base,
      secureScore: judged ? row.secure_score : null,
      resources: row.resources,
      counts,
    };
  }
  const findings = await scopedFindings(db, [row.id], scope);
  const resources = await whereInScope(
    db
      .selectFrom('resources')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('assessment_id', '=', row.id),
    'account',
    scope,
  ).executeTakeFirstOrThrow();
  return {
    ...base,
    // Null when nothing the caller may see was judged (not assessed, never 100).
    secureScore: await judgedScore(findings, rules),
    resources: Number(resources.n),
    counts: countFindings(findings),
  };
}

async function sourceMap(db: Kysely<Database>) {
  return new Map((await allSources(db)).map((s) => [s.target_set, { id: s.id, name: s.name }]));
}

export const assessmentRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app, opts) => {
  const { db } = app.palisade;
  const { scheduler, rules } = opts.posture;

  app.get(
    '/assessments',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'List assessments, newest first',
        tags: ['assessments'],
        querystring: Type.Object({
          ...PageQueryFields,
          ...SourceQueryField,
          sort: SortField(['started_at', 'secure_score'], '-started_at'),
          since: Type.Optional(TimeQueryField('since', 'assessments started at or after this')),
          until: Type.Optional(TimeQueryField('until', 'assessments started before this')),
        }),
        response: { 200: Page(AssessmentSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, source, since, until } = request.query;
      let query = db.selectFrom('assessments').selectAll();
      if (source)
        query = query.where(
          'target_set',
          '=',
          (await sourceOr404(db, source, scopeFilter(request))).target_set,
        );
      query = applyTimeRange(query, 'started_at', {
        since: since && timeBound(since, 'since'),
        until: until && timeBound(until, 'until'),
      });
      const page = await paginate(query, { sort: parseSort(sort), idColumn: 'id', cursor, limit });
      const scope = scopeFilter(request);
      const loaded = await rules();
      const sources = await sourceMap(db);
      const items = [];
      for (const row of page.items) items.push(await summarise(db, row, scope, loaded, sources));
      return { items, nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/assessments/:id',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One assessment: totals, control scores, and what changed since the previous one',
        tags: ['assessments'],
        params: IdParams,
        response: { 200: AssessmentDetail },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('assessments')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw new HttpError(404, 'NOT_FOUND', `no assessment ${request.params.id}`);
      const scope = scopeFilter(request);
      const loaded = await rules();
      const summary = await summarise(db, row, scope, loaded, await sourceMap(db));
      const findings = await scopedFindings(db, [row.id], scope);
      const { controls } = await scoreFindings(findings, loaded);
      const changes = (await findingChanges(db, row.id))!;
      // A change is visible when its resource is: judged in this run within the caller's scope.
      const visible = new Set(findings.map((f) => `${f.resourceType}|${f.resourceId}`));
      const keep = (list: typeof changes.new) =>
        scope.unrestricted
          ? list
          : list.filter((c) => visible.has(`${c.resourceType}|${c.resourceId}`));
      return {
        ...summary,
        controls,
        changes: {
          previousAssessmentId: changes.previousAssessmentId,
          new: keep(changes.new),
          reopened: keep(changes.reopened),
          resolved: keep(changes.resolved),
        },
      };
    },
  );

  app.post(
    '/assessments',
    {
      config: { permission: 'assessments:run' },
      schema: {
        summary: 'Assess a source now (queued behind the run in progress)',
        tags: ['assessments'],
        body: RunBody,
        response: {
          201: Type.Object({
            sourceId: Type.String(),
            assessmentId: Type.String(),
            startedAt: Type.String(),
            secureScore: Type.Union([Type.Number(), Type.Null()]),
            resources: Type.Integer(),
            warnings: Type.Array(Type.String()),
          }),
          202: Type.Object({
            sourceId: Type.String(),
            running: Type.Union([Type.String(), Type.Null()]),
            queued: Type.Array(Type.String()),
          }),
        },
      },
    },
    async (request, reply) => {
      const source = await sourceOr404(db, request.body.source, scopeFilter(request));
      await auditedChange(
        request,
        {
          action: 'assessment.run',
          outcome: 'success',
          target: { kind: 'source', id: source.id },
          details: { name: source.name },
        },
        async () => undefined,
      );
      const run = scheduler.request(source.id, 'demand');
      if (!request.body.wait) {
        return reply.code(202).send({ sourceId: source.id, ...scheduler.status() });
      }
      try {
        const done = await run;
        const scope = scopeFilter(request);
        if (scope.unrestricted) return reply.code(201).send(done);
        // A caller limited to accounts hears the score and resources of its accounts only.
        const row = await db
          .selectFrom('assessments')
          .selectAll()
          .where('id', '=', done.assessmentId)
          .executeTakeFirstOrThrow();
        const seen = await summarise(db, row, scope, await rules(), new Map());
        return reply
          .code(201)
          .send({ ...done, secureScore: seen.secureScore, resources: seen.resources });
      } catch (error) {
        if (error instanceof RunCancelled) throw new HttpError(503, 'CANCELLED', error.message);
        throw new HttpError(422, 'ASSESSMENT_FAILED', (error as Error).message);
      }
    },
  );
};
