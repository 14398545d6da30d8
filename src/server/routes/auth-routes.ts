/**
 * Console login and logout, `me`, and changing one's own password. Login is public and rate
 * limited (failures per username, and per username from one address, beside a ceiling per
 * address); it issues an HttpOnly session cookie and a CSRF token (cookie and body) the console
 * sends back in a header.
 */

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { CSRF_COOKIE, SESSION_COOKIE } from '../auth/cookies.js';
import { LoginThrottle } from '../auth/login-throttle.js';
import { RefusalSampler } from '../auth/refusal-sampler.js';
import { ROLE_PERMISSIONS } from '../auth/permissions.js';
import { hashPassword, unusablePasswordHash, verifyPassword } from '../auth/passwords.js';
import { auditedChange, auditRequest } from '../audited-change.js';
import { forgetOwnerPassword } from '../bootstrap-owner.js';
import { forbidden, HttpError } from '../http-error.js';
import { assertPasswordPolicy, NewPasswordSchema } from '../identity/password-policy.js';
import { closeSession, openSession } from '../identity/session-repository.js';
import { findUser, findUserByName, normalUsername, userView } from '../identity/user-repository.js';
import { TokenRoleSchema, UserSchema } from './schemas.js';

const LoginBody = Type.Object(
  {
    username: Type.String({ minLength: 1, maxLength: 128 }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
  },
  { additionalProperties: false },
);

const LoginReply = Type.Object({
  user: UserSchema,
  csrfToken: Type.String({ description: 'send as the x-csrf-token header on unsafe requests' }),
  expiresAt: Type.String({ format: 'date-time' }),
});

const ChangePassword = Type.Object(
  {
    currentPassword: Type.String({ minLength: 1, maxLength: 1024 }),
    newPassword: NewPasswordSchema,
  },
  { additionalProperties: false },
);

const Me = Type.Object({
  kind: Type.Union([Type.Literal('user'), Type.Literal('token')]),
  id: Type.String(),
  name: Type.String(),
  role: TokenRoleSchema,
  scopes: Type.Array(Type.String()),
  permissions: Type.Array(Type.String(), {
    description: "what the caller's role may do; the console shows only what it may use",
  }),
});

export const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { config, db, clock } = app.palisade;
  const secure = config.server.tls !== undefined;
  const { max, windowSeconds } = config.auth.loginRateLimit;
  const perUsername = config.auth.usernameRateLimit;
  const perClient = config.auth.clientUsernameRateLimit;
  // Failed logins per username, from any address.
  const throttle = new LoginThrottle({
    max: perUsername.max,
    windowMs: perUsername.windowSeconds * 1000,
  });
  // Failed logins per username from one address: a guesser is slowed on the accounts it tries,
  // never on the others, so the people sharing its address (a NAT, a proxy) still log in.
  const clientThrottle = new LoginThrottle({
    max: perClient.max,
    windowMs: perClient.windowSeconds * 1000,
  });
  const clientKey = (ip: string, name: string) => `${ip}\n${name}`;

  // Refusals by either limit are audited, at most one entry per address or username a window.
  const refusals = new RefusalSampler({
    windowMs: Math.min(windowSeconds, perUsername.windowSeconds, perClient.windowSeconds) * 1000,
  });

  /** Requests refused by the per-username throttle: the handler has sampled them already. */
  const throttledByName = new WeakSet<object>();

  app.post(
    '/auth/login',
    {
      config: { public: true, rateLimit: { max, timeWindow: windowSeconds * 1000 } },
      // The per-address limit answers 429 before the handler runs: it is recorded here.
      onResponse: async (request, reply) => {
        if (reply.statusCode !== 429 || request.audited || throttledByName.has(request)) return;
        const take = refusals.take(`address:${request.ip}`, clock.now());
        if (!take) return;
        await auditRequest(request, {
          action: 'auth.login',
          outcome: 'denied',
          details: { reason: 'RATE_LIMITED', refusedSinceLastEntry: take.unrecorded },
        }).catch((error: unknown) => request.log.error({ err: error }, 'audit entry not written'));
      },
      schema: {
        summary: 'Log in with username and password; sets the session cookie',
        tags: ['auth'],
        body: LoginBody,
        response: { 200: LoginReply },
      },
    },
    async (request, reply) => {
      const { username, password } = request.body;
      const name = normalUsername(username);
      // Checked before the password and whether the user exists: a guess past either limit
      // learns nothing, right or wrong, known user or not.
      const waitMs = Math.max(
        throttle.retryAfterMs(name, clock.now()),
        clientThrottle.retryAfterMs(clientKey(request.ip, name), clock.now()),
      );
      if (waitMs > 0) {
        const seconds = Math.ceil(waitMs / 1000);
        request.log.warn({ route: '/auth/login', seconds }, 'login throttled for a username');
        reply.header('retry-after', String(seconds));
        throttledByName.add(request);
        const take = refusals.take(`username:${name}`, clock.now());
        if (take) {
          await auditRequest(request, {
            action: 'auth.login',
            outcome: 'denied',
            target: { kind: 'user', id: null },
            details: {
              username,
              reason: 'LOGIN_THROTTLED',
              refusedSinceLastEntry: take.unrecorded,
            },
          });
        }
        throw new HttpError(
          429,
          'LOGIN_THROTTLED',
          `too many failed logins for this username; try again in ${seconds} s`,
        );
      }
      const user = await findUserByName(db, username);
      const valid = await verifyPassword(
        password,
        user?.password_hash ?? (await unusablePasswordHash()),
      );
      if (!user || !valid || user.disabled === 1) {
        throttle.fail(name, clock.now());
        clientThrottle.fail(clientKey(request.ip, name), clock.now());
        await auditRequest(request, {
          action: 'auth.login',
          outcome: 'failure',
          target: { kind: 'user', id: user?.id ?? null },
          details: { username, reason: user?.disabled === 1 ? 'disabled' : 'invalid' },
        });
        throw new HttpError(401, 'INVALID_LOGIN', 'invalid username or password');
      }

      throttle.succeed(name);
      clientThrottle.succeed(clientKey(request.ip, name));
      const now = clock.now();
      const session = await auditedChange(
        request,
        { action: 'auth.login', outcome: 'success', target: { kind: 'user', id: user.id } },
        async (trx) => {
          await trx
            .updateTable('users')
            .set({ last_login_at: now.toISOString() })
            .where('id', '=', user.id)
            .execute();
          return openSession(trx, user.id, config.auth.sessionHours, now);
        },
      );
      const cookie = { path: '/', sameSite: 'strict' as const, secure, expires: session.expiresAt };
      reply.setCookie(SESSION_COOKIE, session.secret, { ...cookie, httpOnly: true });
      reply.setCookie(CSRF_COOKIE, session.csrfToken, { ...cookie, httpOnly: false });
      return {
        user: userView({ ...user, last_login_at: now.toISOString() }),
        csrfToken: session.csrfToken,
        expiresAt: session.expiresAt.toISOString(),
      };
    },
  );

  app.post(
    '/auth/logout',
    {
      config: { permission: 'self:read' },
      schema: {
        summary: 'End the current session',
        tags: ['auth'],
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const idHash = request.principal?.sessionIdHash;
      await auditedChange(
        request,
        { action: 'auth.logout', outcome: 'success' },
        async (trx) => idHash && closeSession(trx, idHash),
      );
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(CSRF_COOKIE, { path: '/' });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/auth/password',
    {
      config: { permission: 'self:read' },
      schema: {
        summary: 'Change your own password (console users; ends your other sessions)',
        tags: ['auth'],
        body: ChangePassword,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const principal = request.principal!;
      if (principal.kind !== 'user') throw forbidden('an API token has no password to change');
      const { currentPassword, newPassword } = request.body;
      const user = await findUser(db, principal.id);
      if (!user) throw new HttpError(404, 'NOT_FOUND', `no user ${principal.id}`);
      const name = normalUsername(user.username);
      // A session left open is no way around the guess limit of the login.
      const waitMs = throttle.retryAfterMs(name, clock.now());
      if (waitMs > 0) {
        reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
        const take = refusals.take(`username:${name}`, clock.now());
        if (take) {
          await auditRequest(request, {
            action: 'user.password.change',
            outcome: 'denied',
            target: { kind: 'user', id: user.id },
            details: { reason: 'LOGIN_THROTTLED', refusedSinceLastEntry: take.unrecorded },
          });
        }
        throw new HttpError(429, 'LOGIN_THROTTLED', 'too many wrong passwords for this username');
      }
      if (!(await verifyPassword(currentPassword, user.password_hash))) {
        throttle.fail(name, clock.now());
        await auditRequest(request, {
          action: 'user.password.change',
          outcome: 'failure',
          target: { kind: 'user', id: user.id },
          details: { reason: 'wrong current password' },
        });
        throw new HttpError(403, 'WRONG_PASSWORD', 'body/currentPassword is not your password');
      }
      assertPasswordPolicy('body/newPassword', newPassword);

      const hash = await hashPassword(newPassword);
      const now = clock.now().toISOString();
      await auditedChange(
        request,
        {
          action: 'user.password.change',
          outcome: 'success',
          target: { kind: 'user', id: user.id },
        },
        async (trx) => {
          await trx
            .updateTable('users')
            .set({ password_hash: hash, updated_at: now })
            .where('id', '=', user.id)
            .execute();
          // Sessions opened elsewhere with the old password end; this one goes on.
          await trx
            .deleteFrom('sessions')
            .where('user_id', '=', user.id)
            .where('id_hash', '!=', principal.sessionIdHash ?? '')
            .execute();
        },
      );
      await forgetOwnerPassword(db, config, user.id, request.log);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/auth/me',
    {
      config: { permission: 'self:read' },
      schema: { summary: 'Who is calling', tags: ['auth'], response: { 200: Me } },
    },
    async (request) => {
      const principal = request.principal!;
      return { ...principal, permissions: [...ROLE_PERMISSIONS[principal.role]].sort() };
    },
  );
};
