import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { postureSettings } from '../../src/server/posture-settings.js';
import { defaultConfig } from '../../src/server/config.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function tokenIdOf(harness: Harness, name: string): Promise<string> {
  const row = await harness.db
    .selectFrom('api_tokens')
    .select('id')
    .where('name', '=', name)
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('an account-scoped Security Admin', () => {
  it('revokes only tokens inside its own scopes and grants no more than it has', async () => {
    h = await startHarness();
    const owner = await h.token('owner');
    const scopedAdmin = await h.token('security-admin', ['111111111111']);
    const make = async (name: string, role: string, scopes: string[]) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: auth(owner),
        payload: { name, role, scopes },
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const unscoped = await make('unscoped-reader', 'reader', []);
    const wider = await make('wider-operator', 'security-operator', [
      '111111111111',
      '222222222222',
    ]);
    const within = await make('within-reader', 'reader', ['111111111111']);

    const revoke = (id: string) =>
      h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${id}`, headers: auth(scopedAdmin) });
    const refusedUnscoped = await revoke(unscoped);
    expect(refusedUnscoped.statusCode).toBe(403);
    expect(refusedUnscoped.json().message).toMatch(/within your own/);
    expect((await revoke(wider)).statusCode).toBe(403);
    expect((await revoke(await tokenIdOf(h, 'test-owner'))).statusCode).toBe(403);
    const allowed = await revoke(within);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json().revokedAt).not.toBeNull();

    const stillActive = await h.db
      .selectFrom('api_tokens')
      .select(['name', 'revoked_at'])
      .where('id', 'in', [unscoped, wider])
      .execute();
    expect(stillActive.every((t) => t.revoked_at === null)).toBe(true);

    const grant = (payload: object) =>
      h.app.inject({ method: 'POST', url: '/api/v1/tokens', headers: auth(scopedAdmin), payload });
    expect((await grant({ name: 'all', role: 'reader', scopes: [] })).statusCode).toBe(403);
    expect(
      (await grant({ name: 'more', role: 'reader', scopes: ['111111111111', '3'] })).statusCode,
    ).toBe(403);
    expect(
      (await grant({ name: 'owner', role: 'owner', scopes: ['111111111111'] })).statusCode,
    ).toBe(403);
    expect(
      (await grant({ name: 'ok', role: 'security-admin', scopes: ['111111111111'] })).statusCode,
    ).toBe(201);

    const user = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: auth(scopedAdmin),
      payload: { username: 'wide', password: 'correct horse battery', role: 'reader', scopes: [] },
    });
    expect(user.statusCode).toBe(403);
  });
});

describe('source roots', () => {
  it('default to the folder the server was started in', () => {
    const settings = postureSettings(defaultConfig(), {}, '/srv/palisade');
    expect(settings.allowedRoots).toEqual(['/srv/palisade']);
    const configured = postureSettings(defaultConfig(), { PALISADE_SOURCE_ROOTS: '/a:/b' });
    expect(configured.allowedRoots).toEqual(['/a', '/b']);
  });

  it('refuse a path outside the working folder unless an operator allows it', async () => {
    const outside = mkdtempSync(join(tmpdir(), 'palisade-outside-'));
    try {
      h = await startHarness();
      const admin = await h.token('security-admin');
      const add = (name: string, path: string) =>
        h.app.inject({
          method: 'POST',
          url: '/api/v1/sources',
          headers: auth(admin),
          payload: { name, paths: [path] },
        });
      const refused = await add('etc', '/etc');
      expect(refused.statusCode).toBe(400);
      expect(refused.json()).toMatchObject({ code: 'BAD_PATH' });
      expect(refused.json().message).toMatch(
        /^\/etc is outside the folders sources may read \(.+\); .*PALISADE_SOURCE_ROOTS/,
      );
      expect((await add('tmp', outside)).statusCode).toBe(400);
      expect((await add('estate', resolve('samples/estate'))).statusCode).toBe(201);
      await h.close();

      h = await startHarness({ config: (c) => (c.posture = { allowedRoots: [outside] }) });
      const again = await h.token('security-admin');
      const inside = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sources',
        headers: auth(again),
        payload: { name: 'tmp', paths: [outside] },
      });
      expect(inside.statusCode, inside.body).toBe(201);
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});
