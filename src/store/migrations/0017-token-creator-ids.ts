/**
 * API tokens name their creator by id (`token:<id>`, `user:<id>`) instead of by name, so a
 * token's lineage can be followed: names are not unique. A token made by a token whose name
 * several tokens share keeps the name, marked `token-name:<name>`, and is treated as made by any
 * of them (revoking one revokes it).
 */

import { type Kysely } from 'kysely';

// Migrations see the database as it was when they were written, not the current schema.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

interface TokenRow {
  id: string;
  name: string;
  created_by: string;
  created_at: string;
}

export async function up(db: Kysely<unknown>): Promise<void> {
  const anyDb = db as AnyDb;
  const tokens = (await anyDb
    .selectFrom('api_tokens')
    .select(['id', 'name', 'created_by', 'created_at'])
    .execute()) as TokenRow[];
  const users = (await anyDb.selectFrom('users').select(['id', 'username']).execute()) as {
    id: string;
    username: string;
  }[];
  const userIds = new Map(users.map((u) => [u.username.toLowerCase(), u.id]));

  for (const token of tokens) {
    const creator = creatorById(token, tokens, userIds);
    if (creator === token.created_by) continue;
    await anyDb
      .updateTable('api_tokens')
      .set({ created_by: creator })
      .where('id', '=', token.id)
      .execute();
  }
  await anyDb.schema
    .createIndex('api_tokens_created_by')
    .on('api_tokens')
    .column('created_by')
    .execute();
}

/** The `created_by` value naming `token`'s creator by id, where the name says which one. */
function creatorById(token: TokenRow, tokens: TokenRow[], userIds: Map<string, string>): string {
  const by = token.created_by;
  if (by.startsWith('user:')) {
    return `user:${userIds.get(by.slice('user:'.length).toLowerCase()) ?? by.slice(5)}`;
  }
  if (!by.startsWith('token:')) return by;
  const name = by.slice('token:'.length);
  const candidates = tokens.filter(
    (t) => t.name === name && t.id !== token.id && t.created_at <= token.created_at,
  );
  return candidates.length === 1 ? `token:${candidates[0].id}` : `token-name:${name}`;
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await (db as AnyDb).schema.dropIndex('api_tokens_created_by').ifExists().execute();
}
