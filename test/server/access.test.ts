import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/server/auth/passwords.js';
import { startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
let h: Harness;
afterEach(() => h?.close());

/** Every text value in every table of the store, to search for secrets at rest. */
async function storeText(harness: Harness): Promise<string> {
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table'`.execute(harness.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql.raw(`select * from "${name}"`).execute(harness.db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

function cookieHeader(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

async function login(harness: Harness, username: string, password: string) {
  return harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
}

describe('API tokens', () => {
  it('are 256-bit random, shown once, and stored only as their SHA-256', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${admin}` },
      payload: { name: 'ci', role: 'reader', scopes: ['111122223333'], expiresInDays: 30 },
    });
    expect(res.statusCode).toBe(201);
    const { token, id } = res.json();
    expect(token).toMatch(/^pal_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token.slice(4), 'base64url')).toHaveLength(32);

    const text = await storeText(h);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(4));
    const row = await h.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toBe(createHash('sha256').update(token).digest('hex'));
    expect(row.scopes).toBe('["111122223333"]');

    const list = await h.app.inject({
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(list.body).not.toContain(token);
    expect(list.body).not.toContain(row.token_hash);

    const me = await h.app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.json()).toMatchObject({ kind: 'token', role: 'reader', scopes: ['111122223333'] });
    const used = await h.db
      .selectFrom('api_tokens')
      .select('last_used_at')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(used.last_used_at).not.toBeNull();
  });

  it('stop working once revoked or expired', async () => {
    const clock = {
      t: Date.parse('2026-03-01T00:00:00Z'),
      now() {
        return new Date(this.t);
      },
    };
    h = await startHarness({ clock });
    const owner = await h.token('owner');
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: { authorization: `Bearer ${owner}` },
      payload: { name: 'short', role: 'reader', expiresInDays: 1 },
    });
    const { token, id } = made.json();
    const me = () =>
      h.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect((await me()).statusCode).toBe(200);
    clock.t += 86_400_000 + 1;
    expect((await me()).statusCode).toBe(401);

    const other = (
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${owner}` },
        payload: { name: 'revoked', role: 'reader' },
      })
    ).json();
    const revoke = await h.app.inject({
      method: 'DELETE',
      url: `/api/v1/tokens/${other.id}`,
      headers: { authorization: `Bearer ${owner}` },
    });
    expect(revoke.json().revokedAt).not.toBeNull();
    const after = await h.app.inject({
      url: '/api/v1/auth/me',
      headers: { authorization: `Bearer ${other.token}` },
    });
    expect(after.statusCode).toBe(401);
    expect(id).not.toBe(other.id);
  });

  it('never carry a role or scope wider than their creator may grant', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const scopedAdmin = await h.token('security-admin', ['sub-a']);
    const post = (bearer: string, payload: object) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { authorization: `Bearer ${bearer}` },
        payload,
      });
    expect((await post(admin, { name: 'x', role: 'owner' })).statusCode).toBe(403);
    expect((await post(scopedAdmin, { name: 'x', role: 'reader' })).statusCode).toBe(403);
    expect(
      (await post(scopedAdmin, { name: 'x', role: 'reader', scopes: ['sub-a', 'sub-b'] }))
        .statusCode,
    ).toBe(403);
    expect(
      (await post(scopedAdmin, { name: 'x', role: 'reader', scopes: ['sub-a'] })).statusCode,
    ).toBe(201);
  });
});

describe('passwords', () => {
  it('are hashed with scrypt and a per-user salt, and verify only the right password', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(PASSWORD + ' ', a)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'scrypt$bad')).toBe(false);
  });

  it('never reach the store in clear, and a user created through the API can log in', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${admin}` },
      payload: { username: 'ana', password: PASSWORD, role: 'security-operator' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.body).not.toContain('scrypt');
    expect(await storeText(h)).not.toContain(PASSWORD);
    expect((await login(h, 'ana', PASSWORD)).statusCode).toBe(200);
    expect((await login(h, 'ana', 'wrong password here')).statusCode).toBe(401);
    const short = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${admin}` },
      payload: { username: 'bo', password: 'short', role: 'reader' },
    });
    expect(short.statusCode).toBe(400);
  });
});

describe('console sessions', () => {
  it('set an HttpOnly, SameSite=Strict session cookie, not Secure without TLS', async () => {
    h = await startHarness();
    await h.user('ana', PASSWORD, 'reader');
    const res = await login(h, 'ana', PASSWORD);
    const cookies = res.cookies;
    const session = cookies.find((c) => c.name === 'palisade_session')!;
    const csrf = cookies.find((c) => c.name === 'palisade_csrf')!;
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(session.secure).toBeFalsy();
    expect(csrf.httpOnly).toBeFalsy();
    expect(csrf.value).toBe(res.json().csrfToken);

    const text = await storeText(h);
    expect(text).not.toContain(session.value);
    expect(text).not.toContain(csrf.value);

    const me = await h.app.inject({
      url: '/api/v1/auth/me',
      headers: { cookie: cookieHeader(res.headers['set-cookie']) },
    });
    expect(me.json()).toMatchObject({ kind: 'user', name: 'ana', role: 'reader' });
  });

  it('reject unsafe cookie requests without the matching CSRF header', async () => {
    h = await startHarness();
    await h.user('root', PASSWORD, 'owner');
    const first = await login(h, 'root', PASSWORD);
    const second = await login(h, 'root', PASSWORD);
    const cookie = cookieHeader(first.headers['set-cookie']);
    const csrf = first.json().csrfToken;
    const create = (headers: Record<string, string>) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers,
        payload: {
          username: `u${Math.random().toString(36).slice(2, 8)}`,
          password: PASSWORD,
          role: 'reader',
        },
      });

    const missing = await create({ cookie });
    expect(missing.statusCode).toBe(403);
    expect(missing.json().code).toBe('CSRF');
    expect((await create({ cookie, 'x-csrf-token': 'forged' })).statusCode).toBe(403);
    // Another session's token does not fit this session.
    const foreign = second.json().csrfToken;
    const mixed = cookie.replace(csrf, foreign);
    expect((await create({ cookie: mixed, 'x-csrf-token': foreign })).statusCode).toBe(403);
    // Header without the cookie copy fails the double submit.
    const sessionOnly = cookie
      .split('; ')
      .filter((c) => c.startsWith('palisade_session'))
      .join('');
    expect((await create({ cookie: sessionOnly, 'x-csrf-token': csrf })).statusCode).toBe(403);
    expect((await create({ cookie, 'x-csrf-token': csrf })).statusCode).toBe(201);
    // Reads need no CSRF token.
    expect((await h.app.inject({ url: '/api/v1/users', headers: { cookie } })).statusCode).toBe(
      200,
    );
  });

  it('end at logout and when the user is disabled', async () => {
    h = await startHarness();
    await h.user('root', PASSWORD, 'owner');
    const anaId = await h.user('ana', PASSWORD, 'reader');
    const root = await login(h, 'root', PASSWORD);
    const rootHeaders = {
      cookie: cookieHeader(root.headers['set-cookie']),
      'x-csrf-token': root.json().csrfToken,
    };
    const ana = await login(h, 'ana', PASSWORD);
    const anaCookie = cookieHeader(ana.headers['set-cookie']);

    const disable = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${anaId}/disable`,
      headers: rootHeaders,
    });
    expect(disable.json().disabled).toBe(true);
    expect(
      (await h.app.inject({ url: '/api/v1/auth/me', headers: { cookie: anaCookie } })).statusCode,
    ).toBe(401);
    expect((await login(h, 'ana', PASSWORD)).statusCode).toBe(401);

    const logout = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: rootHeaders,
    });
    expect(logout.statusCode).toBe(204);
    expect((await h.app.inject({ url: '/api/v1/auth/me', headers: rootHeaders })).statusCode).toBe(
      401,
    );
  });

  it('keep the last enabled owner: it cannot be demoted or disabled', async () => {
    h = await startHarness();
    const rootId = await h.user('root', PASSWORD, 'owner');
    const other = await h.token('owner');
    const demote = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${rootId}/role`,
      headers: { authorization: `Bearer ${other}` },
      payload: { role: 'reader' },
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json().code).toBe('LAST_OWNER');
    const admin = await h.token('security-admin');
    const byAdmin = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${rootId}/disable`,
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(byAdmin.statusCode).toBe(403);
  });
});

describe('login', () => {
  it('is rate limited per address, even for the right password; failures and the throttled try are audited', async () => {
    h = await startHarness({
      config: (c) => (c.auth.loginRateLimit = { max: 3, windowSeconds: 60 }),
    });
    await h.user('ana', PASSWORD, 'reader');
    const codes: number[] = [];
    for (let i = 0; i < 3; i++) codes.push((await login(h, 'ana', 'not the password')).statusCode);
    codes.push((await login(h, 'ana', PASSWORD)).statusCode);
    expect(codes).toEqual([401, 401, 401, 429]);
    const failures = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.login')
      .execute();
    // The refusal is an auth.login entry (sampled per address: see audit-gaps.test.ts).
    expect(failures.map((f) => f.outcome)).toEqual(['failure', 'failure', 'failure', 'denied']);
    const limited = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'http.post')
      .execute();
    expect(limited).toEqual([]);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    h = await startHarness();
    await h.user('ana', PASSWORD, 'reader');
    const unknown = await login(h, 'nobody', PASSWORD);
    const wrong = await login(h, 'ana', 'not the password');
    expect(unknown.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });
});

describe('API responses and caches', () => {
  it('marks API answers no-store', async () => {
    const h = await startHarness();
    try {
      const res = await h.app.inject({
        url: '/api/v1/auth/me',
        headers: { authorization: `Bearer ${await h.token('reader')}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
    } finally {
      await h.close();
    }
  });
});
