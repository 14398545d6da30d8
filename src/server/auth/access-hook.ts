/**
 * Zero Trust for every route, in one place: at registration each route must declare a
 * permission or be explicitly public; on each request the caller is authenticated (bearer API
 * token or session cookie), cookie callers pass a CSRF check on unsafe methods, and the role
 * must hold the route's permission. Nothing here is repeated in handlers.
 */

import type {} from '@fastify/cookie';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteRecord } from '../fastify-types.js';
import { auditRequest, type AuditFields } from '../audited-change.js';
import { forbidden, HttpError, unauthorized } from '../http-error.js';
import { findLiveSession, touchSession } from '../identity/session-repository.js';
import { findLiveToken, touchToken } from '../identity/token-repository.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from './cookies.js';
import { hasPermission, isRole } from './permissions.js';
import { RefusalSampler } from './refusal-sampler.js';
import type { Principal } from './principal.js';
import { digest, safeEqual } from './secrets.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const ERROR_SCHEMA = {
  type: 'object',
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string' },
    error: { type: 'string' },
    message: { type: 'string' },
  },
};

/** Registers the route census and the access check on `app` (before any route). */
export function installAccessControl(app: FastifyInstance): void {
  app.decorate('routeCensus', [] as RouteRecord[]);
  app.decorateRequest('principal', null);
  app.decorateRequest('audited', false);

  app.addHook('onRoute', (route) => {
    const config = (route.config ?? {}) as { permission?: string; public?: boolean };
    const isPublic = config.public === true;
    if (!isPublic && !config.permission) {
      throw new Error(
        `route ${route.method} ${route.url} declares neither a permission nor public`,
      );
    }
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) {
      app.routeCensus.push({
        method,
        url: route.url,
        permission: isPublic ? null : (config.permission as RouteRecord['permission']),
        public: isPublic,
      });
    }
    if (isPublic || route.schema === undefined) return;
    // The OpenAPI document states what every protected route requires.
    const schema = route.schema as Record<string, unknown>;
    schema.security = [{ bearerAuth: [] }, { sessionCookie: [] }];
    const responses = (schema.response ?? {}) as Record<string, unknown>;
    responses[401] ??= { description: 'no valid credentials', ...ERROR_SCHEMA };
    responses[403] ??= {
      description: `the role lacks ${config.permission}, or the CSRF token is missing`,
      ...ERROR_SCHEMA,
    };
    schema.response = responses;
  });

  // Refused requests go on the audit record, sampled so that probing cannot flood it: per
  // caller (or, for a credential that is not valid, per address) the first refusal, then at most
  // one a minute counting those since.
  const refusals = new RefusalSampler({ windowMs: 60_000 });
  const auditRefusal = async (request: FastifyRequest, key: string, fields: AuditFields) => {
    const take = refusals.take(key, request.server.palisade.clock.now());
    if (!take) return;
    await auditRequest(request, {
      ...fields,
      outcome: 'denied',
      details: {
        ...fields.details,
        method: request.method,
        route: request.routeOptions.url ?? request.url.split('?')[0],
        refusedSinceLastEntry: take.unrecorded,
      },
    }).catch((error: unknown) => request.log.error({ err: error }, 'audit entry not written'));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config?.public === true) return;

    const principal = await authenticate(request);
    if (!principal) {
      // No credential at all is an ordinary 401 (a login page, a health probe); a credential that
      // does not hold is someone's token or cookie gone bad, or a guess.
      if (request.headers.authorization !== undefined || request.cookies[SESSION_COOKIE]) {
        await auditRefusal(request, `address:${request.ip}`, {
          action: 'auth.credential',
          outcome: 'denied',
          details: { reason: 'INVALID_CREDENTIAL' },
        });
      }
      reply.header('www-authenticate', 'Bearer realm="palisade"');
      throw unauthorized();
    }
    request.principal = principal;

    if (principal.sessionIdHash && !SAFE_METHODS.has(request.method)) checkCsrf(request);

    // Unknown routes carry no permission: authenticated callers get the 404 they would anyway.
    const permission = request.routeOptions.config?.permission;
    if (!permission && request.is404) return;
    if (!permission || !hasPermission(principal.role, permission)) {
      await auditRefusal(request, `${principal.kind}:${principal.id}`, {
        action: 'access.denied',
        outcome: 'denied',
        details: { role: principal.role, permission: permission ?? null },
      });
      throw forbidden(`role ${principal.role} lacks ${permission ?? 'a declared permission'}`);
    }
  });
}

/** The caller, from a bearer token or a session cookie; null when neither is valid. */
async function authenticate(request: FastifyRequest): Promise<Principal | null> {
  const { db, clock, config } = request.server.palisade;
  const now = clock.now();
  const header = request.headers.authorization;

  if (header !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) return null;
    const row = await findLiveToken(db, match[1], now);
    if (!row || !isRole(row.role)) return null;
    await touchToken(db, row, now);
    return {
      kind: 'token',
      id: row.id,
      name: row.name,
      role: row.role,
      scopes: JSON.parse(row.scopes),
    };
  }

  const secret = request.cookies?.[SESSION_COOKIE];
  if (!secret) return null;
  const idleMs = config.auth.sessionIdleMinutes * 60_000;
  const session = await findLiveSession(db, secret, now, idleMs);
  if (!session || !isRole(session.role)) return null;
  await touchSession(db, session, now);
  return {
    kind: 'user',
    id: session.user_id,
    name: session.username,
    role: session.role,
    scopes: JSON.parse(session.scopes),
    sessionIdHash: session.id_hash,
    csrfHash: session.csrf_hash,
  };
}

/** Double-submit check: the header equals the CSRF cookie, and both belong to this session. */
function checkCsrf(request: FastifyRequest): void {
  const header = request.headers[CSRF_HEADER];
  const cookie = request.cookies?.[CSRF_COOKIE];
  const expected = request.principal?.csrfHash;
  const valid =
    typeof header === 'string' &&
    typeof cookie === 'string' &&
    expected !== undefined &&
    safeEqual(header, cookie) &&
    safeEqual(digest(header), expected);
  if (!valid) throw new HttpError(403, 'CSRF', `missing or wrong ${CSRF_HEADER} header`);
}
