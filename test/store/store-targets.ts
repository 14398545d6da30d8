/**
 * The databases the store suite runs against: SQLite in a temporary file, and PostgreSQL in a
 * schema of its own per test (dropped after), so parallel runs never see each other's rows.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { openStore, redactLocation } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';

/** Where the PostgreSQL half runs; `.ci/run` exports it. */
export const POSTGRES_URL =
  process.env.PALISADE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface OpenedStore {
  db: Kysely<Database>;
  /** What was passed to openStore. */
  location: string;
  /** Another connection to the same store (PostgreSQL: same schema; SQLite: same file). */
  reopen(): Promise<Kysely<Database>>;
}

export interface StoreTarget {
  name: 'SQLite' | 'PostgreSQL';
  /** Set when the target cannot run here and the tests are skipped (never in CI). */
  skip: string | false;
  /** Opens a fresh, empty store, runs `fn` on it, then closes it and drops its data. */
  with<T>(fn: (store: OpenedStore) => Promise<T>): Promise<T>;
}

async function postgresReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return (error as Error).message || String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

const unreachable = await postgresReachable();
const inCi = Boolean(process.env.CI) && process.env.CI !== '0' && process.env.CI !== 'false';
let postgresSkip: string | false = false;
if (unreachable && !inCi) {
  postgresSkip =
    `PostgreSQL store tests skipped: ${redactLocation(POSTGRES_URL)} is not reachable ` +
    `(${unreachable}); start PostgreSQL or set PALISADE_TEST_POSTGRES_URL ` +
    '(CI=1 makes this a failure)';
  process.stderr.write(`${postgresSkip}\n`);
}

let counter = 0;

async function dropSchema(schema: string): Promise<void> {
  const admin = new pg.Client({ connectionString: POSTGRES_URL });
  await admin.connect();
  try {
    await admin.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await admin.end();
  }
}

const sqlite: StoreTarget = {
  name: 'SQLite',
  skip: false,
  async with(fn) {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-store-'));
    const location = join(dir, 'palisade.db');
    const db = await openStore(location);
    const opened: Kysely<Database>[] = [db];
    try {
      return await fn({
        db,
        location,
        reopen: async () => {
          const again = await openStore(location);
          opened.push(again);
          return again;
        },
      });
    } finally {
      for (const d of opened) await d.destroy().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

const postgres: StoreTarget = {
  name: 'PostgreSQL',
  skip: postgresSkip,
  async with(fn) {
    const schema = `palisade_test_${process.pid}_${Date.now().toString(36)}_${++counter}`;
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('schema', schema);
    const location = url.toString();
    const opened: Kysely<Database>[] = [];
    try {
      const db = await openStore(location);
      opened.push(db);
      return await fn({
        db,
        location,
        reopen: async () => {
          const again = await openStore(location);
          opened.push(again);
          return again;
        },
      });
    } finally {
      for (const d of opened) await d.destroy().catch(() => undefined);
      // When PostgreSQL is down the test already fails with openStore's error; keep that one.
      if (!unreachable) await dropSchema(schema);
    }
  },
};

/** Every database the store must work on. */
export const STORE_TARGETS: StoreTarget[] = [sqlite, postgres];
