/** TypeBox schemas shared by several routes: roles, scopes, users, tokens. */

import { Type } from '@sinclair/typebox';
import { ROLES, TOKEN_ROLES } from '../auth/permissions.js';

/** One of the four roles of people. */
export const RoleSchema = Type.Union(
  ROLES.map((r) => Type.Literal(r)),
  { description: 'reader, security-operator, security-admin or owner' },
);

/** A token's role: a role of people, or a machine's (`ingest`, `metrics`). */
export const TokenRoleSchema = Type.Union(
  TOKEN_ROLES.map((r) => Type.Literal(r)),
  {
    description:
      'ingest (send events only), metrics (read /metrics only), reader, security-operator, ' +
      'security-admin or owner',
  },
);

/** No C0 or C1 control character (newlines, escapes, NUL) anywhere in a name. */
const NO_CONTROL_CHARACTERS = '^[^\\u0000-\\u001f\\u007f-\\u009f]+$';

/** A user's login name: letters, digits and `._@-`; unique regardless of case. */
export const UsernameSchema = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9._@-]+$',
  description: 'letters, digits and . _ @ -; case does not matter (stored lower-case)',
});

/** A name people give something (a token): printable, without control characters. */
export const DisplayNameSchema = Type.String({
  minLength: 1,
  maxLength: 128,
  pattern: NO_CONTROL_CHARACTERS,
  description: 'up to 128 characters, no control characters',
});

/** Cloud accounts, subscriptions or projects a principal is limited to; empty means all. */
const SCOPE_LIST = { maxItems: 1_000, uniqueItems: true } as const;

export const ScopesSchema = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  ...SCOPE_LIST,
  default: [],
});

/**
 * Scopes that, when left out, keep what is there (no default): a role change that names no
 * scopes must not widen a scoped user to every account.
 */
export const ScopesChangeSchema = Type.Array(
  Type.String({ minLength: 1, maxLength: 200 }),
  SCOPE_LIST,
);

/** A user as the API shows it. */
export const UserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  role: RoleSchema,
  scopes: Type.Array(Type.String()),
  disabled: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** An API token as listed: never its secret. */
export const TokenSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  role: TokenRoleSchema,
  scopes: Type.Array(Type.String()),
  createdBy: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
  expiresAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastUsedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  revokedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});

/** `:id` in a path. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
