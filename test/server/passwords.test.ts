/**
 * Passwords after the first: a user changes their own (the current one required, the new one
 * under the creation policy), an admin resets another's (their sessions and tokens end), a
 * disabled user is enabled again, passwords compare in any Unicode form, and the first Owner's
 * password file goes once that password is changed.
 */

import { randomBytes, scryptSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/server/auth/passwords.js';
import {
  bootstrapOwner,
  ownerPasswordPath,
  writeOwnerPassword,
} from '../../src/server/bootstrap-owner.js';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { auditEntries, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'a brand new passphrase';

let h: Harness;
afterEach(() => h?.close());

function cookieOf(setCookie: string | string[] | undefined): string {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  return list.map((c) => c.split(';')[0]).join('; ');
}

async function login(username: string, password: string) {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username, password },
  });
  if (res.statusCode !== 200) return { status: res.statusCode, headers: {} };
  const cookie = cookieOf(res.headers['set-cookie']);
  return { status: 200, headers: { cookie, 'x-csrf-token': res.json().csrfToken as string } };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const entries = (action: string) => auditEntries(h.db, action);

describe('changing your own password', () => {
  it('needs the current password, applies the policy, and ends your other sessions', async () => {
    h = await startHarness();
    const id = await h.user('ana', PASSWORD, 'reader');
    const here = await login('ana', PASSWORD);
    const elsewhere = await login('ana', PASSWORD);
    const change = (payload: object) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: here.headers,
        payload,
      });

    const wrong = await change({ currentPassword: 'not it at all', newPassword: NEW_PASSWORD });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json().code).toBe('WRONG_PASSWORD');
    const short = await change({ currentPassword: PASSWORD, newPassword: 'short' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('body/newPassword');
    const blank = await change({ currentPassword: PASSWORD, newPassword: ' '.repeat(14) });
    expect(blank.json().code).toBe('BAD_PASSWORD');

    const done = await change({ currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(done.statusCode, done.body).toBe(204);
    expect((await login('ana', PASSWORD)).status).toBe(401);
    expect((await login('ana', NEW_PASSWORD)).status).toBe(200);
    const me = (headers: object) =>
      h.app.inject({ url: '/api/v1/auth/me', headers: headers as Record<string, string> });
    expect((await me(here.headers)).statusCode).toBe(200);
    expect((await me(elsewhere.headers)).statusCode).toBe(401);

    const audit = await entries('user.password.change');
    expect(audit.map((e) => e.outcome)).toEqual(['failure', 'success']);
    expect(audit[1]).toMatchObject({ target_id: id, actor_kind: 'user', actor_id: id });
  });

  it('is refused to an API token, which has no password', async () => {
    h = await startHarness();
    const token = await h.token('reader');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: bearer(token),
      payload: { currentPassword: PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(res.statusCode).toBe(403);
  });
});

describe('resetting another user’s password', () => {
  it('sets it, ends their sessions, revokes their tokens, and follows who may manage whom', async () => {
    h = await startHarness();
    const bob = await h.user('bob', PASSWORD, 'security-operator');
    const olga = await h.user('olga', PASSWORD, 'owner');
    const session = await login('bob', PASSWORD);
    const { secret: bobToken, token } = await h.db
      .transaction()
      .execute((trx) =>
        insertToken(
          trx,
          { name: 'bob', role: 'reader', scopes: [], createdBy: `user:${bob}` },
          new Date(),
        ),
      );
    const admin = await h.token('security-admin');
    const reset = (id: string, password: string) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/users/${id}/password`,
        headers: bearer(admin),
        payload: { password },
      });

    expect((await reset(olga, NEW_PASSWORD)).statusCode).toBe(403);
    expect((await reset(bob, 'too short')).statusCode).toBe(400);
    const done = await reset(bob, NEW_PASSWORD);
    expect(done.statusCode, done.body).toBe(200);

    expect((await login('bob', PASSWORD)).status).toBe(401);
    expect((await login('bob', NEW_PASSWORD)).status).toBe(200);
    const me = await h.app.inject({ url: '/api/v1/auth/me', headers: session.headers });
    expect(me.statusCode).toBe(401);
    const byToken = await h.app.inject({ url: '/api/v1/auth/me', headers: bearer(bobToken) });
    expect(byToken.statusCode).toBe(401);

    const [entry] = await entries('user.password.reset');
    expect(entry.details).toEqual({ username: 'bob', revokedTokens: [token.id] });
    const [revoked] = await entries('token.revoke');
    expect(revoked.details.revokedWith).toEqual({
      kind: 'user',
      id: bob,
      action: 'user.password.reset',
    });
  });
});

describe('enabling a disabled user', () => {
  it('enables through /enable, and /disable refuses {"disabled": false} and other bodies', async () => {
    h = await startHarness();
    const id = await h.user('cara', PASSWORD, 'reader');
    const owner = await h.token('owner');
    const post = (url: string, payload?: object) =>
      h.app.inject({
        method: 'POST',
        url: `/api/v1/users/${id}${url}`,
        headers: bearer(owner),
        ...(payload ? { payload } : {}),
      });

    expect((await post('/disable')).json().disabled).toBe(true);
    expect((await login('cara', PASSWORD)).status).toBe(401);
    const misread = await post('/disable', { disabled: false });
    expect(misread.statusCode).toBe(400);
    expect(misread.json().code).toBe('USE_ENABLE');
    expect((await post('/disable', { enabled: true })).statusCode).toBe(400);

    const enabled = await post('/enable');
    expect(enabled.statusCode, enabled.body).toBe(200);
    expect(enabled.json().disabled).toBe(false);
    expect((await login('cara', PASSWORD)).status).toBe(200);
    const [entry] = await entries('user.enable');
    expect(entry).toMatchObject({ target_id: id, outcome: 'success' });
    expect((await post('/disable', { disabled: true })).json().disabled).toBe(true);
  });
});

describe('Unicode forms of a password', () => {
  const nfc = 'pässwörd-äää-ÅÅÅ';
  const nfd = nfc.normalize('NFD');

  it('a password set in one form logs in with the other', async () => {
    h = await startHarness();
    await h.user('dora', nfc, 'reader');
    await h.user('emil', nfd, 'reader');
    expect((await login('dora', nfd)).status).toBe(200);
    expect((await login('emil', nfc)).status).toBe(200);
  });

  it('matches hashes made before normalising, from either form as typed', async () => {
    // As hashPassword made them before: from the NFD text as typed, not normalised.
    const salt = randomBytes(16);
    const N = 2 ** 15;
    const key = scryptSync(nfd, salt, 64, { N, r: 8, p: 1, maxmem: 256 * N * 8 });
    const legacy = ['scrypt', N, 8, 1, salt.toString('base64'), key.toString('base64')].join('$');
    expect(await verifyPassword(nfd, legacy)).toBe(true);
    expect(await verifyPassword(nfc, legacy)).toBe(true);
    expect(await verifyPassword('passwörd-äää-ÅÅÅ', legacy)).toBe(false);
    // New hashes are made from NFC: the NFD text gives the same hash input.
    expect(await verifyPassword(nfd, await hashPassword(nfc))).toBe(true);
  });
});

describe('the first Owner password file', () => {
  it('is removed once the first Owner changes that password', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-owner-'));
    const location = join(dir, 'palisade.db');
    try {
      h = await startHarness({
        location,
        config: (c) => {
          c.store.location = location;
        },
      });
      const owner = await bootstrapOwner(h.db, { now: () => new Date() }, h.serverKey);
      const file = ownerPasswordPath(`${location}.key`, location);
      writeOwnerPassword(file, owner!);
      expect(existsSync(file)).toBe(true);

      const session = await login('owner', owner!.password);
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        headers: session.headers,
        payload: { currentPassword: owner!.password, newPassword: NEW_PASSWORD },
      });
      expect(res.statusCode, res.body).toBe(204);
      expect(existsSync(file)).toBe(false);
    } finally {
      await h.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
