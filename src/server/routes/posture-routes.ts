/**
 * The posture API in one plugin: it owns the continuous-assessment scheduler (started when the
 * server is ready, stopped when it closes) and registers the sources, assessments, score,
 * recommendations, compliance, inventory, findings and exemptions routes.
 */

import type { FastifyPluginAsync } from 'fastify';
import { AssessmentScheduler } from '../assessment-scheduler.js';
import { ruleCache, type PostureRules } from '../posture-rules.js';
import { postureSettings, type PostureSettings } from '../posture-settings.js';
import { assessmentRoutes } from './assessment-routes.js';
import { exemptionRoutes } from './exemption-routes.js';
import { postureComplianceRoutes } from './posture-compliance-routes.js';
import { postureFindingRoutes } from './posture-finding-routes.js';
import { postureRecommendationRoutes } from './posture-recommendation-routes.js';
import { postureResourceRoutes } from './posture-resource-routes.js';
import { postureScoreRoutes } from './posture-score-routes.js';
import { sourceRoutes } from './source-routes.js';

/** What every posture route shares. */
export interface PostureContext {
  scheduler: AssessmentScheduler;
  rules: () => Promise<PostureRules>;
  settings: PostureSettings;
}

/** Options of each posture sub-plugin. */
export interface PostureOptions {
  posture: PostureContext;
}

export const postureRoutes: FastifyPluginAsync = async (app) => {
  const settings = postureSettings(app.palisade.config);
  const rules = ruleCache(settings.ruleDirs);
  const { db, clock, logger } = app.palisade;
  const scheduler = new AssessmentScheduler({
    db,
    clock,
    logger,
    rules,
    exemptionsFile: settings.exemptionsFile,
    allowedRoots: settings.allowedRoots,
    ownFiles: settings.ownFiles,
  });
  app.addHook('onReady', async () => {
    await scheduler.start();
  });
  app.addHook('onClose', async () => {
    await scheduler.stop();
  });
  const posture: PostureContext = { scheduler, rules, settings };
  for (const routes of [
    sourceRoutes,
    assessmentRoutes,
    postureScoreRoutes,
    postureRecommendationRoutes,
    postureComplianceRoutes,
    postureResourceRoutes,
    postureFindingRoutes,
    exemptionRoutes,
  ]) {
    await app.register(routes, { posture });
  }
};
