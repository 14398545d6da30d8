/** What the server is built from: passed in explicitly, so tests build it with their own. */

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Database } from '../store/schema.js';
import type { ServerKey } from './auth/server-key.js';
import type { ServerConfig } from './config.js';

/** The time source; tests pass a fixed or advancing clock. */
export interface Clock {
  now(): Date;
}

/** The real clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Everything `buildServer` needs. */
export interface ServerDeps {
  db: Kysely<Database>;
  config: ServerConfig;
  logger: Logger;
  clock: Clock;
  /** Seals the audit chain and encrypts stored secrets (`loadServerKey`). */
  serverKey: ServerKey;
}
