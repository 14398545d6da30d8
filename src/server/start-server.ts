/**
 * Runs the server: opens the store, creates the first Owner on a fresh store, listens, and on
 * stop closes gracefully (no new connections; in-flight requests finish) within a time limit.
 */

import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { openStore, redactLocation } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { takeServerLease, type ServerLease } from '../store/server-lease.js';
import { buildServer } from './app.js';
import { assertChainKey, sealUnkeyedEntries } from '../audit/append-audit.js';
import { loadServerKey, serverKeyPath } from './auth/server-key.js';
import { exporterFor } from '../export/exporter-process.js';
import {
  bootstrapOwner,
  ownerPasswordPath,
  writeOwnerPassword,
  type OwnerCredential,
} from './bootstrap-owner.js';
import type { ServerConfig } from './config.js';
import { systemClock, type Clock } from './server-deps.js';

/** A running server. */
export interface RunningServer {
  app: FastifyInstance;
  db: Kysely<Database>;
  url: string;
  /** Set on the first start of a fresh store: show it once, then forget it. */
  owner: OwnerCredential | null;
  /**
   * The 0600 file the first Owner password was written to (beside the server key); undefined
   * when no Owner was created or the store is in memory.
   */
  ownerPasswordFile?: string;
  /** Graceful stop; resolves when in-flight requests have finished and the store is closed. */
  stop(): Promise<void>;
  /**
   * Resolves, after stopping, if another server took this store's lease (this one had stopped
   * renewing it for longer than a lease lasts): the process should end with an error.
   */
  lost: Promise<void>;
}

/** Starts Palisade with `config`, logging to `logger`. */
export async function startServer(
  config: ServerConfig,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<RunningServer> {
  // The key first: a store whose key file is unreadable must not start with a new key.
  const serverKey = loadServerKey({
    storeLocation: config.store.location,
    keyFile: config.auth.secretKeyFile,
  });
  const db = await openStore(config.store.location);
  // A key file path that names the wrong file (or none yet) gives a key the store was not made
  // with: refuse it before writing, as entries sealed with it would break the audit chain.
  await assertChainKey(db, serverKey).catch(async (error: unknown) => {
    await db.destroy();
    throw error;
  });
  // Before any write: a second server on this store refuses to start and changes nothing.
  let onLost = () => {};
  const lost = new Promise<void>((resolve) => {
    onLost = resolve;
  });
  let stopForLoss = () => {};
  let lease: ServerLease | undefined;
  if (config.store.location !== ':memory:') {
    lease = await takeServerLease(db, {
      onLost: (holder) => {
        logger.error(
          { holder: holder && { host: holder.host, pid: holder.pid } },
          'another server took this store; stopping',
        );
        stopForLoss();
      },
      onWait: (holder, ms) =>
        logger.warn(
          { holder: { host: holder.host, pid: holder.pid }, seconds: Math.ceil(ms / 1000) },
          'the store is held by a server that may have stopped; waiting for its lease to run out',
        ),
      onRenewError: (error) =>
        logger.warn({ err: (error as Error).message }, 'could not renew the store lease'),
    }).catch(async (error: unknown) => {
      await db.destroy();
      throw error;
    });
  }
  let app: FastifyInstance;
  let owner: OwnerCredential | null;
  let ownerPasswordFile: string | undefined;
  try {
    const sealed = await sealUnkeyedEntries(db, clock.now(), serverKey);
    if (sealed) logger.info({ entries: sealed.seq - 1 }, 'audit log sealed with the server key');
    owner = await bootstrapOwner(db, clock, serverKey);
    const keyFile = serverKeyPath({
      storeLocation: config.store.location,
      keyFile: config.auth.secretKeyFile,
    });
    if (owner && keyFile) {
      ownerPasswordFile = ownerPasswordPath(keyFile, config.store.location);
      writeOwnerPassword(ownerPasswordFile, owner);
    }
    app = await buildServer({ db, config, logger, clock, serverKey });
    await app.listen({ host: config.server.host, port: config.server.port });
  } catch (error) {
    await lease?.release().catch(() => undefined);
    await db.destroy();
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const scheme = config.server.tls ? 'https' : 'http';
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `${scheme}://${host}:${port}`;
  logger.info({ url, store: redactLocation(config.store.location) }, 'palisade server listening');
  // Continuous export and automation run beside the API, over the same store.
  const sendTimeout = config.export?.sendTimeoutSeconds;
  const exporter = exporterFor(db, serverKey, {
    logger,
    ...(sendTimeout ? { sendTimeoutMs: sendTimeout * 1000 } : {}),
  });
  exporter.start();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      logger.info({}, 'palisade server stopping');
      const limit = config.server.shutdownTimeoutSeconds * 1000;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          logger.warn({ seconds: config.server.shutdownTimeoutSeconds }, 'shutdown timed out');
          app.server.closeAllConnections();
          resolve();
        }, limit);
      });
      await Promise.race([app.close(), timeout]);
      clearTimeout(timer);
      await exporter.stop();
      await lease
        ?.release()
        .catch((error: unknown) =>
          logger.warn({ err: (error as Error).message }, 'could not give the store lease up'),
        );
      await db.destroy();
      logger.info({}, 'palisade server stopped');
    })();
    return stopping;
  };
  stopForLoss = () => void stop().then(onLost);
  return { app, db, url, owner, ownerPasswordFile, stop, lost };
}
