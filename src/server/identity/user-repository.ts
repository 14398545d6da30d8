/** Users of the console: created with a scrypt-hashed password, a role and account scopes. */

import type { Kysely, Transaction } from 'kysely';
import type { Database, UserTable } from '../../store/schema.js';
import { hashPassword } from '../auth/passwords.js';
import type { PersonRole } from '../auth/permissions.js';
import { newId } from '../auth/secrets.js';

/** A user as the API shows it: never the password hash. */
export interface UserView {
  id: string;
  username: string;
  role: PersonRole;
  scopes: string[];
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
  lastLoginAt: string | null;
}

/** The public view of a stored user row. */
export function userView(row: UserTable): UserView {
  return {
    id: row.id,
    username: row.username,
    role: row.role as PersonRole,
    scopes: JSON.parse(row.scopes) as string[],
    disabled: row.disabled === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
  };
}

/** What creating a user needs. */
export interface NewUser {
  username: string;
  password: string;
  role: PersonRole;
  scopes: string[];
}

/** Inserts a user inside `trx` (the caller audits in the same transaction). */
export async function insertUser(
  trx: Transaction<Database>,
  user: NewUser,
  now: Date,
): Promise<UserView> {
  const row: UserTable = {
    id: newId(),
    username: normalUsername(user.username),
    password_hash: await hashPassword(user.password),
    role: user.role,
    scopes: JSON.stringify(user.scopes),
    disabled: 0,
    created_at: now.toISOString(),
    updated_at: now.toISOString(),
    last_login_at: null,
  };
  await trx.insertInto('users').values(row).execute();
  return userView(row);
}

/** How a username is stored and compared: lower-case, so `Ana` and `ana` are one user. */
export function normalUsername(username: string): string {
  return username.toLowerCase();
}

/** A user by name, whatever its case, or undefined. */
export async function findUserByName(db: Kysely<Database>, username: string) {
  // lower() on the column too: users stored before names were lower-cased are found as well.
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb(eb.fn('lower', ['username']), '=', normalUsername(username)))
    .orderBy('created_at')
    .executeTakeFirst();
}

/** A user by id, or undefined. */
export async function findUser(db: Kysely<Database>, id: string) {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** True when nobody can log in or call the API yet (a fresh store). */
export async function noCredentialsExist(db: Kysely<Database>): Promise<boolean> {
  const user = await db.selectFrom('users').select('id').limit(1).executeTakeFirst();
  if (user) return false;
  const token = await db.selectFrom('api_tokens').select('id').limit(1).executeTakeFirst();
  return !token;
}
