/**
 * The PATCH of an alert or an incident: the comment checked as plain text, then the status change
 * and its timeline entry written in one transaction with the audit entry that records them.
 */

import type { FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import type { Transaction } from 'kysely';
import type { AlertStatus } from '../../model/alert.js';
import type { Database } from '../../store/schema.js';
import type { StatusChange } from '../../store/status-timeline.js';
import { actorOf, auditedChange } from '../audited-change.js';
import { assertPlainText } from '../plain-text.js';
import type { StatusChangeBody } from './alerts-schemas.js';

/** What the audit log needs of a written timeline entry. */
interface WrittenEntry {
  from: AlertStatus;
  to: AlertStatus;
  comment: string | null;
}

/**
 * Applies the request's change to alert or incident `id` with `write`, audited as
 * `alert.status` or `incident.status`. Undefined when `write` finds no such subject.
 */
export async function auditedStatusChange<E extends WrittenEntry>(
  request: FastifyRequest<{ Body: Static<typeof StatusChangeBody> }>,
  subject: 'alert' | 'incident',
  id: string,
  write: (
    trx: Transaction<Database>,
    id: string,
    change: StatusChange,
    now: Date,
  ) => Promise<E | undefined>,
): Promise<E | undefined> {
  assertPlainText('body/comment', request.body.comment, { multiline: true });
  const now = request.server.palisade.clock.now();
  return auditedChange<E | undefined>(
    request,
    (e) => ({
      action: `${subject}.status`,
      outcome: 'success',
      target: { kind: subject, id },
      details: { from: e?.from, to: e?.to, comment: e?.comment ?? null },
    }),
    (trx) => write(trx, id, { ...request.body, actor: actorOf(request) }, now),
  );
}
