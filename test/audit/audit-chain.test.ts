import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { recordAudit } from '../../src/audit/append-audit.js';
import { entryHash } from '../../src/audit/audit-entry.js';
import { verifyAuditChain } from '../../src/audit/verify-audit-chain.js';
import { startHarness, type Harness } from '../server/harness.js';

const run = promisify(execFile);
let h: Harness;
afterEach(() => h?.close());

/** Makes audited changes through the API: tokens, a user, a login. */
async function makeChanges(harness: Harness): Promise<void> {
  const owner = await harness.token('owner');
  const auth = { authorization: `Bearer ${owner}` };
  for (const role of ['reader', 'security-operator', 'reader']) {
    await harness.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      headers: auth,
      payload: { name: role, role },
    });
  }
  await harness.app.inject({
    method: 'POST',
    url: '/api/v1/users',
    headers: auth,
    payload: { username: 'ana', password: 'correct horse battery', role: 'reader' },
  });
  await harness.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { username: 'ana', password: 'nope' },
  });
}

async function dropGuards(harness: Harness): Promise<void> {
  await sql`drop trigger audit_log_no_update`.execute(harness.db);
  await sql`drop trigger audit_log_no_delete`.execute(harness.db);
}

describe('audit log', () => {
  it('chains every change and verifies intact', async () => {
    h = await startHarness();
    await makeChanges(h);
    const rows = await h.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    expect(rows.map((r) => r.action)).toEqual([
      'token.create',
      'token.create',
      'token.create',
      'user.create',
      'auth.login',
    ]);
    expect(rows[1].prev_hash).toBe(rows[0].hash);
    const verdict = await verifyAuditChain(h.db);
    expect(verdict).toMatchObject({ intact: true, entries: 5, head: rows[4].hash });
  });

  it('is append-only in the database itself', async () => {
    h = await startHarness();
    await makeChanges(h);
    await expect(
      sql`update audit_log set outcome = 'success' where seq = 5`.execute(h.db),
    ).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log where seq = 1`.execute(h.db)).rejects.toThrow(
      /append-only/,
    );
  });

  it('names the first entry edited behind its back', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    await sql`update audit_log set details = '{"name":"innocent"}' where seq = 3`.execute(h.db);
    expect(await verifyAuditChain(h.db)).toMatchObject({ intact: false, brokenAt: 3, entries: 2 });
  });

  it('catches an edit whose hash was recomputed: the next entry no longer links', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    const row = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    const { hash: _old, ...content } = { ...row, actor_name: 'someone-else' };
    await sql`update audit_log set actor_name = 'someone-else', hash = ${entryHash(content)} where seq = 2`.execute(
      h.db,
    );
    expect(await verifyAuditChain(h.db)).toMatchObject({
      intact: false,
      brokenAt: 3,
      reason: 'does not link to the entry before it',
    });
  });

  it('names a deleted entry', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    await sql`delete from audit_log where seq = 4`.execute(h.db);
    expect(await verifyAuditChain(h.db)).toMatchObject({
      intact: false,
      brokenAt: 4,
      reason: 'entry is missing',
    });
  });

  it('stores a change and its entry together or not at all', async () => {
    h = await startHarness();
    const owner = await h.token('owner');
    await sql`drop trigger audit_log_no_update`.execute(h.db);
    // A poisoned audit table: the insert of the entry fails, so the user must not be stored.
    await sql`create trigger audit_fail before insert on audit_log begin select raise(abort, 'disk full'); end`.execute(
      h.db,
    );
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: { authorization: `Bearer ${owner}` },
      payload: { username: 'ghost', password: 'correct horse battery', role: 'reader' },
    });
    expect(res.statusCode).toBe(500);
    expect(
      await h.db.selectFrom('users').selectAll().where('username', '=', 'ghost').execute(),
    ).toEqual([]);
  });

  it('`palisade audit verify` exits 0 when intact and 1 naming the broken entry', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'palisade-audit-')), 'p.db');
    h = await startHarness({ location: file });
    await makeChanges(h);
    for (let i = 0; i < 3; i++) {
      await recordAudit(
        h.db,
        { actor: { kind: 'system' }, action: 'test.event', outcome: 'success' },
        new Date(),
      );
    }
    const cli = ['tsx', 'src/cli/main.ts', 'audit', 'verify', '--db', file];
    const ok = await run('npx', cli);
    expect(ok.stdout).toMatch(/intact: 8 entries/);

    await dropGuards(h);
    await sql`update audit_log set actor_name = 'someone-else' where seq = 6`.execute(h.db);
    const broken = await run('npx', cli).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 6: content does not match its hash/);
  });
});
