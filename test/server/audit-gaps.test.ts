/**
 * Entries the audit log was missing: throttled logins (per address and per username, one entry a
 * window with the count of refusals in between), an exemption's justification and a deleted
 * source's paths.
 */

import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { auditEntries, manualClock, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const ESTATE = resolve('samples/estate/terraform');

let h: Harness;
afterEach(() => h?.close());

const entries = (action: string) => auditEntries(h.db, action);

const login = (username: string, password: string, address = '203.0.113.9') =>
  h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress: address,
    payload: { username, password },
  });

describe('throttled logins are on the record', () => {
  it('records the per-address limit (RATE_LIMITED), once a window with the count between', async () => {
    const clock = manualClock();
    h = await startHarness({
      clock,
      config: (c) => {
        c.auth.loginRateLimit = { max: 2, windowSeconds: 60 };
      },
    });
    await h.user('ana', PASSWORD, 'reader');
    expect((await login('ana', 'wrong-1')).statusCode).toBe(401);
    expect((await login('ana', 'wrong-2')).statusCode).toBe(401);
    for (let i = 0; i < 3; i++) {
      const refused = await login('ana', PASSWORD);
      expect(refused.statusCode).toBe(429);
      expect(refused.json().code).toBe('RATE_LIMITED');
    }
    let denied = (await entries('auth.login')).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ ip: '203.0.113.9', actor_kind: 'anonymous' });
    expect(denied[0].details).toEqual({ reason: 'RATE_LIMITED', refusedSinceLastEntry: 0 });

    // The sampler's window passes (the limiter's own clock has not): the next refusal is
    // recorded, counting the two in between.
    clock.advance(61_000);
    expect((await login('ana', PASSWORD)).statusCode).toBe(429);
    denied = (await entries('auth.login')).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(2);
    expect(denied[1].details).toEqual({ reason: 'RATE_LIMITED', refusedSinceLastEntry: 2 });
  });

  it('records the per-username limit (LOGIN_THROTTLED) with the username', async () => {
    h = await startHarness({
      config: (c) => {
        c.auth.loginRateLimit = { max: 1_000, windowSeconds: 60 };
        c.auth.usernameRateLimit = { max: 2, windowSeconds: 300 };
      },
    });
    await h.user('bob', PASSWORD, 'reader');
    await login('bob', 'wrong-1', '203.0.113.1');
    await login('bob', 'wrong-2', '203.0.113.2');
    const refused = await login('Bob', PASSWORD, '198.51.100.7');
    expect(refused.json().code).toBe('LOGIN_THROTTLED');
    expect((await login('bob', PASSWORD, '198.51.100.8')).statusCode).toBe(429);
    const denied = (await entries('auth.login')).filter((e) => e.outcome === 'denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ ip: '198.51.100.7' });
    expect(denied[0].details).toEqual({
      username: 'Bob',
      reason: 'LOGIN_THROTTLED',
      refusedSinceLastEntry: 0,
    });
  });
});

describe('posture changes carry their facts', () => {
  it("records an exemption's justification and a deleted source's paths", async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const headers = { authorization: `Bearer ${admin}` };
    const exemption = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exemptions',
      headers,
      payload: {
        rule: 'aws-s3-bucket-public-read',
        justification: 'Public website bucket; reviewed by the CISO.',
        category: 'mitigated',
        expires: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      },
    });
    expect(exemption.statusCode, exemption.body).toBe(201);
    const [created] = await entries('exemption.create');
    expect(created.details.justification).toBe('Public website bucket; reviewed by the CISO.');

    const source = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sources',
      headers,
      payload: { name: 'terraform', paths: [ESTATE], intervalMinutes: 60 },
    });
    expect(source.statusCode, source.body).toBe(201);
    const deleted = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/sources/${source.json().id}`,
      headers,
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    const [entry] = await entries('source.delete');
    expect(entry.details).toEqual({ name: 'terraform', paths: [ESTATE] });
  });
});
