/**
 * Recommendations: each rule judged in the latest assessments with its failing, passing and
 * exempt resources, its control's potential increase and its share of it, in the order scan
 * ranks them (the default); one rule in detail
 * with its remediation snippets and every resource behind it.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Rule } from '../../model/rule.js';
import { paginateArray } from '../array-pagination.js';
import { scopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import { Page, PageQueryFields, parseSort, SortField } from '../pagination.js';
import {
  currentAssessments,
  findingView,
  scopedFindings,
  scoreFindings,
  type ViewFinding,
} from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import {
  CloudSchema,
  CurrentAssessmentSchema,
  FindingSchema,
  SeveritySchema,
  SourceQueryField,
} from './posture-schemas.js';

const StatusSchema = Type.Union(
  ['unhealthy', 'healthy', 'exempt', 'not_applicable'].map((s) => Type.Literal(s)),
  { description: 'unhealthy: some resource fails; healthy: all judged pass' },
);

const RecommendationSchema = Type.Object({
  ruleId: Type.String(),
  title: Type.String(),
  severity: Type.String(),
  cloud: Type.Union([Type.String(), Type.Null()]),
  control: Type.String(),
  status: StatusSchema,
  failing: Type.Integer(),
  passing: Type.Integer(),
  exempt: Type.Integer(),
  notApplicable: Type.Integer(),
  potentialIncrease: Type.Number({
    description: "score points the rule's control gains when all its unhealthy resources heal",
  }),
  scoreShare: Type.Number({
    description: "this rule's part of potentialIncrease; a control's shares add up to it",
  }),
  rank: Type.Union([Type.Integer(), Type.Null()], {
    description: 'place in the ranking scan prints (1 first); null when nothing fails',
  }),
  remediation: Type.String(),
});

const RemediationSchema = Type.Object({
  text: Type.String(),
  cli: Type.Optional(Type.String()),
  terraform: Type.Optional(Type.String()),
  cloudformation: Type.Optional(Type.String()),
  arm: Type.Optional(Type.String()),
  kubernetes: Type.Optional(Type.String()),
});

const DetailSchema = Type.Intersect([
  RecommendationSchema,
  Type.Object({
    description: Type.String(),
    resourceTypes: Type.Array(Type.String()),
    mappings: Type.Record(Type.String(), Type.Array(Type.String())),
    references: Type.Array(Type.String()),
    remediationSteps: RemediationSchema,
    assessments: Type.Array(CurrentAssessmentSchema),
    resources: Type.Object({
      failing: Type.Array(FindingSchema),
      passing: Type.Array(FindingSchema),
      exempt: Type.Array(FindingSchema),
      notApplicable: Type.Array(FindingSchema),
    }),
  }),
]);

const RANK: Record<string, number> = {
  informational: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

type Recommendation = {
  ruleId: string;
  title: string;
  severity: string;
  cloud: string | null;
  control: string;
  status: 'unhealthy' | 'healthy' | 'exempt' | 'not_applicable';
  failing: number;
  passing: number;
  exempt: number;
  notApplicable: number;
  potentialIncrease: number;
  scoreShare: number;
  rank: number | null;
  remediation: string;
};

function tally(findings: ViewFinding[]) {
  const byRule = new Map<
    string,
    { findings: ViewFinding[]; f: number; p: number; e: number; n: number }
  >();
  for (const f of findings) {
    const t = byRule.get(f.ruleId) ?? { findings: [], f: 0, p: 0, e: 0, n: 0 };
    t.findings.push(f);
    if (f.exemption && (f.status === 'fail' || f.status === 'pass')) t.e += 1;
    else if (f.status === 'fail') t.f += 1;
    else if (f.status === 'pass') t.p += 1;
    else t.n += 1;
    byRule.set(f.ruleId, t);
  }
  return byRule;
}

/** Recommendations of `findings`, one per rule judged. */
async function recommendations(
  findings: ViewFinding[],
  rulesById: Map<string, Rule>,
  score: Awaited<ReturnType<typeof scoreFindings>>,
): Promise<Recommendation[]> {
  const ranked = new Map(score.recommendations.map((r, i) => [r.ruleId, { ...r, rank: i + 1 }]));
  const out: Recommendation[] = [];
  for (const [ruleId, t] of tally(findings)) {
    const rule = rulesById.get(ruleId);
    const first = t.findings[0];
    const scored = ranked.get(ruleId);
    out.push({
      ruleId,
      title: rule?.title ?? ruleId,
      severity: rule?.severity ?? first.severity,
      cloud: rule?.cloud ?? first.cloud,
      control: rule?.control ?? first.control,
      status: t.f > 0 ? 'unhealthy' : t.p > 0 ? 'healthy' : t.e > 0 ? 'exempt' : 'not_applicable',
      failing: t.f,
      passing: t.p,
      exempt: t.e,
      notApplicable: t.n,
      potentialIncrease: scored?.potentialIncrease ?? 0,
      scoreShare: scored?.scoreShare ?? 0,
      rank: scored?.rank ?? null,
      remediation: rule?.remediation.text ?? '',
    });
  }
  return out;
}

/** `r`'s value in `column` for sorting: healthy rules, with no rank, come after ranked ones. */
function sortValue(r: Recommendation, column: string): string | number {
  if (column === 'severity') return RANK[r.severity] ?? 0;
  if (column === 'rank') return r.rank ?? Number.MAX_SAFE_INTEGER;
  return r[column as keyof Recommendation] as string | number;
}

export const postureRecommendationRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (
  app,
  opts,
) => {
  const { db } = app.palisade;
  const { rules } = opts.posture;

  app.get(
    '/recommendations',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Recommendations of the latest assessments, by potential score increase',
        tags: ['recommendations'],
        querystring: Type.Object({
          ...PageQueryFields,
          ...SourceQueryField,
          sort: SortField(
            ['rank', 'potentialIncrease', 'scoreShare', 'severity', 'failing', 'ruleId'],
            'rank',
          ),
          severity: Type.Optional(SeveritySchema),
          control: Type.Optional(Type.String({ maxLength: 20 })),
          cloud: Type.Optional(CloudSchema),
          status: Type.Optional(StatusSchema),
        }),
        response: { 200: Page(RecommendationSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, source, severity, control, cloud, status } = request.query;
      const current = await currentAssessments(db, source, scopeFilter(request));
      const findings = await scopedFindings(
        db,
        current.map((c) => c.id),
        scopeFilter(request),
      );
      const loaded = await rules();
      const score = await scoreFindings(findings, loaded);
      const list = (await recommendations(findings, loaded.byId, score)).filter(
        (r) =>
          (!severity || r.severity === severity) &&
          (!control || r.control === control) &&
          (!cloud || r.cloud === cloud) &&
          (!status || r.status === status),
      );
      return paginateArray(list, {
        sort: parseSort(sort),
        idOf: (r) => r.ruleId,
        valueOf: (r, column) => sortValue(r, column),
        cursor,
        limit,
      });
    },
  );

  app.get(
    '/recommendations/:ruleId',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One recommendation: the rule, its remediation and the resources behind it',
        tags: ['recommendations'],
        params: Type.Object({ ruleId: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ ...SourceQueryField }),
        response: { 200: DetailSchema },
      },
    },
    async (request) => {
      const { ruleId } = request.params;
      const loaded = await rules();
      const rule = loaded.byId.get(ruleId);
      const current = await currentAssessments(db, request.query.source, scopeFilter(request));
      const scope = scopeFilter(request);
      const all = await scopedFindings(
        db,
        current.map((c) => c.id),
        scope,
      );
      const mine = all.filter((f) => f.ruleId === ruleId);
      if (!rule && mine.length === 0) throw new HttpError(404, 'NOT_FOUND', `no rule ${ruleId}`);
      const score = await scoreFindings(all, loaded);
      const [summary] = await recommendations(mine, loaded.byId, score);
      const base: Recommendation = summary ?? {
        ruleId,
        title: rule!.title,
        severity: rule!.severity,
        cloud: rule!.cloud,
        control: rule!.control,
        status: 'not_applicable',
        failing: 0,
        passing: 0,
        exempt: 0,
        notApplicable: 0,
        potentialIncrease: 0,
        scoreShare: 0,
        rank: null,
        remediation: rule!.remediation.text,
      };
      const judged = (f: ViewFinding) => f.status === 'fail' || f.status === 'pass';
      return {
        ...base,
        description: rule?.description ?? '',
        resourceTypes: rule?.resource_types ?? [],
        mappings: (rule?.mappings ?? {}) as Record<string, string[]>,
        references: rule?.references ?? [],
        remediationSteps: rule?.remediation ?? { text: '' },
        assessments: current,
        resources: {
          failing: mine.filter((f) => f.status === 'fail' && !f.exemption).map(findingView),
          passing: mine.filter((f) => f.status === 'pass' && !f.exemption).map(findingView),
          exempt: mine.filter((f) => judged(f) && f.exemption).map(findingView),
          notApplicable: mine.filter((f) => !judged(f)).map(findingView),
        },
      };
    },
  );
};
