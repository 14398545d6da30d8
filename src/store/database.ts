/**
 * Opens the store: the embedded SQLite file by default. Migrations run on open, so a fresh
 * machine needs no setup step. PostgreSQL joins through the same Kysely migrations.
 */

import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import * as m0001 from './migrations/0001-assessments.js';
import * as m0002 from './migrations/0002-alerts.js';
import type { Database } from './schema.js';

/** Default location of the embedded store, relative to the working folder. */
export const DEFAULT_STORE_PATH = '.palisade/palisade.db';

/** Migrations compiled into the code, so a bundled build needs no migration folder. */
const migrations: Record<string, Migration> = { '0001-assessments': m0001, '0002-alerts': m0002 };

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** A store that cannot be opened or migrated, with what to do about it. */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * Opens (creating if needed) the store at `location`: a file path, `sqlite:PATH` or `:memory:`.
 *
 * ```ts
 * const db = await openStore('.palisade/palisade.db');
 * ```
 */
export async function openStore(location: string = DEFAULT_STORE_PATH): Promise<Kysely<Database>> {
  if (/^postgres(ql)?:\/\//.test(location)) {
    throw new StoreError(
      'PostgreSQL stores are not available in this build yet; use a SQLite file path',
    );
  }
  const path = location.replace(/^sqlite:/, '');
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let sqlite: SQLite.Database;
  try {
    sqlite = new SQLite(path);
  } catch (error) {
    throw new StoreError(`cannot open the store at ${path}: ${(error as Error).message}`);
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    await db.destroy();
    throw new StoreError(`cannot migrate the store at ${path}: ${(error as Error).message}`);
  }
  return db;
}
