/**
 * Users, for Security Admins and Owners: list, create, change role, disable, enable, reset a
 * password. Nobody grants a role above their own management right or a scope wider than their
 * own, and the last enabled Owner cannot be demoted or disabled.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Transaction } from 'kysely';
import type { Database } from '../../store/schema.js';
import { hashPassword } from '../auth/passwords.js';
import { canManageRole, isRole, roleWithin, type Role } from '../auth/permissions.js';
import { scopesWithin } from '../auth/principal.js';
import { auditedChange } from '../audited-change.js';
import { forbidden, HttpError } from '../http-error.js';
import {
  findUser,
  findUserByName,
  insertUser,
  userView,
  type UserView,
} from '../identity/user-repository.js';
import { forgetOwnerPassword } from '../bootstrap-owner.js';
import { assertPasswordPolicy, NewPasswordSchema } from '../identity/password-policy.js';
import { auditRevokedWith } from '../identity/revoked-tokens-audit.js';
import { descendantTokens, revokeLive, userCreatorKeys } from '../identity/token-lineage.js';
import { pageOfVisibleIdentities } from '../identity/visible-identities.js';
import { applyFilters, Page, PageQueryFields, parseSort, SortField } from '../pagination.js';
import {
  IdParams,
  RoleSchema,
  ScopesChangeSchema,
  ScopesSchema,
  UserSchema,
  UsernameSchema,
} from './schemas.js';

const CreateUser = Type.Object(
  {
    username: UsernameSchema,
    password: NewPasswordSchema,
    role: RoleSchema,
    scopes: ScopesSchema,
  },
  { additionalProperties: false },
);

const ChangeRole = Type.Object(
  { role: RoleSchema, scopes: Type.Optional(ScopesChangeSchema) },
  { additionalProperties: false },
);

const ResetPassword = Type.Object({ password: NewPasswordSchema }, { additionalProperties: false });

/**
 * `/disable` takes no body, `{}` or `{ disabled: true }`; enabling has a route of its own. Other
 * properties are refused, as in every body: `{ "enabled": true }` must not disable.
 */
const DisableBody = Type.Union([
  Type.Object({ disabled: Type.Optional(Type.Boolean()) }, { additionalProperties: false }),
  Type.Null(),
]);

const ListQuery = Type.Object({
  ...PageQueryFields,
  sort: SortField(['username', 'created_at'], 'username'),
  role: Type.Optional(RoleSchema),
});

/** Refuses unless the caller may manage `role` and hand out `scopes`. */
function assertMayGrant(request: FastifyRequest, role: Role, scopes: string[]): void {
  const actor = request.principal!;
  if (!canManageRole(actor.role, role)) throw forbidden(`role ${actor.role} cannot manage ${role}`);
  if (!scopesWithin(scopes, actor.scopes)) {
    throw forbidden('scopes must lie within your own scopes');
  }
}

async function assertNotLastOwner(trx: Transaction<Database>, userId: string): Promise<void> {
  const owners = await trx
    .selectFrom('users')
    .select('id')
    .where('role', '=', 'owner')
    .where('disabled', '=', 0)
    .execute();
  if (owners.length === 1 && owners[0].id === userId) {
    throw new HttpError(409, 'LAST_OWNER', 'the last enabled owner cannot be demoted or disabled');
  }
}

async function loadManagedUser(request: FastifyRequest, id: string) {
  const row = await findUser(request.server.palisade.db, id);
  if (!row || !isRole(row.role)) throw new HttpError(404, 'NOT_FOUND', `no user ${id}`);
  if (row.id === request.principal!.id) {
    throw forbidden('you cannot change your own account here');
  }
  assertMayGrant(request, row.role, JSON.parse(row.scopes));
  return row;
}

/**
 * Ends every session of `user` and revokes every token of their lineage (each revocation audited
 * as caused by `action`); returns the revoked token ids.
 */
async function cutOffAccess(
  request: FastifyRequest,
  trx: Transaction<Database>,
  user: { id: string; username: string },
  action: string,
  now: string,
): Promise<string[]> {
  await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
  const lineage = await descendantTokens(trx, { creators: userCreatorKeys(user) });
  const revoked = await revokeLive(trx, lineage, now);
  await auditRevokedWith(request, trx, revoked, { kind: 'user', id: user.id, action });
  return revoked;
}

export const userRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { db, clock } = app.palisade;

  app.get(
    '/users',
    {
      config: { permission: 'users:read' },
      schema: {
        summary: 'List users (a scoped caller: those within its scopes it may manage)',
        tags: ['users'],
        querystring: ListQuery,
        response: { 200: Page(UserSchema) },
      },
    },
    async (request) => {
      const { cursor, limit, sort, role } = request.query;
      const query = applyFilters(db.selectFrom('users').selectAll(), { role }, { role: 'role' });
      // A scoped admin lists only the users it could manage (see visible-identities.ts).
      const page = await pageOfVisibleIdentities(query, request.principal!, {
        sort: parseSort(sort),
        cursor,
        limit,
      });
      return { items: page.items.map(userView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/users',
    {
      config: { permission: 'users:write' },
      schema: {
        summary: 'Create a user',
        tags: ['users'],
        body: CreateUser,
        response: { 201: UserSchema },
      },
    },
    async (request, reply) => {
      const body = request.body;
      assertPasswordPolicy('body/password', body.password);
      assertMayGrant(request, body.role, body.scopes);
      const taken = await findUserByName(db, body.username);
      if (taken) {
        throw new HttpError(
          409,
          'USERNAME_TAKEN',
          `username ${body.username} is taken (as ${taken.username}; names ignore case)`,
        );
      }

      const user = await auditedChange<UserView>(
        request,
        (u: UserView) => ({
          action: 'user.create',
          outcome: 'success',
          target: { kind: 'user', id: u.id },
          details: { username: u.username, role: u.role, scopes: u.scopes },
        }),
        (trx) => insertUser(trx, body, clock.now()),
      );
      return reply.code(201).send(user);
    },
  );

  app.put(
    '/users/:id/role',
    {
      config: { permission: 'users:write' },
      schema: {
        summary: "Change a user's role and scopes",
        tags: ['users'],
        params: IdParams,
        body: ChangeRole,
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const row = await loadManagedUser(request, request.params.id);
      const scopes = request.body.scopes ?? JSON.parse(row.scopes);
      assertMayGrant(request, request.body.role, scopes);

      const now = clock.now().toISOString();
      const updated = {
        ...row,
        role: request.body.role,
        scopes: JSON.stringify(scopes),
        updated_at: now,
      };
      await auditedChange<string[]>(
        request,
        (revokedTokens) => ({
          action: 'user.role.change',
          outcome: 'success',
          target: { kind: 'user', id: row.id },
          details: {
            from: { role: row.role, scopes: JSON.parse(row.scopes) },
            to: { role: updated.role, scopes },
            revokedTokens,
          },
        }),
        async (trx) => {
          if (row.role === 'owner' && updated.role !== 'owner')
            await assertNotLastOwner(trx, row.id);
          await trx
            .updateTable('users')
            .set({ role: updated.role, scopes: updated.scopes, updated_at: now })
            .where('id', '=', row.id)
            .execute();
          // Tokens made by the user, or by its tokens, with more power or reach than the new
          // role and scopes stop working, and every token made under them.
          const lineage = await descendantTokens(trx, { creators: userCreatorKeys(row) });
          const exceeding = lineage.filter(
            (t) =>
              !isRole(t.role) ||
              !roleWithin(t.role, updated.role) ||
              !scopesWithin(JSON.parse(t.scopes) as string[], scopes),
          );
          const under = await descendantTokens(trx, { tokens: exceeding });
          const revoked = await revokeLive(trx, [...exceeding, ...under], now);
          await auditRevokedWith(request, trx, revoked, {
            kind: 'user',
            id: row.id,
            action: 'user.role.change',
          });
          return revoked;
        },
      );
      return userView(updated);
    },
  );

  app.post(
    '/users/:id/disable',
    {
      config: { permission: 'users:write' },
      schema: {
        summary: 'Disable a user, end their sessions and revoke their tokens',
        tags: ['users'],
        params: IdParams,
        body: DisableBody,
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      if (request.body?.disabled === false) {
        throw new HttpError(
          400,
          'USE_ENABLE',
          `body/disabled false does not enable a user here: POST /users/${request.params.id}/enable`,
        );
      }
      const row = await loadManagedUser(request, request.params.id);
      const now = clock.now().toISOString();
      await auditedChange<string[]>(
        request,
        (revokedTokens) => ({
          action: 'user.disable',
          outcome: 'success',
          target: { kind: 'user', id: row.id },
          details: { revokedTokens },
        }),
        async (trx) => {
          if (row.role === 'owner') await assertNotLastOwner(trx, row.id);
          await trx
            .updateTable('users')
            .set({ disabled: 1, updated_at: now })
            .where('id', '=', row.id)
            .execute();
          // A disabled user's API tokens, and every token made by them, stop working with them.
          return cutOffAccess(request, trx, row, 'user.disable', now);
        },
      );
      return userView({ ...row, disabled: 1, updated_at: now });
    },
  );
  app.post(
    '/users/:id/enable',
    {
      config: { permission: 'users:write' },
      schema: {
        summary: 'Enable a disabled user (their revoked tokens stay revoked)',
        tags: ['users'],
        params: IdParams,
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const row = await loadManagedUser(request, request.params.id);
      if (row.disabled === 0) return userView(row);
      const now = clock.now().toISOString();
      await auditedChange(
        request,
        { action: 'user.enable', outcome: 'success', target: { kind: 'user', id: row.id } },
        async (trx) => {
          await trx
            .updateTable('users')
            .set({ disabled: 0, updated_at: now })
            .where('id', '=', row.id)
            .execute();
        },
      );
      return userView({ ...row, disabled: 0, updated_at: now });
    },
  );

  app.post(
    '/users/:id/password',
    {
      config: { permission: 'users:write' },
      schema: {
        summary:
          "Reset another user's password: ends their sessions and revokes their tokens " +
          '(your own: POST /auth/password)',
        tags: ['users'],
        params: IdParams,
        body: ResetPassword,
        response: { 200: UserSchema },
      },
    },
    async (request) => {
      const row = await loadManagedUser(request, request.params.id);
      assertPasswordPolicy('body/password', request.body.password);
      const hash = await hashPassword(request.body.password);
      const now = clock.now().toISOString();
      await auditedChange<string[]>(
        request,
        (revokedTokens) => ({
          action: 'user.password.reset',
          outcome: 'success',
          target: { kind: 'user', id: row.id },
          details: { username: row.username, revokedTokens },
        }),
        async (trx) => {
          await trx
            .updateTable('users')
            .set({ password_hash: hash, updated_at: now })
            .where('id', '=', row.id)
            .execute();
          // Whoever held the old password may hold a session or have made tokens with it.
          return cutOffAccess(request, trx, row, 'user.password.reset', now);
        },
      );
      await forgetOwnerPassword(db, app.palisade.config, row.id, request.log);
      return userView({ ...row, updated_at: now });
    },
  );
};
