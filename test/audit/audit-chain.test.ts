import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { recordAudit, sealUnkeyedEntries } from '../../src/audit/append-audit.js';
import { GENESIS_HASH, legacyEntryHash } from '../../src/audit/audit-entry.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
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
    expect(rows.every((r) => r.key_id === h.serverKey.id)).toBe(true);
    const verdict = await verifyAuditChain(h.db, h.serverKey);
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
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
      intact: false,
      brokenAt: 3,
      entries: 2,
    });
  });

  it('catches an edit whose hash was recomputed without the key: SHA-256 no longer passes', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    const row = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    // What anyone with write access to the database could do to the old, unkeyed chain.
    const { hash: _old, key_id: _key, ...content } = { ...row, actor_name: 'someone-else' };
    await sql`update audit_log set actor_name = 'someone-else', key_id = null, hash = ${legacyEntryHash(content)} where seq = 2`.execute(
      h.db,
    );
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
      intact: false,
      brokenAt: 2,
      reason: 'is not sealed with the server key, yet follows sealed entries',
    });
  });

  it('catches a whole chain rewritten without the key, and one sealed by another key', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    const rows = await h.db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
    let previous = GENESIS_HASH;
    for (const row of rows) {
      const { hash: _h, key_id: _k, ...content } = { ...row, prev_hash: previous };
      previous = legacyEntryHash(content);
      await sql`update audit_log set key_id = null, prev_hash = ${content.prev_hash}, hash = ${previous} where seq = ${row.seq}`.execute(
        h.db,
      );
    }
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
      intact: false,
      reason: expect.stringMatching(/^no entry is sealed with the server key/),
    });

    const other = loadServerKey({ storeLocation: ':memory:' });
    await recordAudit(
      h.db,
      { actor: { kind: 'x' }, action: 'forged', outcome: 'success' },
      new Date(),
      other,
    );
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
      intact: false,
      brokenAt: 6,
      reason: expect.stringContaining(`was sealed with server key ${other.id}`),
    });
  });

  it('seals entries written before the chain was keyed; editing them afterwards breaks it', async () => {
    h = await startHarness();
    let previous = GENESIS_HASH;
    for (let seq = 1; seq <= 3; seq++) {
      const content = {
        seq,
        at: new Date(Date.UTC(2025, 0, seq)).toISOString(),
        actor_kind: 'system',
        actor_id: null,
        actor_name: null,
        action: `old.${seq}`,
        outcome: 'success',
        target_kind: null,
        target_id: null,
        ip: null,
        request_id: null,
        details: '{}',
        prev_hash: previous,
      };
      previous = legacyEntryHash(content);
      await h.db
        .insertInto('audit_log')
        .values({ ...content, hash: previous, key_id: null })
        .execute();
    }
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({ intact: false, brokenAt: 1 });

    const seal = await sealUnkeyedEntries(h.db, new Date(), h.serverKey);
    expect(seal).toMatchObject({ seq: 4, action: 'audit.chain.sealed', prev_hash: previous });
    expect(await sealUnkeyedEntries(h.db, new Date(), h.serverKey)).toBeNull();
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({ intact: true, entries: 4 });

    await dropGuards(h);
    const row = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '=', 2)
      .executeTakeFirstOrThrow();
    const { hash: _h, key_id: _k, ...content } = { ...row, action: 'rewritten' };
    const rehash = legacyEntryHash(content);
    await sql`update audit_log set action = 'rewritten', hash = ${rehash} where seq = 2`.execute(
      h.db,
    );
    const {
      hash: _h3,
      key_id: _k3,
      ...third
    } = {
      ...(await h.db
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', '=', 3)
        .executeTakeFirstOrThrow()),
      prev_hash: rehash,
    };
    await sql`update audit_log set prev_hash = ${rehash}, hash = ${legacyEntryHash(third)} where seq = 3`.execute(
      h.db,
    );
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
      intact: false,
      brokenAt: 4,
      reason: 'does not link to the entry before it',
    });
  });

  it('names a deleted entry', async () => {
    h = await startHarness();
    await makeChanges(h);
    await dropGuards(h);
    await sql`delete from audit_log where seq = 4`.execute(h.db);
    expect(await verifyAuditChain(h.db, h.serverKey)).toMatchObject({
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
        h.serverKey,
      );
    }
    // node with the tsx loader, not npx: each run is a fresh CLI process, without npx's start-up.
    const cli = ['--import', 'tsx', 'src/cli/main.ts', 'audit', 'verify', '--db', file];
    const verify = (args: string[]) => run(process.execPath, args);
    const ok = await verify(cli);
    expect(ok.stdout).toMatch(/intact: 8 entries/);
    const head = /head ([0-9a-f]{64})/.exec(ok.stdout)?.[1];
    expect(head).toBe(((await verifyAuditChain(h.db, h.serverKey)) as { head: string }).head);
    const pinned = await verify([...cli, '--head', head!]);
    expect(pinned.stdout).toMatch(/recorded head is entry 8/);

    // Cutting the last entries leaves a chain that verifies on its own, but not against the pin.
    await dropGuards(h);
    await sql`delete from audit_log where seq > 6`.execute(h.db);
    const cut = await verify([...cli, '--head', head!]).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(cut.code).toBe(1);
    expect(cut.stdout).toMatch(new RegExp(`recorded head ${head} is not in the log`));

    await sql`update audit_log set actor_name = 'someone-else' where seq = 6`.execute(h.db);
    const broken = await verify(cli).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/BROKEN at entry 6: content does not match its hash/);
  }, 180_000);
});
