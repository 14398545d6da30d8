/** Builds a real server over a fresh in-memory store for tests, with helpers for credentials. */

import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterAll, beforeAll } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import type { PersonRole, Role } from '../../src/server/auth/permissions.js';
import { loadServerKey, type ServerKey } from '../../src/server/auth/server-key.js';
import { defaultConfig, type ServerConfig } from '../../src/server/config.js';
import { insertToken } from '../../src/server/identity/token-repository.js';
import { insertUser } from '../../src/server/identity/user-repository.js';
import type { Clock } from '../../src/server/server-deps.js';
import { openStore } from '../../src/store/database.js';
import type { Database } from '../../src/store/schema.js';

export interface Harness {
  app: FastifyInstance;
  db: Kysely<Database>;
  config: ServerConfig;
  /** The server key: kept beside a file store, random for an in-memory one. */
  serverKey: ServerKey;
  /** A fresh bearer token of `role` (optionally scoped). */
  token(role: Role, scopes?: string[]): Promise<string>;
  /** A fresh user; returns its id. */
  user(username: string, password: string, role: PersonRole, scopes?: string[]): Promise<string>;
  close(): Promise<void>;
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-01-01T00:00:00Z'): Clock & { advance(ms: number): void } {
  let now = Date.parse(start);
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
}

export async function startHarness(
  options: {
    config?: (c: ServerConfig) => void;
    clock?: Clock;
    location?: string;
    /** An open store to use (e.g. from STORE_TARGETS); its owner closes it, not `close()`. */
    db?: Kysely<Database>;
    /** The server key (a restart over `db` keeps the first server's); made from `location` else. */
    serverKey?: ServerKey;
  } = {},
): Promise<Harness> {
  const location = options.db ? ':memory:' : (options.location ?? ':memory:');
  const serverKey = options.serverKey ?? loadServerKey({ storeLocation: location });
  const db = options.db ?? (await openStore(location));
  const config = defaultConfig();
  options.config?.(config);
  const clock = options.clock ?? { now: () => new Date() };
  const app = await buildServer({
    db,
    config,
    logger: pino({ level: 'silent' }),
    clock,
    serverKey,
  });
  await app.ready();
  return {
    app,
    db,
    config,
    serverKey,
    async token(role, scopes = []) {
      const made = await db
        .transaction()
        .execute((trx) =>
          insertToken(trx, { name: `test-${role}`, role, scopes, createdBy: 'test' }, clock.now()),
        );
      return made.secret;
    },
    async user(username, password, role, scopes = []) {
      const made = await db
        .transaction()
        .execute((trx) => insertUser(trx, { username, password, role, scopes }, clock.now()));
      return made.id;
    },
    async close() {
      await app.close();
      if (!options.db) await db.destroy();
    },
  };
}

/** The suite's server and an Owner token, made once per file (see `ownerApi`). */
export interface OwnerApi {
  readonly h: Harness;
  readonly owner: string;
  /** A request as the Owner (its authorization header set). */
  inject(request: {
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    url: string;
    payload?: object;
  }): Promise<LightMyRequestResponse>;
  /** `POST /api/v1<url>` with `payload`, as the Owner. */
  post(url: string, payload: object): Promise<LightMyRequestResponse>;
}

/** Starts a harness before the file's tests and closes it after; requests go as the Owner. */
export function ownerApi(): OwnerApi {
  let h: Harness | undefined;
  let owner = '';
  beforeAll(async () => {
    h = await startHarness();
    owner = await h.token('owner');
  });
  afterAll(() => h?.close());
  const api: OwnerApi = {
    get h() {
      if (!h) throw new Error('the harness starts in beforeAll');
      return h;
    },
    get owner() {
      return owner;
    },
    inject: (request) =>
      api.h.app.inject({ ...request, headers: { authorization: `Bearer ${owner}` } }),
    post: (url, payload) => api.inject({ method: 'POST', url: `/api/v1${url}`, payload }),
  };
  return api;
}

/** The audit log's entries of `action`, oldest first, with their details parsed. */
export async function auditEntries(db: Kysely<Database>, action: string) {
  const rows = await db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', '=', action)
    .orderBy('seq')
    .execute();
  return rows.map((r) => ({ ...r, details: JSON.parse(r.details ?? '{}') }));
}

/** Calls the API under `/api/v1` as `token`; answers with the status and the parsed body. */
export function apiCaller(h: Pick<Harness, 'app'>, token: () => string) {
  return async (method: string, url: string, payload?: object) => {
    const res = await h.app.inject({
      method: method as 'GET',
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token()}` },
      ...(payload ? { payload } : {}),
    });
    return { status: res.statusCode, body: res.json() };
  };
}
