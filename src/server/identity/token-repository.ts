/**
 * API tokens: the raw token is returned once at creation and never stored; the store keeps its
 * SHA-256, with role, scopes, expiry, last use and revocation.
 */

import type { Kysely, Transaction } from 'kysely';
import type { ApiTokenTable, Database } from '../../store/schema.js';
import type { Role } from '../auth/permissions.js';
import { digest, newApiToken, newId } from '../auth/secrets.js';
import { lineageOf } from './token-lineage.js';

/** A token as the API lists it: never the secret or its hash. */
export interface TokenView {
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** The public view of a stored token row. */
export function tokenView(row: ApiTokenTable): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role as Role,
    scopes: JSON.parse(row.scopes) as string[],
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}

/** What creating a token needs. `expiresInDays` absent means the token never expires. */
export interface NewToken {
  name: string;
  role: Role;
  scopes: string[];
  expiresInDays?: number;
  /** `token:<id>`, `user:<id>` or `cli:<login>` (see token-lineage.ts). */
  createdBy: string;
  /** The latest expiry allowed (the creating token's): a later or absent one is cut to it. */
  expiresBy?: string | null;
}

/** Inserts a token inside `trx`; the returned `secret` is the only copy there will ever be. */
export async function insertToken(
  trx: Transaction<Database>,
  token: NewToken,
  now: Date,
): Promise<{ secret: string; token: TokenView }> {
  const secret = newApiToken();
  const asked =
    token.expiresInDays === undefined
      ? null
      : new Date(now.getTime() + token.expiresInDays * 86_400_000).toISOString();
  const cap = token.expiresBy ?? null;
  const expires = cap !== null && (asked === null || asked > cap) ? cap : asked;
  const row: ApiTokenTable = {
    id: newId(),
    name: token.name,
    token_hash: digest(secret),
    role: token.role,
    scopes: JSON.stringify(token.scopes),
    created_by: token.createdBy,
    created_at: now.toISOString(),
    expires_at: expires,
    last_used_at: null,
    revoked_at: null,
  };
  await trx.insertInto('api_tokens').values(row).execute();
  return { secret, token: tokenView(row) };
}

/**
 * The live token whose secret is `secret` (not revoked, not expired, its creators live), or
 * undefined.
 */
export async function findLiveToken(db: Kysely<Database>, secret: string, now: Date) {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', digest(secret))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.expires_at !== null && row.expires_at <= now.toISOString()) return undefined;
  // A token lives no longer than the tokens and the user that made it (rows from before
  // revocation cascaded included).
  if (!(await lineageOf(db, row, now)).live) return undefined;
  return row;
}

/** Records that a token was used; at most once a minute per token, to spare the store. */
export async function touchToken(db: Kysely<Database>, row: ApiTokenTable, now: Date) {
  const last = row.last_used_at ? Date.parse(row.last_used_at) : 0;
  if (now.getTime() - last < 60_000) return;
  await db
    .updateTable('api_tokens')
    .set({ last_used_at: now.toISOString() })
    .where('id', '=', row.id)
    .execute();
}
