/**
 * A PostgreSQL store migrates looking at its own schema only. Kysely's own introspector lists the
 * tables of every schema in the database, and fails when one of them is dropped while it reads:
 * two test files at a time failed so ('schema "palisade_test_..." does not exist'), as would a
 * Palisade beside another one in the same database.
 */

import type { Kysely } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';
import { POSTGRES_URL, STORE_TARGETS } from './store-targets.js';

const postgres = STORE_TARGETS.find((t) => t.name === 'PostgreSQL')!;

describe('a PostgreSQL store beside other schemas', () => {
  it.skipIf(postgres.skip)('migrates while another schema is dropped meanwhile', async () => {
    const tag = `${process.pid}_${Date.now().toString(36)}`;
    const own = `palisade_test_${tag}_own`;
    const other = `palisade_test_${tag}_other`;
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    const dropper = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await dropper.connect();
    let db: Kysely<Database> | undefined;
    let dropping = false;
    try {
      await admin.query(`create schema "${own}"`);
      await admin.query(`create schema "${other}"`);
      await admin.query(`create table "${other}".t (a int, b int, c int, d int, e int)`);
      // The drop is made to land in the middle of the store's reading: the dropper holds
      // pg_description (which Kysely's introspector reads column by column) until it commits.
      // A reading that gets there waits, then goes on with the schema gone. (Locking a catalog
      // takes a superuser, as CI's and a developer's PostgreSQL have.)
      const dropperPid = (await dropper.query<{ pid: number }>('select pg_backend_pid() as pid'))
        .rows[0]!.pid;
      await dropper.query('begin');
      dropping = true;
      await dropper.query('lock table pg_catalog.pg_description in access exclusive mode');
      await dropper.query(`drop schema "${other}" cascade`);

      const url = new URL(POSTGRES_URL);
      url.searchParams.set('schema', own);
      let settled = false;
      const opening = openStore(url.toString()).finally(() => {
        settled = true;
      });
      opening.catch(() => undefined);
      // Until the store's reading of the catalogs waits on the dropper, or the store has opened
      // without needing to.
      for (let waited = 0; !settled && waited < 30_000; waited += 20) {
        const waiting = await admin.query(
          'select 1 from pg_stat_activity ' +
            "where $1 = any(pg_blocking_pids(pid)) and query like '%pg_attribute%'",
          [dropperPid],
        );
        if (waiting.rowCount) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await dropper.query('commit');
      dropping = false;

      db = await opening;
      const tables = (await db.introspection.getTables()).map((t) => t.name);
      expect(tables).toContain('assessments');
      expect(tables).not.toContain('t');
    } finally {
      if (dropping) await dropper.query('rollback').catch(() => undefined);
      await db?.destroy().catch(() => undefined);
      await admin.query(`drop schema if exists "${own}" cascade`).catch(() => undefined);
      await admin.query(`drop schema if exists "${other}" cascade`).catch(() => undefined);
      await admin.end();
      await dropper.end();
    }
  });
});
