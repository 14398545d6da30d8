/**
 * Opens the store: the embedded SQLite file by default, PostgreSQL when given a connection URL.
 * Migrations run on open, the same ones on both, so a fresh machine needs no setup step.
 */

import { closeSync, existsSync, openSync } from 'node:fs';
import { makeFolders } from './make-folders.js';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import {
  CompiledQuery,
  Kysely,
  Migrator,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type Migration,
  type MigrationProvider,
  type SqliteDialectConfig,
} from 'kysely';
import pg from 'pg';
import { StoreSqliteAdapter } from './dialect.js';
import { SchemaPostgresDialect } from './postgres-dialect.js';
import * as m0001 from './migrations/0001-assessments.js';
import * as m0002 from './migrations/0002-alerts.js';
import * as m0003 from './migrations/0003-identity-and-audit.js';
import * as m0004 from './migrations/0004-finding-lifecycle.js';
import * as m0005 from './migrations/0005-sources-and-exemptions.js';
import * as m0006 from './migrations/0006-alert-timeline.js';
import * as m0007 from './migrations/0007-alert-indexes.js';
import * as m0008 from './migrations/0008-audit-chain-key.js';
import * as m0009 from './migrations/0009-export-outbox.js';
import * as m0010 from './migrations/0010-ticket-links.js';
import * as m0011 from './migrations/0011-admission-and-assignments.js';
import * as m0012 from './migrations/0012-retired-target-sets.js';
import * as m0013 from './migrations/0013-alert-resources.js';
import * as m0014 from './migrations/0014-automation-run-records.js';
import * as m0015 from './migrations/0015-incident-aliases.js';
import * as m0016 from './migrations/0016-tail-positions.js';
import * as m0017 from './migrations/0017-token-creator-ids.js';
import * as m0018 from './migrations/0018-server-lease.js';
import * as m0019 from './migrations/0019-delivery-batch-end.js';
import * as m0020 from './migrations/0020-received-records.js';
import type { Database } from './schema.js';
import { DEFAULT_STORE_PATH, isPostgresLocation } from './store-path.js';

export { DEFAULT_STORE_PATH, isPostgresLocation };

/** Migrations compiled into the code, so a bundled build needs no migration folder. */
const migrations: Record<string, Migration> = {
  '0001-assessments': m0001,
  '0002-alerts': m0002,
  '0003-identity-and-audit': m0003,
  '0004-finding-lifecycle': m0004,
  '0005-sources-and-exemptions': m0005,
  '0006-alert-timeline': m0006,
  '0007-alert-indexes': m0007,
  '0008-audit-chain-key': m0008,
  '0009-export-outbox': m0009,
  '0010-ticket-links': m0010,
  '0011-admission-and-assignments': m0011,
  '0012-retired-target-sets': m0012,
  '0013-alert-resources': m0013,
  '0014-automation-run-records': m0014,
  '0015-incident-aliases': m0015,
  '0016-tail-positions': m0016,
  '0017-token-creator-ids': m0017,
  '0018-server-lease': m0018,
  '0019-delivery-batch-end': m0019,
  '0020-received-records': m0020,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** A store that cannot be opened or migrated, with what to do about it. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/** `location` with any password replaced, fit for messages and logs. */
export function redactLocation(location: string): string {
  if (!isPostgresLocation(location)) return location;
  try {
    const url = new URL(location);
    if (url.password) url.password = '***';
    const password = url.searchParams.get('password');
    if (password !== null) url.searchParams.set('password', '***');
    return url.toString();
  } catch {
    return location.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/**
 * Opens (creating if needed) the store at `location`: a file path, `sqlite:PATH`, `:memory:`, or
 * a PostgreSQL URL `postgres://user:password@host:port/database`. On PostgreSQL the extra query
 * parameter `schema=NAME` keeps Palisade's tables in that schema (created when missing).
 *
 * ```ts
 * const db = await openStore('.palisade/palisade.db');
 * const pgStore = await openStore('postgres://palisade@127.0.0.1:5432/palisade');
 * ```
 */
export async function openStore(location: string = DEFAULT_STORE_PATH): Promise<Kysely<Database>> {
  if (isPostgresLocation(location)) return openPostgres(location);
  return openSqlite(location.replace(/^sqlite:/, ''));
}

/**
 * SQLite transactions that take the write lock as they begin (`BEGIN IMMEDIATE`). Palisade's
 * transactions read before they write; a deferred one that has read cannot write once another
 * process (a standalone exporter, a second CLI run) committed in between: SQLITE_BUSY_SNAPSHOT,
 * the change lost. An immediate one waits for the lock instead (better-sqlite3's busy timeout)
 * and then reads what the other process wrote.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    // Bulk inserts run prepared statements on the connection itself (see batch-insert.ts).
    const database = this.#config.database;
    return typeof database === 'function'
      ? super.createAdapter()
      : new StoreSqliteAdapter(database as unknown as SQLite.Database);
  }
}

async function openSqlite(path: string): Promise<Kysely<Database>> {
  let sqlite: SQLite.Database;
  try {
    if (path !== ':memory:') {
      // A new store is made readable by its owner only (SQLite gives its -wal and -shm files the
      // same mode): it holds password and token hashes, the audit log and raw evidence. An
      // existing file keeps the mode it has.
      makeFolders(dirname(path), 0o700);
      if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
    }
    sqlite = new SQLite(path);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('synchronous = NORMAL');
    // A large scan adds hundreds of thousands of rows to indexes keyed by text: with SQLite's
    // default 2 MB page cache most of those inserts read their index page back from the file.
    sqlite.pragma('cache_size = -65536');
  } catch (error) {
    throw new StoreError(
      `cannot open the store at ${path}: ${(error as Error).message}; check that the folder ` +
        'is writable and the file is a Palisade SQLite store, or choose another with --db or ' +
        'PALISADE_DB',
    );
  }
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect({ database: sqlite }) });
  await migrate(db, path);
  return db;
}

/** Parses int8 (counts, identity keys) as numbers: Palisade's counts stay far below 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 && format !== 'binary'
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

async function openPostgres(location: string): Promise<Kysely<Database>> {
  const shown = redactLocation(location);
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    throw new StoreError(
      `cannot open the store at ${shown}: not a valid URL; write it as ` +
        'postgres://USER:PASSWORD@HOST:PORT/DATABASE',
    );
  }
  const schema = url.searchParams.get('schema');
  url.searchParams.delete('schema');
  if (schema !== null && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
    throw new StoreError(
      `cannot open the store at ${shown}: schema "${schema}" is not a plain identifier ` +
        '(letters, digits and _, not starting with a digit)',
    );
  }
  const pool = new pg.Pool({
    connectionString: url.toString(),
    max: 10,
    connectionTimeoutMillis: 10_000,
    types: pgTypes,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // A connection that breaks must not take the process down; the query on it fails and says so.
  // The pool listens on idle connections only: one that breaks while checked out (a query or a
  // transaction under way when PostgreSQL restarts or ends the backend) emits 'error' on its
  // client, which needs a listener of its own.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  let current: string;
  try {
    const client = await pool.connect();
    try {
      if (schema) await client.query(`create schema if not exists "${schema}"`);
      const result = await client.query<{ schema: string | null }>(
        'select current_schema() as schema',
      );
      current = result.rows[0]?.schema ?? '';
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `cannot connect to the PostgreSQL store at ${shown}: ${messageOf(error)}; check that ` +
        'PostgreSQL is running and reachable there and that the user, password and database ' +
        'in the URL exist (create the database with `createdb`)',
    );
  }
  if (!current) {
    await pool.end().catch(() => undefined);
    throw new StoreError(
      `cannot open the store at ${shown}: no schema of the search path exists; add ` +
        '?schema=palisade to the URL or create the schema',
    );
  }
  // Migrations look for their tables in this schema only (see SchemaPostgresDialect).
  const db = new Kysely<Database>({ dialect: new SchemaPostgresDialect({ pool }, [current]) });
  await migrate(db, shown, current);
  return db;
}

async function migrate(db: Kysely<Database>, shown: string, schema?: string): Promise<void> {
  // On PostgreSQL the migration tables are looked up in the store's own schema: Kysely would
  // otherwise find another schema's migration table and skip the migrations here.
  const migrator = new Migrator({
    db,
    provider,
    // Migrations were numbered by parallel work; a store that ran a later one first still
    // takes the earlier one.
    allowUnorderedMigrations: true,
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error } = await migrator.migrateToLatest();
  if (!error) return;
  await db.destroy();
  throw new StoreError(
    `cannot migrate the store at ${shown}: ${messageOf(error)}; the store may be from a newer ` +
      'Palisade, or was changed by hand',
  );
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
