/**
 * The dead-letter list of one outbox consumer (an export or an automation rule) and its replay,
 * registered for each kind under its own path, permissions and audit action.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Permission } from '../auth/permissions.js';
import { listDeadLetters, requestReplay, unreplayable } from '../../store/delivery-repository.js';
import { HttpError } from '../http-error.js';
import { auditedChange } from '../audited-change.js';
import { IdParams } from './schemas.js';

const DeadLetterSchema = Type.Object({
  id: Type.Integer(),
  recordId: Type.String(),
  outboxSeq: Type.Integer(),
  attempts: Type.Integer(),
  error: Type.String(),
  status: Type.String(),
  failedAt: Type.String(),
  replayedAt: Type.Union([Type.String(), Type.Null()]),
});

/** What differs between the consumers that have dead letters. */
export interface DeadLetterKind {
  /** Path segment and audit target kind: `exports`/`export`, `automations`/`automation`. */
  path: string;
  target: string;
  tag: string;
  read: Permission;
  write: Permission;
  /** The consumer's id once the caller may see it (throws 404/403 otherwise). */
  find(request: FastifyRequest<{ Params: { id: string } }>): Promise<string>;
  /** Its consumer name in the delivery tables. */
  consumer(id: string): string;
}

/** Registers `GET /{path}/:id/dead-letters` and `POST /{path}/:id/dead-letters/replay`. */
export function deadLetterRoutes(
  app: Parameters<FastifyPluginAsyncTypebox>[0],
  kind: DeadLetterKind,
): void {
  const { db } = app.palisade;

  app.get(
    `/${kind.path}/:id/dead-letters`,
    {
      config: { permission: kind.read },
      schema: {
        summary: `An ${kind.target}'s dead letters, newest first`,
        tags: [kind.tag],
        params: IdParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal('dead'), Type.Literal('replay'), Type.Literal('replayed')]),
          ),
          limit: Type.Integer({ minimum: 1, maximum: 1_000, default: 100 }),
          before: Type.Optional(Type.Integer({ minimum: 1, description: 'ids below this one' })),
        }),
        response: { 200: Type.Object({ items: Type.Array(DeadLetterSchema) }) },
      },
    },
    async (request) => {
      const id = await kind.find(request);
      const { status, limit, before } = request.query;
      const letters = await listDeadLetters(db, kind.consumer(id), {
        ...(status ? { status } : {}),
        limit,
        ...(before ? { beforeId: before } : {}),
      });
      return {
        items: letters.map((l) => ({
          id: Number(l.id),
          recordId: l.record_id,
          outboxSeq: Number(l.outbox_seq),
          attempts: l.attempts,
          error: l.error,
          status: l.status,
          failedAt: l.failed_at,
          replayedAt: l.replayed_at,
        })),
      };
    },
  );

  app.post(
    `/${kind.path}/:id/dead-letters/replay`,
    {
      config: { permission: kind.write },
      schema: {
        summary: 'Send dead letters again (the given ids, or all); the exporter sends them first',
        tags: [kind.tag],
        params: IdParams,
        body: Type.Object(
          { ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 10_000 })) },
          { additionalProperties: false, description: 'no ids: every dead letter' },
        ),
        response: { 200: Type.Object({ queued: Type.Integer() }) },
      },
    },
    async (request) => {
      const id = await kind.find(request);
      const ids = request.body.ids;
      if (ids) {
        const why = await unreplayable(db, kind.consumer(id), ids, `${kind.target} ${id}`);
        if (why) throw new HttpError(400, 'NOT_REPLAYABLE', why);
      }
      const queued = await auditedChange<number>(
        request,
        (n) => ({
          action: `${kind.target}.replay`,
          outcome: 'success',
          target: { kind: kind.target, id },
          details: { queued: n, ids: ids ?? 'all' },
        }),
        (trx) => requestReplay(trx, kind.consumer(id), ids),
      );
      return { queued };
    },
  );
}
