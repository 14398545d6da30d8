/**
 * The secure score: now (over the latest assessment of every source, or of one) with each
 * control's share, and over time for a trend chart. Scoped callers get their accounts' score.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { retiredTargetSets } from '../../store/retired-target-sets.js';
import { allSources } from '../../store/source-repository.js';
import { paginateArray } from '../array-pagination.js';
import { scopeFilter } from '../auth/scope-filter.js';
import {
  applyTimeRange,
  Page,
  PageQueryFields,
  paginate,
  parseSort,
  SortField,
} from '../pagination.js';
import {
  countFindings,
  currentAssessments,
  judgedAssessments,
  scopedFindings,
  scoreFindings,
  sourceOr404,
} from '../posture-view.js';
import { judgedScore, overallScoreHistory } from '../overall-score-history.js';
import type { PostureOptions } from './posture-routes.js';
import {
  ControlScoreSchema,
  CountsSchema,
  CurrentAssessmentSchema,
  SourceQueryField,
  SourceRefSchema,
} from './posture-schemas.js';
import { TimeQueryField, timeBound } from './time-query.js';

const ScoreSchema = Type.Object({
  secureScore: Type.Union([Type.Number(), Type.Null()], {
    description: 'percentage; null when nothing the caller may see has been judged yet',
  }),
  maxScore: Type.Number({ description: 'Σ max of the controls assessed' }),
  currentScore: Type.Number({ description: 'Σ current of the controls assessed' }),
  assessments: Type.Array(CurrentAssessmentSchema),
  counts: CountsSchema,
  controls: Type.Array(ControlScoreSchema),
});

const Point = Type.Object({
  assessmentId: Type.String(),
  startedAt: Type.String(),
  secureScore: Type.Union([Type.Number(), Type.Null()], {
    description: 'null when nothing was judged (e.g. everything exempt), as GET /score says',
  }),
  source: SourceRefSchema,
});

export const postureScoreRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (app, opts) => {
  const { db } = app.palisade;
  const { rules } = opts.posture;

  app.get(
    '/score',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Secure score of the latest assessment of every source (or of one)',
        tags: ['score'],
        querystring: Type.Object({ ...SourceQueryField }),
        response: { 200: ScoreSchema },
      },
    },
    async (request) => {
      const current = await currentAssessments(db, request.query.source, scopeFilter(request));
      const findings = await scopedFindings(
        db,
        current.map((c) => c.id),
        scopeFilter(request),
      );
      const score = await scoreFindings(findings, await rules());
      const assessed = score.controls.filter((c) => c.healthy + c.unhealthy > 0);
      const sum = (pick: (c: (typeof assessed)[number]) => number) =>
        Math.round(assessed.reduce((n, c) => n + pick(c), 0) * 100) / 100;
      return {
        // Nothing judged (no assessment, or none of the caller's resources) is "not assessed",
        // never a perfect 100.
        secureScore: current.length === 0 || assessed.length === 0 ? null : score.secureScore,
        maxScore: sum((c) => c.maxScore),
        currentScore: sum((c) => c.currentScore),
        assessments: current,
        counts: countFindings(findings),
        controls: score.controls,
      };
    },
  );

  app.get(
    '/score/history',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Secure score of past assessments, oldest first by default (a trend chart)',
        tags: ['score'],
        querystring: Type.Object({
          ...PageQueryFields,
          ...SourceQueryField,
          sort: SortField(['started_at'], 'started_at'),
          series: Type.Union([Type.Literal('assessments'), Type.Literal('overall')], {
            default: 'assessments',
            description:
              "assessments: each run's own score; overall: the whole estate after each run " +
              "(every source's latest assessment at that time)",
          }),
          since: Type.Optional(TimeQueryField('since', 'assessments started at or after this')),
          until: Type.Optional(TimeQueryField('until', 'assessments started before this')),
        }),
        response: { 200: Page(Point) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, source, since, until, series } = request.query;
      const range = {
        since: since && timeBound(since, 'since'),
        until: until && timeBound(until, 'until'),
      };
      if (series === 'overall' && !source) {
        const points = await overallScoreHistory(db, scopeFilter(request), await rules(), range);
        return paginateArray(points, {
          sort: parseSort(sort),
          idOf: (p) => p.assessmentId,
          valueOf: (p) => p.startedAt,
          cursor,
          limit,
        });
      }
      let query = db
        .selectFrom('assessments')
        .select(['id', 'started_at', 'secure_score', 'target_set']);
      if (source) {
        query = query.where(
          'target_set',
          '=',
          (await sourceOr404(db, source, scopeFilter(request))).target_set,
        );
      } else {
        // Runs of deleted sources leave the trend with their sources.
        const retired = [...(await retiredTargetSets(db))];
        if (retired.length > 0) {
          query = query.where((eb) =>
            eb.or([eb('target_set', 'is', null), eb('target_set', 'not in', retired)]),
          );
        }
      }
      query = applyTimeRange(query, 'started_at', range);
      const page = await paginate(query, { sort: parseSort(sort), idColumn: 'id', cursor, limit });
      const scope = scopeFilter(request);
      const sources = new Map(
        (await allSources(db)).map((s) => [s.target_set, { id: s.id, name: s.name }]),
      );
      const loaded = await rules();
      const judged = await judgedAssessments(
        db,
        page.items.map((r) => r.id),
      );
      const items = [];
      for (const row of page.items) {
        let secureScore: number | null = judged.has(row.id) ? row.secure_score : null;
        if (!scope.unrestricted) {
          secureScore = await judgedScore(await scopedFindings(db, [row.id], scope), loaded);
        }
        items.push({
          assessmentId: row.id,
          startedAt: row.started_at,
          secureScore,
          source: (row.target_set && sources.get(row.target_set)) || null,
        });
      }
      return { items, nextCursor: page.nextCursor };
    },
  );
};
