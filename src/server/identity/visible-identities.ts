/**
 * What an account-scoped admin may list of users and tokens: only those it could manage, whose
 * scopes lie within its own and whose role it may manage (never unscoped, wider or Owner ones).
 * Unscoped callers list everything with SQL pages; scoped ones get the same cursors in memory.
 */

import type { SelectQueryBuilder } from 'kysely';
import { paginateArray } from '../array-pagination.js';
import { canManageRole, isRole } from '../auth/permissions.js';
import { scopesWithin, type Principal } from '../auth/principal.js';
import { paginate, type Sort } from '../pagination.js';

/** The columns every listed identity row has. */
interface IdentityRow {
  id: string;
  role: string;
  scopes: string;
}

/** True when `actor` may see the user or token `row`. */
export function mayListIdentity(actor: Principal, row: IdentityRow): boolean {
  if (actor.scopes.length === 0) return true;
  if (!isRole(row.role) || !canManageRole(actor.role, row.role)) return false;
  return scopesWithin(JSON.parse(row.scopes) as string[], actor.scopes);
}

/** One page of `query`'s rows that `actor` may see, sorted by `sort` then id. */
export async function pageOfVisibleIdentities<DB, TB extends keyof DB, R extends IdentityRow>(
  query: SelectQueryBuilder<DB, TB, R>,
  actor: Principal,
  options: { sort: Sort; cursor?: string; limit: number },
): Promise<{ items: R[]; nextCursor: string | null }> {
  if (actor.scopes.length === 0) return paginate(query, { ...options, idColumn: 'id' });
  const rows = (await query.execute()).filter((r) => mayListIdentity(actor, r));
  return paginateArray(rows, {
    ...options,
    idOf: (r) => r.id,
    valueOf: (r, column) => (r as unknown as Record<string, string | number | null>)[column],
  });
}
