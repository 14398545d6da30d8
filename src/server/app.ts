/**
 * The Palisade HTTP server: Fastify with TypeBox schemas on every route, one access hook for
 * authentication, CSRF and RBAC, the audit hook, Prometheus metrics and the OpenAPI document.
 */

import { capConnectionsPerAddress, requireBodiesWithin } from './slow-clients.js';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { VERSION } from '../version.js';
import { installAccessControl } from './auth/access-hook.js';
import { CSRF_HEADER, SESSION_COOKIE } from './auth/cookies.js';
import { installAuditHook } from './audited-change.js';
import { ConfigError, type ServerConfig } from './config.js';
import { consolePlugin } from './console-plugin.js';
import './fastify-types.js';
import { installMetrics } from './metrics.js';
import { ingest } from './ingest/ingest-plugin.js';
import { admissionRoutes } from './routes/admission-routes.js';
import { alertRoutes } from './routes/alerts-routes.js';
import { assignmentRoutes } from './routes/assignment-routes.js';
import { auditRoutes } from './routes/audit-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { eventRoutes } from './routes/events-routes.js';
import { automationRoutes } from './routes/automation-routes.js';
import { exportRoutes } from './routes/export-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { incidentRoutes } from './routes/incidents-routes.js';
import { metricsRoutes, openApiRoutes } from './routes/operations-routes.js';
import { postureRoutes } from './routes/posture-routes.js';
import { tokenRoutes } from './routes/token-routes.js';
import { userRoutes } from './routes/user-routes.js';
import { whatIfRoutes } from './routes/whatif-routes.js';
import type { ServerDeps } from './server-deps.js';
import { installJsonBodyParser } from './json-body.js';
import { formatSchemaErrors } from './http-error.js';
import { TLS_POLICY } from './tls-policy.js';
import {
  closeQueryStrings,
  closeRequestBodies,
  requestValidatorCompiler,
} from './request-validation.js';

/** Prefix of every API route. */
export const API_PREFIX = '/api/v1';

function readTls(config: ServerConfig): { cert: Buffer; key: Buffer } | undefined {
  const tls = config.server.tls;
  if (!tls) return undefined;
  const read = (key: 'cert' | 'key') => {
    try {
      return readFileSync(tls[key]);
    } catch (error) {
      throw new ConfigError(
        `server.tls.${key}`,
        `cannot read ${tls[key]}: ${(error as Error).message}`,
      );
    }
  };
  return { cert: read('cert'), key: read('key') };
}

/**
 * During shutdown, answers in flight carry `Connection: close`, so keep-alive clients let go and
 * closing takes as long as the slowest request, not the keep-alive timeout.
 */
function closeConnectionsWhenClosing(app: FastifyInstance, tls: boolean): void {
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (request, reply) => {
    if (closing) reply.header('connection', 'close');
    // Served over TLS, a browser that once reached it must never fall back to plain HTTP.
    if (tls) reply.header('strict-transport-security', 'max-age=31536000');
    // Security data must not linger in browser or proxy caches.
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
  });
}

/**
 * Builds the server from explicit dependencies; call `listen` (or `inject` in tests) on it.
 *
 * ```ts
 * const app = await buildServer({ db, config, logger, clock: systemClock });
 * await app.listen({ host: config.server.host, port: config.server.port });
 * ```
 */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const { config } = deps;
  const https = readTls(config);
  const app = Fastify({
    loggerInstance: deps.logger,
    ...(https ? { https: { ...https, ...TLS_POLICY } } : {}),
    trustProxy: config.server.trustProxy,
    bodyLimit: 1024 * 1024,
    return503OnClosing: true,
    requestIdHeader: false,
    // Unique across restarts: audit entries name the request that made them (`req-1` again
    // after every start would make that name ambiguous).
    genReqId: () => `req-${randomUUID()}`,
    schemaErrorFormatter: formatSchemaErrors,
  }).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  capConnectionsPerAddress(app.server, config.server.maxConnectionsPerAddress ?? 100);
  requireBodiesWithin(app, (config.server.requestTimeoutSeconds ?? 60) * 1000);
  app.setValidatorCompiler(requestValidatorCompiler());
  closeQueryStrings(app);
  closeRequestBodies(app);
  installJsonBodyParser(app);
  app.decorate('palisade', deps);
  // Cookies must be parsed before the access hook reads the session cookie.
  await app.register(cookie);
  installAccessControl(app);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Palisade API',
        version: VERSION,
        description: 'Zero Trust security platform: posture, detection, access and audit.',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'API token (pal_...)' },
          sessionCookie: {
            type: 'apiKey',
            in: 'cookie',
            name: SESSION_COOKIE,
            description: `console session; unsafe methods also need the ${CSRF_HEADER} header`,
          },
        },
      },
    },
  });
  installAuditHook(app);
  closeConnectionsWhenClosing(app, https !== undefined);
  const metrics = installMetrics(app);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.code(status).send({
        statusCode: status,
        code: 'INTERNAL',
        error: 'Internal Server Error',
        message: 'the server could not answer; see its log',
      });
    }
    // Fastify's own words name no limit: say which one the body crossed.
    const limit = request.routeOptions.bodyLimit;
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' && limit !== undefined
        ? `the body is over this route's limit of ${limit} bytes`
        : error.message;
    return reply.code(status).send({
      statusCode: status,
      code: error.code ?? (status === 429 ? 'RATE_LIMITED' : 'BAD_REQUEST'),
      error: status === 429 ? 'Too Many Requests' : 'Request Error',
      message,
    });
  });

  await app.register(healthRoutes, { prefix: API_PREFIX });
  await app.register(authRoutes, { prefix: API_PREFIX });
  await app.register(userRoutes, { prefix: API_PREFIX });
  await app.register(tokenRoutes, { prefix: API_PREFIX });
  await app.register(auditRoutes, { prefix: API_PREFIX });
  await app.register(ingest);
  await app.register(eventRoutes, { prefix: API_PREFIX });
  await app.register(alertRoutes, { prefix: API_PREFIX });
  await app.register(incidentRoutes, { prefix: API_PREFIX });
  await app.register(postureRoutes, { prefix: API_PREFIX });
  await app.register(admissionRoutes, { prefix: API_PREFIX });
  await app.register(assignmentRoutes, { prefix: API_PREFIX });
  await app.register(whatIfRoutes, { prefix: API_PREFIX });
  await app.register(exportRoutes, { prefix: API_PREFIX });
  await app.register(automationRoutes, { prefix: API_PREFIX });
  await app.register(openApiRoutes, { prefix: API_PREFIX });
  await app.register(metricsRoutes(metrics));
  await app.register(consolePlugin);
  return app;
}
