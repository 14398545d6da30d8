/**
 * Tokens revoked as a side effect (their creator revoked, disabled, demoted or reset) get a
 * `token.revoke` entry each, so the log says which tokens stopped working and why.
 */

import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';
import { appendRequestAudit } from '../audited-change.js';

/** Appends one `token.revoke` entry per id in `revoked`, naming `cause` (what was changed). */
export async function auditRevokedWith(
  request: FastifyRequest,
  trx: Transaction<Database>,
  revoked: string[],
  cause: { kind: 'token' | 'user'; id: string; action?: string },
): Promise<void> {
  for (const id of revoked) {
    await appendRequestAudit(request, trx, {
      action: 'token.revoke',
      outcome: 'success',
      target: { kind: 'token', id },
      details: { revokedWith: cause },
    });
  }
}
