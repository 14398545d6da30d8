import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/server/auth/passwords.js';
import { startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h?.close());

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const PASSWORD = 'correct horse battery';

describe('usernames', () => {
  it('are one user whatever their case: stored lower-case, logged in with any case', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const create = (username: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: auth(admin),
        payload: { username, password: PASSWORD, role: 'reader' },
      });
    const made = await create('Ana.Lopez');
    expect(made.statusCode).toBe(201);
    expect(made.json().username).toBe('ana.lopez');
    const twin = await create('ANA.LOPEZ');
    expect(twin.statusCode).toBe(409);
    expect(twin.json()).toMatchObject({ code: 'USERNAME_TAKEN' });

    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'aNa.LoPeZ', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    expect(login.json().user.username).toBe('ana.lopez');
  });

  it('finds a user stored before names were lower-cased, and the store refuses a case twin', async () => {
    h = await startHarness();
    const now = new Date().toISOString();
    const row = {
      password_hash: await hashPassword(PASSWORD),
      role: 'reader',
      scopes: '[]',
      disabled: 0,
      created_at: now,
      updated_at: now,
      last_login_at: null,
    };
    await h.db
      .insertInto('users')
      .values({ ...row, id: 'legacy', username: 'Bob' })
      .execute();
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { username: 'bob', password: PASSWORD },
    });
    expect(login.statusCode).toBe(200);
    await expect(
      h.db
        .insertInto('users')
        .values({ ...row, id: 'twin', username: 'BOB' })
        .execute(),
    ).rejects.toThrow(/UNIQUE/i);
  });

  it('refuse control characters and over-long values, naming the field', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const user = (username: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/users',
        headers: auth(admin),
        payload: { username, password: PASSWORD, role: 'reader' },
      });
    for (const bad of ['ana\nroot', 'a'.repeat(65), 'ana\u0000']) {
      const res = await user(bad);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toMatch(/^body\/username /);
    }
  });
});

describe('token names', () => {
  it('refuse control characters and over-long values, naming the field', async () => {
    h = await startHarness();
    const admin = await h.token('security-admin');
    const token = (name: string) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: auth(admin),
        payload: { name, role: 'reader' },
      });
    for (const bad of ['ci\nforged log line', 'ci\u001b[31m', 'x\u0085', 'n'.repeat(129), '']) {
      const res = await token(bad);
      expect(res.statusCode, JSON.stringify(bad)).toBe(400);
      expect(res.json().message).toMatch(/^body\/name /);
    }
    const ok = await token('CI – nightly export ✓');
    expect(ok.statusCode).toBe(201);
    expect(ok.json().name).toBe('CI – nightly export ✓');
  });
});
