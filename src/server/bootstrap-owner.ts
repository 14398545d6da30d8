/**
 * First start: when the store holds no user and no token, create the Owner `owner` with a random
 * password. It is written to a file only the server's user can read, beside the server key, and
 * never logged: under systemd or Docker stdout and stderr are the log.
 */

import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, existsSync, openSync, rmSync, writeSync } from 'node:fs';
import type { Logger } from 'pino';
import { appendAudit } from '../audit/append-audit.js';
import type { AuditSealer } from '../audit/audit-entry.js';
import type { Database } from '../store/schema.js';
import { serverKeyPath } from './auth/server-key.js';
import type { ServerConfig } from './config.js';
import { insertUser, noCredentialsExist } from './identity/user-repository.js';
import type { Clock } from './server-deps.js';
import { isPostgresLocation } from '../store/database.js';

/** The one-time Owner login. */
export interface OwnerCredential {
  username: string;
  password: string;
}

/** Creates the first Owner if nobody can log in yet; otherwise returns null. */
export async function bootstrapOwner(
  db: Kysely<Database>,
  clock: Clock,
  key: AuditSealer,
): Promise<OwnerCredential | null> {
  if (!(await noCredentialsExist(db))) return null;
  const credential = { username: 'owner', password: randomBytes(18).toString('base64url') };
  try {
    await createOwner(db, clock, key, credential);
  } catch (error) {
    // Two servers started together on an empty store: the other one made the Owner first (its
    // password is in its file); this one goes on without making another.
    if (!(await noCredentialsExist(db).catch(() => true))) return null;
    throw error;
  }
  return credential;
}

async function createOwner(
  db: Kysely<Database>,
  clock: Clock,
  key: AuditSealer,
  credential: OwnerCredential,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await insertUser(trx, { ...credential, role: 'owner', scopes: [] }, clock.now());
    await appendAudit(
      trx,
      {
        actor: { kind: 'system', name: 'first start' },
        action: 'user.bootstrap',
        outcome: 'success',
        target: { kind: 'user', id: user.id },
        details: { username: user.username, role: user.role },
      },
      clock.now(),
      key,
    );
  });
}

/** Suffix of the Owner password file beside the store's key file (`palisade.db.owner-password`). */
export const OWNER_PASSWORD_SUFFIX = '.owner-password';

/**
 * Where the first Owner password is written for the key file `keyFile`: beside it, so it lands in
 * the data folder an operator already protects (`.palisade/palisade.db.key` gives
 * `.palisade/palisade.db.owner-password`).
 */
export function ownerPasswordPath(keyFile: string, storeLocation?: string): string {
  const base = keyFile.replace(/\.key$/, '');
  const store = storeLocation ? postgresStoreName(storeLocation) : undefined;
  // One key file may serve several PostgreSQL stores (databases, schemas): each first start must
  // not overwrite the password of another store's Owner.
  return store ? `${base}.${store}${OWNER_PASSWORD_SUFFIX}` : base + OWNER_PASSWORD_SUFFIX;
}

/** `database` or `database.schema` of a PostgreSQL store location, as a file name part. */
function postgresStoreName(location: string): string | undefined {
  if (!isPostgresLocation(location)) return undefined;
  try {
    const url = new URL(location);
    const parts = [decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres'];
    const schema = url.searchParams.get('schema');
    if (schema) parts.push(schema);
    return parts.join('.').replace(/[^A-Za-z0-9_.-]/g, '_');
  } catch {
    return undefined;
  }
}

/**
 * Writes the Owner password to `file` with mode 0600, replacing an older one (a store started
 * afresh gets a new Owner). The file holds the password alone, one line, for scripts to read.
 */
export function writeOwnerPassword(file: string, credential: OwnerCredential): void {
  const fd = openSync(file, 'w', 0o600);
  try {
    // An existing file keeps its mode when opened: narrow it before the password is written.
    chmodSync(file, 0o600);
    writeSync(fd, credential.password + '\n');
  } finally {
    closeSync(fd);
  }
}

/**
 * After the first Owner's password was changed or reset, the file holding the first one is
 * useless and only a risk: removes it (and says so in the log). `userId` is the user whose
 * password changed; nothing happens for any user but the one the first start made.
 */
export async function forgetOwnerPassword(
  db: Kysely<Database>,
  config: ServerConfig,
  userId: string,
  log: Pick<Logger, 'info' | 'warn'>,
): Promise<void> {
  const bootstrapped = await db
    .selectFrom('audit_log')
    .select('target_id')
    .where('action', '=', 'user.bootstrap')
    .where('target_id', '=', userId)
    .executeTakeFirst();
  if (!bootstrapped) return;
  let file: string | undefined;
  try {
    const keyFile = serverKeyPath({
      storeLocation: config.store.location,
      keyFile: config.auth.secretKeyFile,
    });
    if (!keyFile) return;
    file = ownerPasswordPath(keyFile, config.store.location);
    if (!existsSync(file)) return;
    rmSync(file);
    log.info({ file }, 'first Owner password file removed: the password it held was changed');
  } catch (error) {
    log.warn({ file, err: error }, 'first Owner password file could not be removed; delete it');
  }
}
