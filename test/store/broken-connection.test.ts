/**
 * PostgreSQL ending a connection that is in use (a restart, a failover, an administrator ending
 * the backend) fails the query on it and nothing else: the process keeps running and the next
 * query gets a new connection.
 */

import { sql } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { POSTGRES_URL, STORE_TARGETS } from './store-targets.js';

const postgres = STORE_TARGETS.find((t) => t.name === 'PostgreSQL')!;

describe('a PostgreSQL connection ended while in use', () => {
  it.skipIf(postgres.skip)('fails that transaction only; the store answers again', () =>
    postgres.with(async ({ db }) => {
      const admin = new pg.Client({ connectionString: POSTGRES_URL });
      await admin.connect();
      try {
        const failed = await db
          .transaction()
          .execute(async (trx) => {
            const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(
              trx,
            );
            // The backend this transaction holds is ended from outside, as a restart would.
            await admin.query('select pg_terminate_backend($1)', [rows[0].pid]);
            await sql`select 1`.execute(trx);
          })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(failed).toBeInstanceOf(Error);
        // Let the client's 'error' event fire: unhandled, it would end the test process here.
        await new Promise((resolve) => setTimeout(resolve, 200));
        const again = await sql<{ one: number }>`select 1 as one`.execute(db);
        expect(again.rows[0].one).toBe(1);
      } finally {
        await admin.end();
      }
    }),
  );
});
