/**
 * The one account a SIEM line's user field names for an alert: the account the detection singled
 * out as the actor (the login after a brute force), else the first one the alert names.
 */

import type { AlertEntity } from '../../model/alert.js';

/**
 * The alert's account for a single user field (CEF `suser`, LEEF `usrName`).
 *
 * ```ts
 * alertAccount(alert.entities); // 'ubuntu', the account that logged in
 * ```
 */
export function alertAccount(entities: readonly AlertEntity[]): string | undefined {
  const accounts = entities.filter((e) => e.kind === 'account');
  return (accounts.find((e) => e.role === 'actor') ?? accounts[0])?.value;
}
