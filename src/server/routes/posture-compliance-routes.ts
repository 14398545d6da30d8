/**
 * Regulatory compliance over the latest assessments: each standard's passed, failed and not
 * assessed controls; one standard's controls with their mapped rules; one control's resources.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { isScored } from '../../posture/secure-score.js';
import { scopeFilter } from '../auth/scope-filter.js';
import type { FastifyRequest } from 'fastify';
import { HttpError } from '../http-error.js';
import { complianceOf, currentAssessments, findingView, scopedFindings } from '../posture-view.js';
import type { PostureOptions } from './posture-routes.js';
import { CurrentAssessmentSchema, FindingSchema, SourceQueryField } from './posture-schemas.js';

const State = Type.Union(
  ['passed', 'failed', 'not_assessed', 'manual'].map((s) => Type.Literal(s)),
);

const ControlSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  state: State,
  rules: Type.Array(Type.String()),
  failing: Type.Integer({ description: 'failing checks (one rule on one resource)' }),
  passing: Type.Integer({ description: 'passing checks (one rule on one resource)' }),
});

const StandardSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  passed: Type.Integer(),
  failed: Type.Integer(),
  notAssessed: Type.Integer({
    description: 'controls whose rules judged nothing in this input (the manual ones apart)',
  }),
  manual: Type.Integer({ description: 'controls no Palisade rule checks: to be assessed by hand' }),
});

const StandardParams = Type.Object({ standardId: Type.String({ minLength: 1, maxLength: 100 }) });

export const postureComplianceRoutes: FastifyPluginAsyncTypebox<PostureOptions> = async (
  app,
  opts,
) => {
  const { db } = app.palisade;
  const { rules } = opts.posture;

  async function view(request: FastifyRequest, source?: string) {
    const current = await currentAssessments(db, source, scopeFilter(request));
    const findings = await scopedFindings(
      db,
      current.map((c) => c.id),
      scopeFilter(request),
    );
    const loaded = await rules();
    return { current, findings, standards: await complianceOf(findings, loaded), loaded };
  }

  function standardOr404<T extends { id: string }>(standards: T[], id: string): T {
    const found = standards.find((s) => s.id === id);
    if (!found) throw new HttpError(404, 'NOT_FOUND', `no standard ${id}`);
    return found;
  }

  app.get(
    '/compliance',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'Every regulatory standard: controls passed, failed and not assessed',
        tags: ['compliance'],
        querystring: Type.Object({ ...SourceQueryField }),
        response: {
          200: Type.Object({
            assessments: Type.Array(CurrentAssessmentSchema),
            standards: Type.Array(StandardSummary),
          }),
        },
      },
    },
    async (request) => {
      const { current, standards } = await view(request, request.query.source);
      return {
        assessments: current,
        standards: standards.map(({ id, name, passed, failed, notAssessed, manual }) => ({
          id,
          name,
          passed,
          failed,
          notAssessed,
          manual,
        })),
      };
    },
  );

  app.get(
    '/compliance/:standardId',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: "One standard's controls with their state and mapped rules",
        tags: ['compliance'],
        params: StandardParams,
        querystring: Type.Object({ ...SourceQueryField }),
        response: {
          200: Type.Intersect([
            StandardSummary,
            Type.Object({ controls: Type.Array(ControlSchema) }),
          ]),
        },
      },
    },
    async (request) => {
      const { standards } = await view(request, request.query.source);
      return standardOr404(standards, request.params.standardId);
    },
  );

  app.get(
    '/compliance/:standardId/controls/:controlId',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary: 'One control of a standard and the findings behind its state',
        tags: ['compliance'],
        params: Type.Object({
          standardId: Type.String({ minLength: 1, maxLength: 100 }),
          controlId: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        querystring: Type.Object({ ...SourceQueryField }),
        response: {
          200: Type.Intersect([
            ControlSchema,
            Type.Object({ standard: Type.String(), findings: Type.Array(FindingSchema) }),
          ]),
        },
      },
    },
    async (request) => {
      const { standards, findings } = await view(request, request.query.source);
      const standard = standardOr404(standards, request.params.standardId);
      const control = standard.controls.find((c) => c.id === request.params.controlId);
      if (!control) {
        throw new HttpError(
          404,
          'NOT_FOUND',
          `no control ${request.params.controlId} in ${standard.id}`,
        );
      }
      const mapped = new Set(control.rules);
      const behind = findings.filter((f) => mapped.has(f.ruleId) && (isScored(f) || f.exemption));
      // Failures first, then by rule and resource.
      behind.sort(
        (a, b) =>
          Number(b.status === 'fail' && !b.exemption) -
            Number(a.status === 'fail' && !a.exemption) ||
          a.ruleId.localeCompare(b.ruleId) ||
          a.resourceId.localeCompare(b.resourceId),
      );
      return { ...control, standard: standard.id, findings: behind.map(findingView) };
    },
  );
};
