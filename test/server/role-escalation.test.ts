/**
 * A Security Admin signed in to the console cannot make anyone, itself included, an Owner: not
 * by creating a user or a token, nor by changing a user's role; nothing is stored, and the same
 * requests from an Owner succeed.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';

let h: Harness;
let readerId: string;
let adminId: string;

/** The headers of a console session of `username`: its cookies and CSRF token. */
async function session(username: string): Promise<Record<string, string>> {
  const login = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password: PASSWORD },
  });
  expect(login.statusCode, login.body).toBe(200);
  const cookies = [login.headers['set-cookie'] ?? []].flat();
  return {
    cookie: cookies.map((c) => c.split(';')[0]).join('; '),
    'x-csrf-token': login.json().csrfToken,
  };
}

const send = (
  headers: Record<string, string>,
  method: 'POST' | 'PUT',
  url: string,
  payload: object,
) => h.app.inject({ method, url: `/api/v1${url}`, headers, payload });

async function roleOf(id: string): Promise<string> {
  const row = await h.db.selectFrom('users').select('role').where('id', '=', id).executeTakeFirst();
  return row!.role;
}

beforeAll(async () => {
  h = await startHarness();
  await h.user('root', PASSWORD, 'owner');
  adminId = await h.user('admin', PASSWORD, 'security-admin');
  readerId = await h.user('ana', PASSWORD, 'reader');
});
afterAll(() => h.close());

describe('role escalation by a Security Admin', () => {
  it('is refused with 403 when it creates an Owner user or token; nothing is stored', async () => {
    const admin = await session('admin');
    const user = await send(admin, 'POST', '/users', {
      username: 'new-owner',
      password: PASSWORD,
      role: 'owner',
    });
    expect(user.statusCode, user.body).toBe(403);
    expect(user.json().message).toBe('role security-admin cannot manage owner');
    const token = await send(admin, 'POST', '/tokens', { name: 'owner-token', role: 'owner' });
    expect(token.statusCode, token.body).toBe(403);

    const users = await h.db.selectFrom('users').select('username').execute();
    expect(users.map((u) => u.username)).not.toContain('new-owner');
    const tokens = await h.db.selectFrom('api_tokens').select('name').execute();
    expect(tokens.map((t) => t.name)).not.toContain('owner-token');
  });

  it("is refused with 403 when it raises another user's or its own role to Owner", async () => {
    const admin = await session('admin');
    const other = await send(admin, 'PUT', `/users/${readerId}/role`, { role: 'owner' });
    expect(other.statusCode, other.body).toBe(403);
    expect(await roleOf(readerId)).toBe('reader');
    const own = await send(admin, 'PUT', `/users/${adminId}/role`, { role: 'owner' });
    expect(own.statusCode, own.body).toBe(403);
    expect(await roleOf(adminId)).toBe('security-admin');
  });

  it('leaves an Owner free to make an Owner', async () => {
    const owner = await session('root');
    const raised = await send(owner, 'PUT', `/users/${readerId}/role`, { role: 'owner' });
    expect(raised.statusCode, raised.body).toBe(200);
    expect(await roleOf(readerId)).toBe('owner');
  });
});
