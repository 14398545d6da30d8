/**
 * A token made by a token lives no longer than its creator: revoking a token, or disabling or
 * demoting the user at the root of its lineage, revokes every token made under it, on the record.
 */

import { afterEach, describe, expect, it } from 'vitest';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { auditEntries, manualClock, startHarness, type Harness } from './harness.js';

const PASSWORD = 'correct horse battery staple';

async function call(
  h: Harness,
  token: string,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: object,
) {
  return h.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { authorization: `Bearer ${token}` },
    ...(payload ? { payload } : {}),
  });
}

/** Creates a token with `parent`; returns its secret and id. */
async function child(h: Harness, parent: string, body: object = {}) {
  const made = await call(h, parent, 'POST', '/tokens', {
    name: 'same-name',
    role: 'security-admin',
    scopes: [],
    ...body,
  });
  expect(made.statusCode, made.body).toBe(201);
  const json = made.json() as { token: string; id: string; expiresAt: string | null };
  return {
    secret: json.token,
    id: json.id,
    expiresAt: json.expiresAt,
    createdBy: made.json().createdBy,
  };
}

const alive = async (h: Harness, token: string) =>
  (await call(h, token, 'GET', '/auth/me')).statusCode === 200;

const auditOf = (h: Harness, action: string) => auditEntries(h.db, action);

/** A token of user `userId`, made as the console would (created_by names the user's id). */
async function userToken(
  h: Harness,
  userId: string,
  role: 'security-admin' | 'reader',
  scopes: string[] = [],
) {
  const made = await h.db
    .transaction()
    .execute((trx) =>
      insertToken(
        trx,
        { name: 'same-name', role, scopes, createdBy: `user:${userId}` },
        new Date(),
      ),
    );
  return made.secret;
}

describe('token lineage', () => {
  let h: Harness;
  afterEach(() => h?.close());

  it('records the creating token by id, and revoking it revokes its children and theirs', async () => {
    h = await startHarness();
    const owner = await h.token('owner');
    const parent = await child(h, owner);
    const kid = await child(h, parent.secret);
    const grandkid = await child(h, kid.secret);
    // Names repeat (all three are "same-name"): the id says which token made which.
    expect(kid.createdBy).toBe(`token:${parent.id}`);
    expect(grandkid.createdBy).toBe(`token:${kid.id}`);

    const revoked = await call(h, owner, 'DELETE', `/tokens/${parent.id}`);
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(await alive(h, kid.secret)).toBe(false);
    expect(await alive(h, grandkid.secret)).toBe(false);

    const rows = await h.db.selectFrom('api_tokens').select(['id', 'revoked_at']).execute();
    const revokedIds = rows.filter((r) => r.revoked_at !== null).map((r) => r.id);
    expect(revokedIds.sort()).toEqual([parent.id, kid.id, grandkid.id].sort());

    const entries = await auditOf(h, 'token.revoke');
    const main = entries.find((e) => e.target_id === parent.id);
    expect(main?.details.alsoRevoked.sort()).toEqual([kid.id, grandkid.id].sort());
    const side = entries.filter((e) => e.target_id !== parent.id);
    expect(side.map((e) => e.target_id).sort()).toEqual([kid.id, grandkid.id].sort());
    expect(side[0].details.revokedWith).toEqual({ kind: 'token', id: parent.id });
  });

  it('disabling a user revokes the tokens made by their tokens (no grandchild makes users)', async () => {
    h = await startHarness();
    const userId = await h.user('mallory', PASSWORD, 'security-admin');
    const own = await userToken(h, userId, 'security-admin');
    const kid = await child(h, own);
    const grandkid = await child(h, kid.secret);
    const owner = await h.token('owner');

    const disabled = await call(h, owner, 'POST', `/users/${userId}/disable`);
    expect(disabled.statusCode, disabled.body).toBe(200);
    for (const secret of [own, kid.secret, grandkid.secret]) {
      expect(await alive(h, secret)).toBe(false);
    }
    const made = await call(h, grandkid.secret, 'POST', '/users', {
      username: 'backdoor',
      password: PASSWORD,
      role: 'security-admin',
      scopes: [],
    });
    expect(made.statusCode).toBe(401);

    const [entry] = await auditOf(h, 'user.disable');
    expect(entry.details.revokedTokens).toHaveLength(3);
    expect(entry.details.revokedTokens).toEqual(expect.arrayContaining([kid.id, grandkid.id]));
    const side = await auditOf(h, 'token.revoke');
    expect(side).toHaveLength(3);
    expect(side[0].details.revokedWith).toEqual({
      kind: 'user',
      id: userId,
      action: 'user.disable',
    });
  });

  it('demoting a user revokes the tokens of their lineage above the new role, and all under them', async () => {
    h = await startHarness();
    const userId = await h.user('mona', PASSWORD, 'security-admin');
    const own = await userToken(h, userId, 'security-admin');
    const admin = await child(h, own);
    const readerUnderAdmin = await child(h, admin.secret, { role: 'reader' });
    const reader = await userToken(h, userId, 'reader');
    const owner = await h.token('owner');

    const demoted = await call(h, owner, 'PUT', `/users/${userId}/role`, { role: 'reader' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect(await alive(h, own)).toBe(false);
    expect(await alive(h, admin.secret)).toBe(false);
    // A reader token made by a revoked admin token goes with it; the user's own reader stays.
    expect(await alive(h, readerUnderAdmin.secret)).toBe(false);
    expect(await alive(h, reader)).toBe(true);

    const [entry] = await auditOf(h, 'user.role.change');
    expect(entry.details.revokedTokens).toHaveLength(3);
    expect(entry.details.revokedTokens).toContain(readerUnderAdmin.id);
  });

  it('demoting to narrower scopes revokes the lineage tokens that reach further', async () => {
    h = await startHarness();
    const userId = await h.user('sam', PASSWORD, 'security-admin');
    const ownWide = await userToken(h, userId, 'security-admin', ['111', '222']);
    const ownNarrow = await userToken(h, userId, 'security-admin', ['111']);
    const underNarrow = await child(h, ownNarrow, { scopes: ['111'] });
    const wider = await child(h, ownWide, { scopes: ['222'] });
    const narrow = await child(h, ownNarrow, { scopes: ['111'] });
    const owner = await h.token('owner');

    const changed = await call(h, owner, 'PUT', `/users/${userId}/role`, {
      role: 'security-admin',
      scopes: ['111'],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(await alive(h, ownWide)).toBe(false);
    expect(await alive(h, wider.secret)).toBe(false);
    expect(await alive(h, ownNarrow)).toBe(true);
    expect(await alive(h, underNarrow.secret)).toBe(true);
    expect(await alive(h, narrow.secret)).toBe(true);
  });

  it("caps a child's expiry at its parent's: a never-expiring child of a 1-day token", async () => {
    const clock = manualClock('2026-03-01T00:00:00Z');
    h = await startHarness({ clock });
    const owner = await h.token('owner');
    const parent = await child(h, owner, { expiresInDays: 1 });
    const never = await child(h, parent.secret, { expiresInDays: null });
    const longer = await child(h, parent.secret, { expiresInDays: 30 });
    expect(parent.expiresAt).toBe('2026-03-02T00:00:00.000Z');
    expect(never.expiresAt).toBe(parent.expiresAt);
    expect(longer.expiresAt).toBe(parent.expiresAt);
    const [, , entry] = (await auditOf(h, 'token.create')).slice(-3);
    expect(entry.details.expiryCappedAt).toBe(parent.expiresAt);

    clock.advance(86_400_000 + 1);
    expect(await alive(h, never.secret)).toBe(false);
    expect(await alive(h, longer.secret)).toBe(false);
  });

  it('a token whose creator was revoked before revocation cascaded no longer works', async () => {
    h = await startHarness();
    const owner = await h.token('owner');
    const parent = await child(h, owner);
    const kid = await child(h, parent.secret);
    // As a store from before this fix holds it: the parent revoked, its child left live.
    await h.db
      .updateTable('api_tokens')
      .set({ revoked_at: new Date().toISOString() })
      .where('id', '=', parent.id)
      .execute();
    expect(await alive(h, kid.secret)).toBe(false);
  });
});

describe.each(STORE_TARGETS)('token lineage on $name', (target) => {
  it.skipIf(target.skip)('revokes a disabled user’s whole lineage and caps expiry', async () => {
    await target.with(async ({ db }) => {
      const store = await startHarness({ db });
      try {
        const userId = await store.user('nina', PASSWORD, 'security-admin');
        const own = await userToken(store, userId, 'security-admin');
        const kid = await child(store, own, { expiresInDays: 2 });
        const grandkid = await child(store, kid.secret, { expiresInDays: null });
        expect(grandkid.expiresAt).toBe(kid.expiresAt);
        expect(await alive(store, grandkid.secret)).toBe(true);

        const owner = await store.token('owner');
        const disabled = await call(store, owner, 'POST', `/users/${userId}/disable`);
        expect(disabled.statusCode, disabled.body).toBe(200);
        expect(await alive(store, kid.secret)).toBe(false);
        expect(await alive(store, grandkid.secret)).toBe(false);
        const revoked = await store.db
          .selectFrom('api_tokens')
          .select('id')
          .where('revoked_at', 'is not', null)
          .execute();
        expect(revoked.map((r) => r.id)).toEqual(expect.arrayContaining([kid.id, grandkid.id]));
      } finally {
        await store.close();
      }
    });
  });
});
