/** `GET /metrics` (Prometheus text) and `GET /api/v1/openapi.json`, both behind credentials. */

import type {} from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { addDetectionMetrics, addIntakeMetrics, type ServerMetrics } from '../metrics.js';

/** Metrics for a Prometheus scraper holding a token with `metrics:read`. */
export function metricsRoutes(metrics: ServerMetrics): FastifyPluginAsync {
  return async (app) => {
    if (app.hasDecorator('ingest')) {
      addIntakeMetrics(metrics, () => app.ingest.service.stats().intakes);
      addDetectionMetrics(metrics, () => app.ingest.service.stats());
    }
    app.get(
      '/metrics',
      {
        config: { permission: 'metrics:read' },
        schema: {
          summary: 'Prometheus metrics',
          tags: ['operations'],
          produces: ['text/plain'],
          response: { 200: { type: 'string' } },
        },
      },
      async (_request, reply) => {
        reply.type(metrics.registry.contentType);
        return metrics.registry.metrics();
      },
    );
  };
}

/** The OpenAPI 3.1 document, generated from the route schemas. */
export const openApiRoutes: FastifyPluginAsync = async (app) => {
  app.get(
    '/openapi.json',
    {
      config: { permission: 'api:read' },
      schema: {
        summary: 'This API, as OpenAPI 3.1',
        tags: ['operations'],
        response: { 200: { type: 'object', additionalProperties: true } },
      },
    },
    async () => app.swagger(),
  );
};
