/**
 * Refused reads leave a trace, found by a penetration test: a Reader probing `/audit`, `/tokens`
 * and `/users` (403 each) and a bad token (401) added nothing to the audit log. Now the first
 * refusal of a caller (or of an address, for a credential that does not hold) is recorded, then
 * at most one a minute counting those since; a request with no credential at all stays out.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEntries, manualClock, startHarness, type Harness } from './harness.js';

describe('refused requests in the audit log', () => {
  let h: Harness;
  const clock = manualClock('2026-12-05T10:00:00Z');
  beforeAll(async () => {
    h = await startHarness({ clock });
  });
  afterAll(() => h.close());

  const get = (url: string, authorization?: string) =>
    h.app.inject({
      method: 'GET',
      url: `/api/v1${url}`,
      headers: authorization ? { authorization } : {},
    });
  const entries = (action: string) => auditEntries(h.db, action);

  it('records a Reader probing for more, sampled per caller', async () => {
    const reader = `Bearer ${await h.token('reader')}`;
    for (const url of ['/audit', '/tokens', '/users']) {
      expect((await get(url, reader)).statusCode, url).toBe(403);
    }
    let denied = await entries('access.denied');
    expect(denied).toHaveLength(1);
    expect(denied[0]).toMatchObject({ outcome: 'denied', actor_kind: 'token' });
    expect(denied[0].details).toMatchObject({
      method: 'GET',
      route: '/api/v1/audit',
      role: 'reader',
      refusedSinceLastEntry: 0,
    });

    clock.advance(61_000);
    expect((await get('/users', reader)).statusCode).toBe(403);
    denied = await entries('access.denied');
    expect(denied).toHaveLength(2);
    expect(denied[1].details).toMatchObject({ route: '/api/v1/users', refusedSinceLastEntry: 2 });
  });

  it('records a credential that does not hold, but not a request without one', async () => {
    expect((await get('/alerts')).statusCode).toBe(401);
    expect(await entries('auth.credential')).toEqual([]);
    expect((await get('/alerts', 'Bearer plsd_not-a-real-token')).statusCode).toBe(401);
    const bad = await entries('auth.credential');
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ outcome: 'denied' });
    expect(bad[0].details).toMatchObject({ reason: 'INVALID_CREDENTIAL', route: '/api/v1/alerts' });
    expect(JSON.stringify(bad)).not.toContain('not-a-real-token');
  });
});
