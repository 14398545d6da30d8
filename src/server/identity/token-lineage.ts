/**
 * Token lineage: a token made by another token (or by a user) lives no longer and reaches no
 * further than its creator. `created_by` names the creator by id (`token:<id>`, `user:<id>`), so
 * revoking a token or disabling a user finds every token made under it, however deep.
 */

import type { Kysely, Transaction } from 'kysely';
import type { ApiTokenTable, Database } from '../../store/schema.js';
import type { Principal } from '../auth/principal.js';

/**
 * A token made before creators were named by id, whose creator token could not be told apart
 * from others of the same name (migration 0017): `token-name:<name>`.
 */
export const LEGACY_TOKEN_NAME_PREFIX = 'token-name:';

/** Depth past which a lineage is not followed further (none is that deep unless forged). */
const MAX_DEPTH = 64;

/** What `created_by` records for a token made by `principal`: its kind and id, never a name. */
export function creatorOf(principal: Pick<Principal, 'kind' | 'id'>): string {
  return `${principal.kind}:${principal.id}`;
}

/** The `created_by` values that name the user `user` as creator: by id, and by name (legacy). */
export function userCreatorKeys(user: { id: string; username: string }): string[] {
  return [`user:${user.id}`, `user:${user.username}`];
}

/** Whether a token's creators, up to the first user or CLI, are all still live. */
export interface Lineage {
  live: boolean;
  /** The earliest expiry along the creators (the token's own excluded); null when none expires. */
  expiresAt: string | null;
}

type Reader = Kysely<Database> | Transaction<Database>;

/**
 * Walks up from `row` through the tokens that made it: the lineage is dead when one of them is
 * revoked or expired, or the user at its root is disabled.
 *
 * ```ts
 * const { live, expiresAt } = await lineageOf(db, row, now); // expiresAt caps a child's expiry
 * ```
 */
export async function lineageOf(db: Reader, row: ApiTokenTable, now: Date): Promise<Lineage> {
  const at = now.toISOString();
  let expiresAt: string | null = null;
  let current = row;
  const seen = new Set([row.id]);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const creator = await creatorTokenOf(db, current);
    if (creator === 'root') return { live: true, expiresAt };
    if (creator === 'dead' || seen.has(creator.id)) return { live: false, expiresAt };
    if (creator.revoked_at !== null) return { live: false, expiresAt };
    if (creator.expires_at !== null) {
      if (creator.expires_at <= at) return { live: false, expiresAt };
      if (expiresAt === null || creator.expires_at < expiresAt) expiresAt = creator.expires_at;
    }
    seen.add(creator.id);
    current = creator;
  }
  return { live: false, expiresAt };
}

/**
 * The token that made `row`; 'root' when a user, the CLI or the first start made it, 'dead' when
 * its creator is a disabled user or no live token of a legacy name.
 */
async function creatorTokenOf(
  db: Reader,
  row: ApiTokenTable,
): Promise<ApiTokenTable | 'root' | 'dead'> {
  const by = row.created_by;
  if (by.startsWith('token:')) {
    const parent = await db
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', by.slice('token:'.length))
      .executeTakeFirst();
    return parent ?? 'dead';
  }
  if (by.startsWith(LEGACY_TOKEN_NAME_PREFIX)) return legacyCreator(db, row);
  if (by.startsWith('user:'))
    return (await userDisabled(db, by.slice('user:'.length))) ? 'dead' : 'root';
  return 'root';
}

/** Of the tokens a legacy name could mean, the live one with the latest expiry, or 'dead'. */
async function legacyCreator(db: Reader, row: ApiTokenTable): Promise<ApiTokenTable | 'dead'> {
  const candidates = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('name', '=', row.created_by.slice(LEGACY_TOKEN_NAME_PREFIX.length))
    .where('created_at', '<=', row.created_at)
    .where('id', '!=', row.id)
    .where('revoked_at', 'is', null)
    .execute();
  if (candidates.length === 0) return 'dead';
  const never = candidates.find((c) => c.expires_at === null);
  if (never) return never;
  return candidates.reduce((a, b) => ((a.expires_at ?? '') >= (b.expires_at ?? '') ? a : b));
}

/** True when the user named by `key` (an id, or a username in legacy rows) is disabled. */
async function userDisabled(db: Reader, key: string): Promise<boolean> {
  const byId = await db
    .selectFrom('users')
    .select('disabled')
    .where('id', '=', key)
    .executeTakeFirst();
  if (byId) return byId.disabled === 1;
  const byName = await db
    .selectFrom('users')
    .select('disabled')
    .where((eb) => eb(eb.fn('lower', ['username']), '=', key.toLowerCase()))
    .executeTakeFirst();
  return byName?.disabled === 1;
}

/** Where a search for descendants starts: creators by `created_by` value, or token rows. */
export interface LineageRoots {
  creators?: string[];
  tokens?: ApiTokenTable[];
}

/**
 * Every token made, directly or through other tokens, by `roots` (the roots themselves left
 * out), revoked ones included: a revoked token's children are found as well.
 *
 * ```ts
 * await descendantTokens(trx, { creators: userCreatorKeys(user) });
 * await descendantTokens(trx, { tokens: [row] });
 * ```
 */
export async function descendantTokens(db: Reader, roots: LineageRoots): Promise<ApiTokenTable[]> {
  const found = new Map<string, ApiTokenTable>();
  for (const token of roots.tokens ?? []) found.set(token.id, token);
  let frontier = roots.creators ?? [];
  let parents = roots.tokens ?? [];
  for (let depth = 0; depth < MAX_DEPTH && (frontier.length > 0 || parents.length > 0); depth++) {
    const children = await childrenOf(db, frontier, parents);
    const fresh = children.filter((c) => !found.has(c.id));
    for (const child of fresh) found.set(child.id, child);
    frontier = [];
    parents = fresh;
  }
  for (const token of roots.tokens ?? []) found.delete(token.id);
  return [...found.values()];
}

/** Tokens whose creator is one of `creators`, or one of the tokens `parents`. */
async function childrenOf(
  db: Reader,
  creators: string[],
  parents: ApiTokenTable[],
): Promise<ApiTokenTable[]> {
  const keys = [...creators, ...parents.map((p) => `token:${p.id}`)];
  const rows =
    keys.length === 0
      ? []
      : await db.selectFrom('api_tokens').selectAll().where('created_by', 'in', keys).execute();
  // A legacy name may mean any token so named made before the child: treat each as its creator,
  // so revoking any of them revokes the child (revoking too much is the safe side).
  const names = [...new Set(parents.map((p) => `${LEGACY_TOKEN_NAME_PREFIX}${p.name}`))];
  if (names.length === 0) return rows;
  const legacy = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('created_by', 'in', names)
    .execute();
  const madeAfterAParent = legacy.filter((row) =>
    parents.some(
      (p) =>
        row.created_by === `${LEGACY_TOKEN_NAME_PREFIX}${p.name}` && row.created_at >= p.created_at,
    ),
  );
  return [...rows, ...madeAfterAParent];
}

/** Revokes the live tokens among `rows` at `at`; returns the ids it revoked. */
export async function revokeLive(
  trx: Transaction<Database>,
  rows: ApiTokenTable[],
  at: string,
): Promise<string[]> {
  const ids = rows.filter((r) => r.revoked_at === null).map((r) => r.id);
  if (ids.length === 0) return [];
  await trx
    .updateTable('api_tokens')
    .set({ revoked_at: at })
    .where('id', 'in', ids)
    .where('revoked_at', 'is', null)
    .execute();
  return ids;
}
