/**
 * First start: when the store holds no user and no token, create the Owner `owner` with a random
 * password. The caller shows it once to the person starting the server; it is never logged.
 */

import type { Kysely } from 'kysely';
import { randomBytes } from 'node:crypto';
import { appendAudit } from '../audit/append-audit.js';
import type { AuditSealer } from '../audit/audit-entry.js';
import type { Database } from '../store/schema.js';
import { insertUser, noCredentialsExist } from './identity/user-repository.js';
import type { Clock } from './server-deps.js';

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
  return credential;
}
