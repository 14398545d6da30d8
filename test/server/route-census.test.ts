import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { buildServer } from '../../src/server/app.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { defaultConfig } from '../../src/server/config.js';
import { openStore } from '../../src/store/database.js';
import { hasPermission, ROLES, type Role } from '../../src/server/auth/permissions.js';
import type { RouteRecord } from '../../src/server/fastify-types.js';
import { startHarness, type Harness } from './harness.js';

const concrete = (url: string) => url.replace(/:[A-Za-z]+/g, 'census-id');

/** The least privileged role lacking the route's permission, if any role lacks it. */
function roleLacking(route: RouteRecord): Role | undefined {
  return ROLES.find((r) => !hasPermission(r, route.permission!));
}

describe('route census: every registered route', () => {
  let h: Harness;
  let protectedRoutes: RouteRecord[];
  beforeAll(async () => {
    h = await startHarness();
    protectedRoutes = h.app.routeCensus.filter((r) => !r.public);
  });
  afterAll(() => h.close());

  it('is public only for health, login and the console shell (when the console is built)', () => {
    const open = h.app.routeCensus.filter((r) => r.public).map((r) => `${r.method} ${r.url}`);
    // The console's page shell and hashed assets carry no data: the console reads everything
    // through the API, which stays closed. They exist only once `npm run build:web` has run.
    const shell = ['GET /', 'HEAD /', 'GET /assets/:name', 'HEAD /assets/:name'];
    const api = open.filter((r) => !shell.includes(r));
    expect(api.sort()).toEqual([
      'GET /api/v1/health',
      'HEAD /api/v1/health',
      'POST /api/v1/auth/login',
    ]);
    const served = open.filter((r) => shell.includes(r));
    expect(served.length === 0 || served.length === shell.length, served.join()).toBe(true);
    expect(protectedRoutes.length).toBeGreaterThanOrEqual(15);
  });

  it('answers 401 to every protected route without credentials, or with a bad token', async () => {
    for (const route of protectedRoutes) {
      for (const headers of [{}, { authorization: 'Bearer pal_not-a-real-token' }]) {
        const res = await h.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers,
        });
        expect(res.statusCode, `${route.method} ${route.url}`).toBe(401);
      }
    }
  });

  it('answers 403 to a role lacking the route permission', async () => {
    const tokens = Object.fromEntries(
      await Promise.all(ROLES.map(async (r) => [r, await h.token(r)] as const)),
    ) as Record<Role, string>;
    const everyone: string[] = [];
    for (const route of protectedRoutes) {
      const role = roleLacking(route);
      if (!role) {
        everyone.push(route.permission!);
        continue;
      }
      const res = await h.app.inject({
        method: route.method as 'GET',
        url: concrete(route.url),
        headers: { authorization: `Bearer ${tokens[role]}` },
      });
      expect(res.statusCode, `${route.method} ${route.url} as ${role}`).toBe(403);
      if (route.method !== 'HEAD') expect(res.json().code).toBe('FORBIDDEN');
    }
    // Only permissions every role holds escape the 403 check.
    expect([...new Set(everyone)].sort()).toEqual([
      'alerts:read',
      'api:read',
      'automation:read',
      'exports:read',
      'metrics:read',
      'posture:read',
      'self:read',
    ]);
  });

  it('records every denied change of a known caller, and none of the anonymous ones', async () => {
    const before = await h.db.selectFrom('audit_log').select('seq').execute();
    const unsafe = protectedRoutes.filter((r) => !['GET', 'HEAD'].includes(r.method));
    for (const route of unsafe) {
      await h.app.inject({ method: route.method as 'POST', url: concrete(route.url) });
    }
    const anonymous = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', before.length)
      .execute();
    // Anonymous refusals (401) are attributable to no one and would let anyone grow the log.
    expect(anonymous).toEqual([]);

    const reader = await h.token('reader');
    const lacking = unsafe.filter((r) => roleLacking(r) === 'reader');
    expect(lacking.length).toBeGreaterThan(5);
    for (const route of lacking) {
      await h.app.inject({
        method: route.method as 'POST',
        url: concrete(route.url),
        headers: { authorization: `Bearer ${reader}` },
      });
    }
    const denied = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', before.length)
      .execute();
    const deniedRoutes = denied
      .filter((d) => d.outcome === 'denied')
      .map((d) => JSON.parse(d.details).route);
    expect(deniedRoutes.sort()).toEqual(lacking.map((r) => r.url).sort());
  });

  it('refuses to register a route that declares neither a permission nor public', async () => {
    const db = await openStore(':memory:');
    const app = await buildServer({
      db,
      config: defaultConfig(),
      logger: pino({ level: 'silent' }),
      clock: { now: () => new Date() },
      serverKey: loadServerKey({ storeLocation: ':memory:' }),
    });
    try {
      expect(() => app.get('/api/v1/undeclared', async () => 'x')).toThrow(
        /declares neither a permission nor public/,
      );
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});
