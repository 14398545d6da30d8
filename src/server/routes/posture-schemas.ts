/** TypeBox schemas shared by the posture routes: severities, findings, sources, controls. */

import { Type } from '@sinclair/typebox';
import { SEVERITIES } from '../../model/rule.js';

export const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) =>
  Type.Union([t, Type.Null()]);

export const SeveritySchema = Type.Union(SEVERITIES.map((s) => Type.Literal(s)));

export const CloudSchema = Type.Union(
  ['aws', 'azure', 'gcp', 'kubernetes'].map((c) => Type.Literal(c)),
);

/**
 * `?status=` of the findings list: a verdict, or `exempt`. As in the scan's counts, a judged
 * finding (pass or fail) an exemption takes out of the score is exempt, not pass or fail.
 */
export const FindingStatusFilterSchema = Type.Union(
  ['pass', 'fail', 'not_applicable', 'error', 'exempt'].map((s) => Type.Literal(s)),
  {
    description:
      'pass, fail, not_applicable, error, or exempt (a pass or fail an exemption takes out of ' +
      'the score; pass and fail leave it out, as the score counts do)',
  },
);

/** `?source=` on posture routes: a source id or name; all sources when absent. */
export const SourceQueryField = {
  source: Type.Optional(
    Type.String({ minLength: 1, maxLength: 200, description: 'source id or name' }),
  ),
};

export const SourceRefSchema = Type.Union([
  Type.Object({ id: Type.String(), name: Type.String() }),
  Type.Null(),
]);

export const CurrentAssessmentSchema = Type.Object({
  id: Type.String(),
  startedAt: Type.String(),
  source: SourceRefSchema,
});

export const ExemptionInfoSchema = Type.Union([
  Type.Object({
    category: Type.String(),
    justification: Type.String(),
    source: Type.String(),
    expires: Type.Optional(Type.String()),
  }),
  Type.Null(),
]);

/** One finding as posture routes show it. */
export const FindingSchema = Type.Object({
  id: Type.Integer(),
  assessmentId: Type.String(),
  ruleId: Type.String(),
  resourceId: Type.String(),
  resourceType: Type.String(),
  resourceName: Type.String(),
  account: Nullable(Type.String()),
  status: Type.String(),
  severity: Type.String(),
  control: Type.String(),
  message: Type.String(),
  file: Nullable(Type.String()),
  line: Type.Union([Type.Integer(), Type.Null()]),
  exemption: ExemptionInfoSchema,
});

export const ControlScoreSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  maxScore: Type.Number(),
  currentScore: Type.Number(),
  healthy: Type.Integer(),
  unhealthy: Type.Integer(),
  notApplicable: Type.Integer(),
});

export const CountsSchema = Type.Object({
  pass: Type.Integer(),
  fail: Type.Integer(),
  notApplicable: Type.Integer(),
  error: Type.Integer(),
  exempt: Type.Integer(),
});
