/**
 * An account-scoped Security Admin stays inside its accounts: no changes to sources (which cover
 * every account), no audit log, only the users and tokens it could manage, and only incidents
 * whose every alert it may see. Runs on SQLite and PostgreSQL.
 */

import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import { alertStore, saveAlerts } from '../../src/store/alert-repository.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { startHarness } from './harness.js';
import { INVICTUS, STRATUS } from './ingest-helpers.js';

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const OTHER = '999999999999';

describe.each(STORE_TARGETS)('a scoped Security Admin on $name', (target) => {
  it.skipIf(target.skip)(
    'cannot change sources, read the audit log, list outside identities or see mixed incidents',
    () =>
      target.with(async ({ db }) => {
        const h = await startHarness({ db });
        try {
          const found = await detect({ paths: [STRATUS, INVICTUS] });
          await saveAlerts(h.db, found.alerts, found.incidents);
          const incident = found.incidents.find((i) => i.alerts.length >= 2)!;
          const first = await alertStore(h.db)
            .selectFrom('alerts')
            .select('account')
            .where('id', '=', incident.alerts[0])
            .executeTakeFirstOrThrow();
          const account = first.account!;
          expect(account).toBeTruthy();
          const owner = await h.token('owner');
          const scoped = await h.token('security-admin', [account]);
          const call = (
            token: string,
            method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
            url: string,
            payload?: object,
          ) => h.app.inject({ method, url: `/api/v1${url}`, headers: auth(token), payload });

          // Sources.
          const estate = resolve('samples/estate');
          const made = await call(scoped, 'POST', '/sources', { name: 'mine', paths: [estate] });
          expect(made.statusCode, made.body).toBe(403);
          expect(made.json().message).toMatch(/sources cover every account/);
          const byOwner = await call(owner, 'POST', '/sources', { name: 'all', paths: [estate] });
          expect(byOwner.statusCode, byOwner.body).toBe(201);
          const removal = await call(scoped, 'DELETE', `/sources/${byOwner.json().id}`);
          expect(removal.statusCode).toBe(403);
          expect((await call(owner, 'GET', '/sources')).json().items).toHaveLength(1);

          // Audit log.
          const audit = await call(scoped, 'GET', '/audit');
          expect(audit.statusCode).toBe(403);
          expect(audit.json().message).toMatch(/audit log covers every account/);
          expect((await call(owner, 'GET', '/audit')).statusCode).toBe(200);

          // Users and tokens: only those within its scopes that it could manage.
          await h.user('wide-reader', 'correct horse battery', 'reader', []);
          await h.user('mine-reader', 'correct horse battery', 'reader', [account]);
          await h.user('scoped-owner', 'correct horse battery', 'owner', [account]);
          const users = (await call(scoped, 'GET', '/users')).json().items;
          expect(users.map((u: { username: string }) => u.username)).toEqual(['mine-reader']);
          expect((await call(owner, 'GET', '/users')).json().items).toHaveLength(3);
          const tokens = (await call(scoped, 'GET', '/tokens?limit=1')).json();
          expect(tokens.items).toHaveLength(1);
          expect(tokens.items[0]).toMatchObject({ role: 'security-admin', scopes: [account] });
          expect(tokens.nextCursor).toBeNull();
          expect((await call(owner, 'GET', '/tokens')).json().items).toHaveLength(2);

          // An incident reaching into another account.
          const [, moved] = incident.alerts;
          await alertStore(h.db)
            .updateTable('alerts')
            .set({ account: OTHER })
            .where('id', '=', moved)
            .execute();
          const seen = await call(scoped, 'GET', `/incidents/${incident.id}`);
          expect(seen.statusCode, seen.body).toBe(404);
          const change = await call(scoped, 'PATCH', `/incidents/${incident.id}`, {
            status: 'in_progress',
          });
          expect(change.statusCode).toBe(404);
          expect((await call(scoped, 'GET', `/incidents/${incident.id}/timeline`)).statusCode).toBe(
            404,
          );
          const listed = (await call(scoped, 'GET', '/incidents?limit=500')).json().items;
          expect(listed.map((i: { id: string }) => i.id)).not.toContain(incident.id);
          const full = await call(owner, 'GET', `/incidents/${incident.id}`);
          expect(full.statusCode).toBe(200);
          expect(full.json().status).toBe('active');
        } finally {
          await h.close();
        }
      }),
    60_000,
  );
});
