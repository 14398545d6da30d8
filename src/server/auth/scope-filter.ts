/**
 * Account scoping: a principal limited to some cloud accounts, subscriptions or projects sees
 * only resources, findings and alerts of those. Routes ask `scopeFilter(request)`.
 */

import type { FastifyRequest } from 'fastify';
import { sql, type SelectQueryBuilder } from 'kysely';

/** The accounts a request may see; `unrestricted` means all of them. */
export interface ScopeFilter {
  unrestricted: boolean;
  accounts: readonly string[];
  /** True when a row of `account` is visible (rows with no account only when unrestricted). */
  allows(account: string | null | undefined): boolean;
}

/** The scope of the request's principal; a request with no principal sees nothing. */
export function scopeFilter(request: FastifyRequest): ScopeFilter {
  const scopes = request.principal?.scopes;
  const unrestricted = scopes !== undefined && scopes.length === 0;
  const accounts = scopes ?? [];
  return {
    unrestricted,
    accounts,
    allows: (account) => unrestricted || (!!account && accounts.includes(account)),
  };
}

/**
 * Narrows a query to the filter's accounts by the column `column` (e.g. `resources.account`).
 *
 * ```ts
 * const rows = await whereInScope(db.selectFrom('resources').selectAll(), 'account', filter)
 *   .execute();
 * ```
 */
export function whereInScope<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  column: string,
  filter: ScopeFilter,
): SelectQueryBuilder<DB, TB, O> {
  if (filter.unrestricted) return query;
  if (filter.accounts.length === 0) return query.where(sql<boolean>`1 = 0`);
  return query.where(sql.ref(column), 'in', [...filter.accounts] as never);
}
