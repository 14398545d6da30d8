/**
 * Roles and what each may do: the one permission matrix every route's declared permission is
 * checked against. docs/access-control.md mirrors this table.
 */

/** Roles from least to most privileged; a role never holds less than the one before it. */
export const ROLES = ['reader', 'security-operator', 'security-admin', 'owner'] as const;
export type Role = (typeof ROLES)[number];

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
  return (ROLES as readonly string[]).includes(value);
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
