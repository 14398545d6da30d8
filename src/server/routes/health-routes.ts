/** `GET /api/v1/health`: public liveness and store check, for load balancers and probes. */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { VERSION } from '../../version.js';

const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')]),
  version: Type.String(),
});

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        summary: 'Whether the server and its store answer',
        tags: ['operations'],
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      try {
        await sql`select 1`.execute(app.palisade.db);
        return { status: 'ok' as const, version: VERSION };
      } catch {
        return reply.code(503).send({ status: 'unavailable', version: VERSION });
      }
    },
  );
};
