/**
 * Audit for HTTP: `auditedChange` runs a route's change and its audit entry in one transaction;
 * a hook records every other non-GET request (denied, failed, or a route that wrote none), so no
 * change escapes the log.
 */

import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import { appendAudit, recordAudit } from '../audit/append-audit.js';
import type { AuditEvent } from '../audit/audit-entry.js';
import type { Database } from '../store/schema.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** What a route says about its change; actor, address and request id come from the request. */
export type AuditFields = Omit<AuditEvent, 'actor' | 'ip' | 'requestId'>;

/** The audit actor of a request. */
export function actorOf(request: FastifyRequest): AuditEvent['actor'] {
  const p = request.principal;
  return p ? { kind: p.kind, id: p.id, name: p.name } : { kind: 'anonymous' };
}

/** Records an event for `request` in its own transaction (e.g. a failed login). */
export async function auditRequest(request: FastifyRequest, fields: AuditFields): Promise<void> {
  const { db, clock, serverKey } = request.server.palisade;
  request.audited = true;
  await recordAudit(
    db,
    { ...fields, actor: actorOf(request), ip: request.ip, requestId: request.id },
    clock.now(),
    serverKey,
  );
}

/**
 * Runs `change` and appends its audit entry in the same transaction: both are stored or neither.
 *
 * ```ts
 * const user = await auditedChange(request, (u) => ({ action: 'user.create', outcome: 'success',
 *   target: { kind: 'user', id: u.id } }), (trx) => insertUser(trx, body, now));
 * ```
 */
export async function auditedChange<T>(
  request: FastifyRequest,
  fields: AuditFields | ((result: T) => AuditFields),
  change: (trx: Transaction<Database>) => Promise<T>,
): Promise<T> {
  const { db } = request.server.palisade;
  const result = await db.transaction().execute(async (trx) => {
    const value = await change(trx);
    await appendRequestAudit(request, trx, typeof fields === 'function' ? fields(value) : fields);
    return value;
  });
  request.audited = true;
  return result;
}

/**
 * Appends an entry for `request` inside `trx`: for side effects of a change (tokens revoked with
 * their creator) that get entries of their own beside the change's.
 */
export async function appendRequestAudit(
  request: FastifyRequest,
  trx: Transaction<Database>,
  fields: AuditFields,
): Promise<void> {
  const { clock, serverKey } = request.server.palisade;
  const event = { ...fields, actor: actorOf(request), ip: request.ip, requestId: request.id };
  await appendAudit(trx, event, clock.now(), serverKey);
}

/** Records every non-GET request on a known route that did not audit itself. */
export function installAuditHook(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    if (READ_METHODS.has(request.method) || request.audited || request.is404) return;
    const status = reply.statusCode;
    // Requests nobody could be identified for (401) and throttled ones (429) change nothing and
    // are attributable to no one; recording each would let anyone grow the append-only log
    // without limit. They go to the server log instead; throttled logins are also recorded by
    // the login route, at most one entry per address or username a window (auth-routes.ts).
    // Denials of a known principal (403) stay.
    if (status === 401 || status === 429) {
      request.log.info(
        { route: request.routeOptions.url, status },
        'unauthenticated request refused',
      );
      return;
    }
    const outcome =
      status === 401 || status === 403 ? 'denied' : status >= 400 ? 'failure' : 'success';
    try {
      await auditRequest(request, {
        action: `http.${request.method.toLowerCase()}`,
        outcome,
        details: { route: request.routeOptions.url, status },
      });
    } catch (error) {
      request.log.error({ err: error }, 'audit entry could not be written');
    }
  });
}
