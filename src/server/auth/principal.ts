/** Who is calling: the user or API token behind a request, with its role and account scopes. */

import type { Role } from './permissions.js';

/** An authenticated caller. `scopes` empty means every account, subscription and project. */
export interface Principal {
  kind: 'user' | 'token';
  id: string;
  name: string;
  role: Role;
  scopes: string[];
  /** Set for cookie sessions: unsafe methods must carry the matching CSRF token. */
  sessionIdHash?: string;
  /** Digest of the session's CSRF token (cookie sessions only). */
  csrfHash?: string;
}

/** The actor recorded in the audit log for work done outside HTTP (CLI, first start). */
export interface SystemActor {
  kind: 'cli' | 'system';
  id: string | null;
  name: string | null;
}

/**
 * True when every account in `requested` is inside `allowed` (empty `allowed` means all):
 * nobody can hand out a wider scope than they hold.
 */
export function scopesWithin(requested: string[], allowed: string[]): boolean {
  if (allowed.length === 0) return true;
  if (requested.length === 0) return false;
  return requested.every((s) => allowed.includes(s));
}
