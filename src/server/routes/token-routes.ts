/**
 * API tokens, for Security Admins and Owners: list, create (the secret is in the reply once and
 * nowhere else), revoke. A token never gets a role or scope its creator could not grant, nor
 * outlives the token that made it; revoking a token revokes every token made under it.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import { canManageRole, isRole } from '../auth/permissions.js';
import { scopesWithin } from '../auth/principal.js';
import { auditedChange } from '../audited-change.js';
import { forbidden, HttpError } from '../http-error.js';
import { assertPlainText } from '../plain-text.js';
import { auditRevokedWith } from '../identity/revoked-tokens-audit.js';
import { creatorOf, descendantTokens, lineageOf, revokeLive } from '../identity/token-lineage.js';
import { insertToken, tokenView, type TokenView } from '../identity/token-repository.js';
import { pageOfVisibleIdentities } from '../identity/visible-identities.js';
import { Page, PageQueryFields, parseSort, SortField } from '../pagination.js';
import {
  DisplayNameSchema,
  IdParams,
  ScopesSchema,
  TokenRoleSchema,
  TokenSchema,
} from './schemas.js';

/** Days a token lives when the request names none, as in the console. */
export const DEFAULT_TOKEN_DAYS = 90;

const CreateToken = Type.Object(
  {
    name: DisplayNameSchema,
    role: TokenRoleSchema,
    scopes: ScopesSchema,
    expiresInDays: Type.Optional(
      Type.Union([Type.Integer({ minimum: 1, maximum: 3_650 }), Type.Null()], {
        description: `days until it expires (default ${DEFAULT_TOKEN_DAYS}); null: never expires`,
      }),
    ),
  },
  { additionalProperties: false },
);

const CreatedToken = Type.Intersect([
  TokenSchema,
  Type.Object({ token: Type.String({ description: 'the secret; shown only in this reply' }) }),
]);

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(['created_at', 'name'], '-created_at'),
  revoked: Type.Optional(Type.Boolean()),
});

/**
 * The latest expiry a token made by the token `id` may have: its own, or an earlier one of the
 * tokens that made it. Null when none of them expires.
 */
async function creatorExpiry(db: Kysely<Database>, id: string, now: Date): Promise<string | null> {
  const row = await db.selectFrom('api_tokens').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) return null;
  const { expiresAt } = await lineageOf(db, row, now);
  if (row.expires_at === null) return expiresAt;
  return expiresAt !== null && expiresAt < row.expires_at ? expiresAt : row.expires_at;
}

export const tokenRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock } = app.palisade;

  app.get(
    '/tokens',
    {
      config: { permission: 'tokens:read' },
      schema: {
        summary: 'List API tokens, never their secrets (a scoped caller: those it may revoke)',
        tags: ['tokens'],
        querystring: ListQuery,
        response: { 200: Page(TokenSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, revoked } = request.query;
      let query = db.selectFrom('api_tokens').selectAll();
      if (revoked !== undefined) {
        query = query.where('revoked_at', revoked ? 'is not' : 'is', null);
      }
      // A scoped admin lists only the tokens it could revoke (see visible-identities.ts).
      const page = await pageOfVisibleIdentities(query, request.principal!, {
        sort: parseSort(sort),
        cursor,
        limit,
      });
      return { items: page.items.map(tokenView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/tokens',
    {
      config: { permission: 'tokens:write' },
      schema: {
        summary: 'Create an API token; the reply carries the secret once',
        tags: ['tokens'],
        body: CreateToken,
        response: { 201: CreatedToken },
      },
    },
    async (request, reply) => {
      const actor = request.principal!;
      const body = request.body;
      assertPlainText('body/name', body.name);
      if (!canManageRole(actor.role, body.role)) {
        throw forbidden(`role ${actor.role} cannot create ${body.role} tokens`);
      }
      if (!scopesWithin(body.scopes, actor.scopes)) {
        throw forbidden('scopes must lie within your own scopes');
      }
      // Absent: the default lifetime; only an explicit null makes a never-expiring token.
      const expiresInDays =
        body.expiresInDays === null ? undefined : (body.expiresInDays ?? DEFAULT_TOKEN_DAYS);
      const expiresBy =
        actor.kind === 'token' ? await creatorExpiry(db, actor.id, clock.now()) : null;
      const created = await auditedChange<{ secret: string; token: TokenView }>(
        request,
        (c) => ({
          action: 'token.create',
          outcome: 'success',
          target: { kind: 'token', id: c.token.id },
          details: {
            name: c.token.name,
            role: c.token.role,
            scopes: c.token.scopes,
            expiresAt: c.token.expiresAt ?? 'never',
            ...(expiresBy !== null && c.token.expiresAt === expiresBy
              ? { expiryCappedAt: expiresBy }
              : {}),
          },
        }),
        (trx) =>
          insertToken(
            trx,
            { ...body, expiresInDays, createdBy: creatorOf(actor), expiresBy },
            clock.now(),
          ),
      );
      return reply.code(201).send({ ...created.token, token: created.secret });
    },
  );

  app.delete(
    '/tokens/:id',
    {
      config: { permission: 'tokens:write' },
      schema: {
        summary: 'Revoke an API token',
        tags: ['tokens'],
        params: IdParams,
        response: { 200: TokenSchema },
      },
    },
    async (request) => {
      const row = await db
        .selectFrom('api_tokens')
        .selectAll()
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!row || !isRole(row.role)) {
        throw new HttpError(404, 'NOT_FOUND', `no token ${request.params.id}`);
      }
      const actor = request.principal!;
      if (!canManageRole(actor.role, row.role)) {
        throw forbidden(`role ${actor.role} cannot revoke ${row.role} tokens`);
      }
      // A scoped admin manages only tokens inside its own scopes, never unscoped or wider ones.
      if (!scopesWithin(JSON.parse(row.scopes) as string[], actor.scopes)) {
        throw forbidden('you can revoke only tokens whose scopes lie within your own');
      }
      const revokedAt = row.revoked_at ?? clock.now().toISOString();
      await auditedChange<string[]>(
        request,
        (alsoRevoked) => ({
          action: 'token.revoke',
          outcome: 'success',
          target: { kind: 'token', id: row.id },
          details: { alsoRevoked },
        }),
        async (trx) => {
          await trx
            .updateTable('api_tokens')
            .set({ revoked_at: revokedAt })
            .where('id', '=', row.id)
            .execute();
          // Every token this one made, and theirs, goes with it.
          const descendants = await descendantTokens(trx, { tokens: [row] });
          const revoked = await revokeLive(trx, descendants, clock.now().toISOString());
          await auditRevokedWith(request, trx, revoked, { kind: 'token', id: row.id });
          return revoked;
        },
      );
      return tokenView({ ...row, revoked_at: revokedAt });
    },
  );
};
