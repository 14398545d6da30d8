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
