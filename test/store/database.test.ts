import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { openStore, redactLocation, StoreError } from '../../src/store/database.js';
import { dialectOf } from '../../src/store/dialect.js';
import { STORE_TARGETS } from './store-targets.js';

describe('opening a store', () => {
  it('names the PostgreSQL location without its password and says what to do', async () => {
    // Port 9 on loopback: nothing listens there.
    const url = 'postgres://palisade:s3cret-pw@127.0.0.1:9/palisade';
    const error = await openStore(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message).toContain('postgres://palisade:***@127.0.0.1:9/palisade');
    expect(message).not.toContain('s3cret-pw');
    expect(message).toMatch(/check that PostgreSQL is running/);
  });

  it('refuses a schema that is not a plain identifier', async () => {
    const error = await openStore('postgresql://u@127.0.0.1:9/db?schema=a;drop').catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/schema "a;drop" is not a plain identifier/);
  });

  it('names a SQLite path it cannot create and says what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    writeFileSync(join(dir, 'file'), 'not a folder');
    const path = join(dir, 'file', 'palisade.db');
    const error = await openStore(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toMatch(/--db or PALISADE_DB/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('makes a new SQLite store and its WAL readable by their owner only, whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    const path = join(dir, 'shared', 'p.db');
    const before = process.umask(0o022);
    try {
      const db = await openStore(path);
      await sql`select 1`.execute(db);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(statSync(`${path}-wal`).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'shared')).mode & 0o777).toBe(0o700);
      await db.destroy();
      // An existing store keeps the mode its owner gave it.
      chmodSync(path, 0o640);
      await (await openStore(path)).destroy();
      expect(statSync(path).mode & 0o777).toBe(0o640);
    } finally {
      process.umask(before);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a SQLite transaction that read first when another process writes meanwhile', async () => {
    // `palisade export run` beside `palisade serve` on one file: the exporter commits while the
    // server's detection ingest is between its read and its write. A deferred transaction would
    // then fail with SQLITE_BUSY_SNAPSHOT; the store's transactions hold the write lock from
    // their start, so the other process waits and both changes land.
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    const path = join(dir, 'palisade.db');
    const db = await openStore(path);
    let other: Promise<number | null> | undefined;
    await db.transaction().execute(async (trx) => {
      await sql`select count(*) from assessments`.execute(trx);
      const child = spawn(process.execPath, [
        '-e',
        `const db = new (require('better-sqlite3'))(${JSON.stringify(path)}, { timeout: 10000 });
         db.exec('create table other_process (x integer)');
         db.prepare('insert into other_process values (1)').run();`,
      ]);
      other = new Promise((done) => child.on('exit', done));
      // Time for the other process to start and reach its write.
      await new Promise((r) => setTimeout(r, 500));
      await sql`create table this_process (x integer)`.execute(trx);
    });
    expect(await other).toBe(0);
    const tables = (await db.introspection.getTables()).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['this_process', 'other_process']));
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redacts passwords given in the URL or as a query parameter', () => {
    expect(redactLocation('postgresql://a:b@h/d?password=c&schema=s')).toBe(
      'postgresql://a:***@h/d?password=***&schema=s',
    );
    expect(redactLocation('.palisade/palisade.db')).toBe('.palisade/palisade.db');
  });
});

describe.each(STORE_TARGETS)('store dialect ($name)', (target) => {
  it.skipIf(target.skip)('opens the dialect its location names, migrated to the latest', () =>
    target.with(async ({ db, location }) => {
      expect(dialectOf(db)).toBe(target.name === 'PostgreSQL' ? 'postgres' : 'sqlite');
      expect(location.startsWith('postgres')).toBe(target.name === 'PostgreSQL');
      const tables = (await db.introspection.getTables()).map((t) => t.name);
      for (const table of ['assessments', 'findings', 'finding_states', 'finding_events']) {
        expect(tables).toContain(table);
      }
    }),
  );
});
