/** A user's API tokens do not outlive the user's access: disabling revokes them, demoting caps them. */

import { afterEach, describe, expect, it } from 'vitest';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { startHarness, type Harness } from './harness.js';

async function tokenOf(h: Harness, username: string, role: 'owner' | 'security-admin' | 'reader') {
  const made = await h.db
    .transaction()
    .execute((trx) =>
      insertToken(
        trx,
        { name: `${username}-${role}`, role, scopes: [], createdBy: `user:${username}` },
        new Date(),
      ),
    );
  return made.secret;
}

const me = (h: Harness, token: string) =>
  h.app.inject({ url: '/api/v1/auth/me', headers: { authorization: `Bearer ${token}` } });

describe('tokens follow their user', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('revokes every token of a user who is disabled', async () => {
    h = await startHarness();
    const id = await h.user('dana', 'correct horse battery staple', 'security-admin');
    const dana = await tokenOf(h, 'dana', 'security-admin');
    expect((await me(h, dana)).statusCode).toBe(200);
    const owner = await h.token('owner');
    const disabled = await h.app.inject({
      method: 'POST',
      url: `/api/v1/users/${id}/disable`,
      headers: { authorization: `Bearer ${owner}` },
    });
    expect(disabled.statusCode).toBe(200);
    expect((await me(h, dana)).statusCode).toBe(401);
  });

  it('revokes the tokens above a demoted user’s new role and keeps the rest', async () => {
    h = await startHarness();
    await h.user('olga', 'another long passphrase here', 'owner');
    const id = await h.user('omar', 'correct horse battery staple', 'owner');
    const strong = await tokenOf(h, 'omar', 'owner');
    const weak = await tokenOf(h, 'omar', 'reader');
    const owner = await h.token('owner');
    const demoted = await h.app.inject({
      method: 'PUT',
      url: `/api/v1/users/${id}/role`,
      headers: { authorization: `Bearer ${owner}` },
      payload: { role: 'security-admin' },
    });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect((await me(h, strong)).statusCode).toBe(401);
    expect((await me(h, weak)).statusCode).toBe(200);
  });
});

describe('a role change', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('keeps the user’s scopes unless it names new ones', async () => {
    h = await startHarness();
    const owner = await h.token('owner');
    const call = (token: string, method: 'POST' | 'PUT', url: string, payload: object) =>
      h.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, payload });
    const made = await call(owner, 'POST', '/api/v1/users', {
      username: 'scoped2',
      password: 'scoped-passphrase-123',
      role: 'reader',
      scopes: ['999999999999'],
    });
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as string;

    // As the console's role menu sends it: the role alone.
    const promoted = await call(owner, 'PUT', `/api/v1/users/${id}/role`, {
      role: 'security-operator',
    });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect(promoted.json()).toMatchObject({ role: 'security-operator', scopes: ['999999999999'] });
    // Its audit entry names the request by an id no restart repeats.
    const entry = await h.db
      .selectFrom('audit_log')
      .select('request_id')
      .where('action', '=', 'user.role.change')
      .executeTakeFirstOrThrow();
    expect(entry.request_id).toMatch(
      /^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );

    // A Security Admin scoped to that account may change the role the same way.
    const admin = await h.token('security-admin', ['999999999999']);
    const back = await call(admin, 'PUT', `/api/v1/users/${id}/role`, { role: 'reader' });
    expect(back.statusCode, back.body).toBe(200);
    expect(back.json()).toMatchObject({ role: 'reader', scopes: ['999999999999'] });

    // Widening to every account takes saying so, and a caller who may.
    const widened = await call(owner, 'PUT', `/api/v1/users/${id}/role`, {
      role: 'reader',
      scopes: [],
    });
    expect(widened.json()).toMatchObject({ scopes: [] });
  });
});
