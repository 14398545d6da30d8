/**
 * What-if through the API: before a rule moves to deny, the failing resources of the current
 * assessments (the latest of each source) and the recent admission requests it would deny.
 * A caller limited to accounts sees only its accounts' resources and no admission requests.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { UnknownRuleError, whatIf } from '../../enforce/whatif.js';
import { ruleCache } from '../posture-rules.js';
import { postureSettings } from '../posture-settings.js';
import { currentAssessments } from '../posture-view.js';
import { scopeFilter } from '../auth/scope-filter.js';
import { HttpError } from '../http-error.js';
import { TimeQueryField, timeBound } from './time-query.js';

const DAY_MS = 86_400_000;

const Resource = Type.Object({
  assessmentId: Type.String(),
  resourceId: Type.String(),
  resourceType: Type.String(),
  resourceName: Type.String(),
  account: Type.Union([Type.String(), Type.Null()]),
  file: Type.Union([Type.String(), Type.Null()]),
  line: Type.Union([Type.Integer(), Type.Null()]),
  message: Type.String(),
  exemption: Type.Union([Type.String(), Type.Null()]),
});

const WhatIfSchema = Type.Object({
  rule: Type.Object({
    id: Type.String(),
    title: Type.String(),
    severity: Type.String(),
    cloud: Type.String(),
  }),
  assessments: Type.Array(Type.Object({ id: Type.String(), finishedAt: Type.String() })),
  resources: Type.Array(Resource, { description: 'failing and not exempt: deny would stop these' }),
  exempt: Type.Array(Resource, { description: 'failing but exempt: deny lets these through' }),
  admission: Type.Object({
    since: Type.String({ format: 'date-time' }),
    examined: Type.Integer(),
    unjudged: Type.Integer(),
    wouldDeny: Type.Array(
      Type.Object({
        decisionId: Type.String(),
        uid: Type.String(),
        time: Type.String(),
        kind: Type.String(),
        namespace: Type.Union([Type.String(), Type.Null()]),
        name: Type.String(),
        operation: Type.String(),
        user: Type.String(),
        dryRun: Type.Boolean(),
        allowedThen: Type.Boolean(),
        modeThen: Type.String(),
        reason: Type.String(),
      }),
    ),
    note: Type.Union([Type.String(), Type.Null()]),
  }),
});

export const whatIfRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock, config } = app.palisade;
  const rules = ruleCache(postureSettings(config).ruleDirs);

  app.get(
    '/whatif',
    {
      config: { permission: 'posture:read' },
      schema: {
        summary:
          'What a rule would deny in deny mode: current resources and recent admission requests',
        tags: ['enforcement'],
        querystring: Type.Object({
          rule: Type.String({ minLength: 1, maxLength: 200 }),
          since: Type.Optional(
            TimeQueryField('since', 'admission requests from this time; default 7 days ago'),
          ),
        }),
        response: { 200: WhatIfSchema },
      },
    },
    async (request) => {
      const filter = scopeFilter(request);
      const since = request.query.since
        ? new Date(timeBound(request.query.since, 'since'))
        : new Date(clock.now().getTime() - 7 * DAY_MS);
      const current = await currentAssessments(db);
      try {
        const report = await whatIf({
          db,
          rules: (await rules()).rules,
          ruleId: request.query.rule,
          assessmentIds: current.map((c) => c.id),
          since,
          accountVisible: (account) => filter.allows(account),
        });
        if (!filter.unrestricted) {
          report.admission = { ...report.admission, examined: 0, unjudged: 0, wouldDeny: [] };
        }
        return report;
      } catch (error) {
        if (error instanceof UnknownRuleError)
          throw new HttpError(404, 'NO_SUCH_RULE', error.message);
        throw error;
      }
    },
  );
};
