/**
 * What the logged-in caller may do, as the server's `/auth/me` lists it: the console shows only
 * the forms and buttons the role can use (the API refuses the rest anyway).
 */

import type { Me } from './types';

/** True when `me` holds `permission`, e.g. `can(me, 'users:write')`. */
export function can(me: Me, permission: string): boolean {
  return me.permissions?.includes(permission) ?? false;
}
