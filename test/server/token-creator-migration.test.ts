/**
 * Migration 0017 on SQLite and PostgreSQL: tokens stored with their creator's NAME get its id
 * where the name says which creator it was, and a lineage the name cannot tell is still cut
 * when any token of that name is revoked.
 */

import { describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { lineageOf } from '../../src/server/identity/token-lineage.js';
import { up, down } from '../../src/store/migrations/0017-token-creator-ids.js';
import type { ApiTokenTable, Database } from '../../src/store/schema.js';
import { STORE_TARGETS } from '../store/store-targets.js';

function tokenRow(id: string, name: string, createdBy: string, at: string): ApiTokenTable {
  return {
    id,
    name,
    token_hash: `hash-${id}`,
    role: 'security-admin',
    scopes: '[]',
    created_by: createdBy,
    created_at: at,
    expires_at: null,
    last_used_at: null,
    revoked_at: null,
  };
}

async function createdBy(db: Kysely<Database>, id: string) {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  return row!.created_by;
}

describe.each(STORE_TARGETS)('token creators by id ($name)', (target) => {
  it.skipIf(target.skip)('rewrites names to ids where they are unambiguous', async () => {
    await target.with(async ({ db }) => {
      await down(db as Kysely<unknown>);
      await db
        .insertInto('users')
        .values({
          id: 'U1',
          username: 'ana',
          password_hash: 'x',
          role: 'security-admin',
          scopes: '[]',
          disabled: 0,
          created_at: '2026-01-01T00:00:00.000Z',
          updated_at: '2026-01-01T00:00:00.000Z',
          last_login_at: null,
        })
        .execute();
      await db
        .insertInto('api_tokens')
        .values([
          tokenRow('T1', 'unique', 'user:ana', '2026-01-02T00:00:00.000Z'),
          tokenRow('T2', 'child', 'token:unique', '2026-01-03T00:00:00.000Z'),
          tokenRow('D1', 'dup', 'cli:root', '2026-01-02T00:00:00.000Z'),
          tokenRow('D2', 'dup', 'cli:root', '2026-01-02T00:00:01.000Z'),
          tokenRow('T3', 'other', 'token:dup', '2026-01-04T00:00:00.000Z'),
          tokenRow('T4', 'gone', 'user:nobody', '2026-01-04T00:00:00.000Z'),
        ])
        .execute();

      await up(db as Kysely<unknown>);

      expect(await createdBy(db, 'T1')).toBe('user:U1');
      expect(await createdBy(db, 'T2')).toBe('token:T1');
      expect(await createdBy(db, 'T3')).toBe('token-name:dup');
      expect(await createdBy(db, 'T4')).toBe('user:nobody');
      expect(await createdBy(db, 'D1')).toBe('cli:root');

      // T3 could have been made by D1 or D2: it lives while one of them does.
      const now = new Date('2026-02-01T00:00:00.000Z');
      const t3 = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', 'T3')
        .executeTakeFirstOrThrow();
      expect((await lineageOf(db, t3, now)).live).toBe(true);
      await db
        .updateTable('api_tokens')
        .set({ revoked_at: now.toISOString() })
        .where('id', 'in', ['D1', 'D2'])
        .execute();
      expect((await lineageOf(db, t3, now)).live).toBe(false);
    });
  });
});
