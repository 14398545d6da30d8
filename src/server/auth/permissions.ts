/**
 * Roles and what each may do: the one permission matrix every route's declared permission is
 * checked against. docs/access-control.md mirrors this table.
 */

/** Roles of people, from least to most privileged; a role never holds less than the one before it. */
export const ROLES = ['reader', 'security-operator', 'security-admin', 'owner'] as const;
/**
 * Roles for machines, held by API tokens only, one job each: `ingest` sends events (a log
 * shipper), `metrics` reads `/metrics` (a Prometheus scraper). Neither reads alerts or findings.
 */
export const SERVICE_ROLES = ['ingest', 'metrics'] as const;
export type PersonRole = (typeof ROLES)[number];
export type Role = PersonRole | (typeof SERVICE_ROLES)[number];
/** Every role a token may hold. */
export const TOKEN_ROLES: readonly Role[] = [...SERVICE_ROLES, ...ROLES];

/** Every permission a route can declare. */
export const PERMISSIONS = [
  'self:read',
  'api:read',
  'metrics:read',
  'posture:read',
  'alerts:read',
  'alerts:write',
  'events:write',
  'assessments:run',
  'exemptions:write',
  'sources:write',
  'users:read',
  'users:write',
  'tokens:read',
  'tokens:write',
  'audit:read',
  'exports:read',
  'exports:write',
  'automation:read',
  'automation:write',
  'assignments:write',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const READER: Permission[] = [
  'self:read',
  'api:read',
  'metrics:read',
  'posture:read',
  'alerts:read',
  'exports:read',
  'automation:read',
];
const OPERATOR: Permission[] = [...READER, 'alerts:write', 'events:write', 'assessments:run'];
const ADMIN: Permission[] = [
  ...OPERATOR,
  'exemptions:write',
  'sources:write',
  'users:read',
  'users:write',
  'tokens:read',
  'tokens:write',
  'audit:read',
  'exports:write',
  'automation:write',
  'assignments:write',
];

/** The permission matrix. Owner differs from Security Admin only in whom it may manage. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, ReadonlySet<Permission>>> = {
  ingest: new Set(['self:read', 'events:write']),
  metrics: new Set(['self:read', 'metrics:read']),
  reader: new Set(READER),
  'security-operator': new Set(OPERATOR),
  'security-admin': new Set(ADMIN),
  owner: new Set(ADMIN),
};

/** True when `role` holds `permission`. */
export function hasPermission(role: Role, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].has(permission);
}

/** True when `value` names a role. */
export function isRole(value: string): value is Role {
  return (TOKEN_ROLES as readonly string[]).includes(value);
}

/**
 * True when `role` holds no more than `of`: each of its permissions is one of `of`'s, and it is
 * no Owner unless `of` is (an Owner holds a Security Admin's permissions, and may manage Owners).
 */
export function roleWithin(role: Role, of: Role): boolean {
  if (role === 'owner' && of !== 'owner') return false;
  for (const permission of ROLE_PERMISSIONS[role]) {
    if (!ROLE_PERMISSIONS[of].has(permission)) return false;
  }
  return true;
}

/**
 * Whether `actor` may give (or take away) `target`: a Security Admin manages Readers, Operators
 * and other Security Admins, never an Owner; only an Owner makes or changes Owners.
 */
export function canManageRole(actor: Role, target: Role): boolean {
  if (!hasPermission(actor, 'users:write')) return false;
  if (target === 'owner') return actor === 'owner';
  return true;
}
