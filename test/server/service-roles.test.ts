/**
 * Machine roles, for tokens only: `ingest` sends events and nothing else (a log shipper's token
 * cannot read or dismiss alerts), `metrics` reads /metrics and nothing else (a scraper's token
 * reads no alert, finding or export). People cannot hold them.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

describe('the ingest and metrics roles', () => {
  let h: Harness;
  let owner: string;
  beforeAll(async () => {
    h = await startHarness();
    owner = await h.token('owner');
  });
  afterAll(() => h.close());

  const call = (
    token: string,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    payload?: object | string,
  ) =>
    h.app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${token}`,
        ...(typeof payload === 'string' ? { 'content-type': 'application/x-ndjson' } : {}),
      },
      payload,
    });

  const tokenOf = async (role: string) => {
    const made = await call(owner, 'POST', '/api/v1/tokens', { name: `${role}-token`, role });
    expect(made.statusCode, made.body).toBe(201);
    return made.json().token as string;
  };

  it('lets an ingest token send events and do nothing else', async () => {
    const ingest = await tokenOf('ingest');
    const line =
      'Dec  5 10:00:00 web1 sshd[1]: Failed password for root from 198.51.100.7 port 22 ssh2';
    const sent = await call(ingest, 'POST', '/api/v1/events?type=syslog', line + '\n');
    expect(sent.statusCode).toBe(202);
    for (const url of ['/api/v1/alerts', '/api/v1/score', '/api/v1/exports', '/metrics']) {
      expect((await call(ingest, 'GET', url)).statusCode, url).toBe(403);
    }
    expect((await call(ingest, 'GET', '/api/v1/auth/me')).json()).toMatchObject({ role: 'ingest' });
  });

  it('lets a metrics token read /metrics and nothing else', async () => {
    const metrics = await tokenOf('metrics');
    expect((await call(metrics, 'GET', '/metrics')).statusCode).toBe(200);
    for (const url of ['/api/v1/alerts', '/api/v1/exports', '/api/v1/automations']) {
      expect((await call(metrics, 'GET', url)).statusCode, url).toBe(403);
    }
    const sent = await call(metrics, 'POST', '/api/v1/events?type=syslog', 'x\n');
    expect(sent.statusCode).toBe(403);
  });

  it('gives no person a machine role', async () => {
    const made = await call(owner, 'POST', '/api/v1/users', {
      username: 'shipper',
      password: 'a long enough password 1',
      role: 'ingest',
    });
    expect(made.statusCode).toBe(400);
  });

  it("revokes a demoted admin's ingest token, not its metrics token", async () => {
    const id = await h.user('ops-admin', 'a long enough password 2', 'security-admin');
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'ops-admin', password: 'a long enough password 2' },
    });
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = login.json().csrfToken as string;
    const mint = async (role: string) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { cookie, 'x-csrf-token': csrf },
        payload: { name: `${role}-of-admin`, role },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().token as string;
    };
    const ingest = await mint('ingest');
    const metrics = await mint('metrics');
    const demoted = await call(owner, 'PUT', `/api/v1/users/${id}/role`, {
      role: 'reader',
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect((await call(ingest, 'GET', '/api/v1/auth/me')).statusCode).toBe(401);
    expect((await call(metrics, 'GET', '/metrics')).statusCode).toBe(200);
  });
});
