/**
 * Two servers started together on an empty store both find nobody who can log in: one makes the
 * Owner, the other goes on without one of its own instead of stopping on the unique username.
 */

import { describe, expect, it } from 'vitest';
import { bootstrapOwner } from '../../src/server/bootstrap-owner.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { systemClock } from '../../src/server/server-deps.js';
import { STORE_TARGETS } from '../store/store-targets.js';

// PostgreSQL only: two SQLite connections in one process would wait on each other's lock with the
// event loop blocked (two servers are two processes, and SQLite serialises their transactions).
const postgres = STORE_TARGETS.filter((t) => t.name === 'PostgreSQL');

describe.each(postgres)('first start raced by two servers ($name)', (target) => {
  it.skipIf(target.skip)('makes one Owner and lets both start', () =>
    target.with(async ({ db, reopen }) => {
      const other = await reopen();
      const key = serverKeyFromBytes(new Uint8Array(32).fill(7));
      const results = await Promise.all([
        bootstrapOwner(db, systemClock, key),
        bootstrapOwner(other, systemClock, key),
      ]);
      expect(results.filter((r) => r !== null)).toHaveLength(1);
      const users = await db.selectFrom('users').select('username').execute();
      expect(users).toEqual([{ username: 'owner' }]);
    }),
  );
});
