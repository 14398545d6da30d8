/**
 * Console sessions: a random session secret goes into an HttpOnly cookie and a random CSRF token
 * to the browser; the store keeps only their SHA-256 digests, with an absolute expiry and the
 * time of the last request, so an idle session ends before its lifetime does.
 */

import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { digest, newSecret } from '../auth/secrets.js';

/** A fresh session's secrets: put them in the cookies, then forget them. */
export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Opens a session for `userId` lasting `hours`. */
export async function openSession(
  db: Kysely<Database>,
  userId: string,
  hours: number,
  now: Date,
): Promise<NewSession> {
  const secret = newSecret();
  const csrfToken = newSecret();
  const expiresAt = new Date(now.getTime() + hours * 3_600_000);
  await db
    .insertInto('sessions')
    .values({
      id_hash: digest(secret),
      user_id: userId,
      csrf_hash: digest(csrfToken),
      created_at: now.toISOString(),
      expires_at: expiresAt.toISOString(),
      last_seen_at: now.toISOString(),
    })
    .execute();
  return { secret, csrfToken, expiresAt };
}

/** A session's last use is written at most this often, not on every request. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * The live session and its enabled user for a cookie secret, or undefined: not past its
 * lifetime, and used within the last `idleMs`.
 */
export async function findLiveSession(
  db: Kysely<Database>,
  secret: string,
  now: Date,
  idleMs: number,
) {
  const idleSince = new Date(now.getTime() - idleMs).toISOString();
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.id_hash',
      'sessions.csrf_hash',
      'sessions.expires_at',
      'sessions.last_seen_at',
      'users.id as user_id',
      'users.username',
      'users.role',
      'users.scopes',
    ])
    .where('sessions.id_hash', '=', digest(secret))
    .where('sessions.expires_at', '>', now.toISOString())
    .where('sessions.last_seen_at', '>', idleSince)
    .where('users.disabled', '=', 0)
    .executeTakeFirst();
}

/** Records that a session was used now (when its last record is older than a minute). */
export async function touchSession(
  db: Kysely<Database>,
  session: { id_hash: string; last_seen_at: string },
  now: Date,
): Promise<void> {
  if (now.getTime() - Date.parse(session.last_seen_at) < TOUCH_INTERVAL_MS) return;
  await db
    .updateTable('sessions')
    .set({ last_seen_at: now.toISOString() })
    .where('id_hash', '=', session.id_hash)
    .execute();
}

/** Ends one session. */
export async function closeSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}
