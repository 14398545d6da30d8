/**
 * Audit entries for what a command line run stores (`scan` and `detect` with a store): the CLI
 * user is the actor, sealed with the store's server key like the server's own entries.
 */

import { userInfo } from 'node:os';
import type { Kysely } from 'kysely';
import { existsSync } from 'node:fs';
import { recordAudit } from '../audit/append-audit.js';
import { isPostgresLocation } from '../store/database.js';
import type { AuditEvent } from '../audit/audit-entry.js';
import {
  loadServerKey,
  SECRET_KEY_FILE_ENV,
  ServerKeyError,
  type ServerKey,
} from '../server/auth/server-key.js';
import type { Database } from '../store/schema.js';

/**
 * The key that seals a run's audit entries: the store's server key (created beside a new SQLite
 * store), `PALISADE_SECRET_KEY_FILE` for PostgreSQL; undefined for a store in memory. Throws
 * `ServerKeyError`, before anything is stored, for a key file that exists but cannot be read and
 * for a PostgreSQL store without a key file: a run that cannot go on the audit record stores
 * nothing (`--no-store` runs without the store).
 */
export function runAuditKey(storeLocation: string, keyFileOption?: string): ServerKey | undefined {
  const keyFile = keyFileOption || process.env[SECRET_KEY_FILE_ENV] || undefined;
  try {
    // A key is made only beside a SQLite store this run creates: a store that exists, or a
    // PostgreSQL one, was made with a key already, and a fresh one would seal entries that
    // break its audit chain for good (a mistyped key file path).
    const sqlite = !isPostgresLocation(storeLocation) && storeLocation.replace(/^sqlite:/, '');
    const create = sqlite !== false && sqlite !== ':memory:' && !existsSync(sqlite);
    const key = loadServerKey({ storeLocation, keyFile, create });
    return key.source === '(memory)' ? undefined : key;
  } catch (error) {
    if (error instanceof ServerKeyError && error.code === 'KEY_FILE_REQUIRED') {
      throw new ServerKeyError(
        'KEY_FILE_REQUIRED',
        `a PostgreSQL store needs the server's key file, so that what this run stores goes on ` +
          `the audit record: give it with --key-file or ${SECRET_KEY_FILE_ENV}, or run with ` +
          '--no-store',
      );
    }
    throw error;
  }
}

/** Records what the run stored, as the CLI user. */
export async function recordRun(
  db: Kysely<Database>,
  key: ServerKey,
  event: Omit<AuditEvent, 'actor' | 'outcome'>,
): Promise<void> {
  await recordAudit(
    db,
    { ...event, actor: { kind: 'cli', name: userInfo().username }, outcome: 'success' },
    new Date(),
    key,
  );
}
