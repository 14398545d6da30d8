/**
 * What Palisade adds to Fastify's types: each route's declared permission (or `public`), the
 * caller on every request, and the dependencies on the instance.
 */

import type { Principal } from './auth/principal.js';
import type { Permission } from './auth/permissions.js';
import type { ServerDeps } from './server-deps.js';

/** One registered route, as the access hook saw it at registration. */
export interface RouteRecord {
  method: string;
  url: string;
  permission: Permission | null;
  public: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The permission a caller's role must hold; every non-public route declares one. */
    permission?: Permission;
    /** Reachable without credentials (health, login). */
    public?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Set once the route wrote its own audit entry. */
    audited: boolean;
  }
  interface FastifyInstance {
    palisade: ServerDeps;
    /** Every route registered, with its declared access. */
    routeCensus: RouteRecord[];
  }
}
