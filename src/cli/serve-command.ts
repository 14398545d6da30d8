/**
 * `palisade serve`: runs the API server over the embedded store. On a fresh store it says where
 * the first Owner password was written; SIGINT/SIGTERM stop it gracefully.
 */

import { ConfigError, loadConfig, type ServerConfig } from '../server/config.js';
import { DEFAULT_STORE_PATH, redactLocation } from '../store/database.js';
import { storeFolderProblem } from '../store/store-path.js';
import { pino } from 'pino';
import { createLogger } from '../server/logger.js';
import { startServer } from '../server/start-server.js';
import type { OwnerCredential } from '../server/bootstrap-owner.js';
import { loadDemoData } from './demo-data.js';
import { EXIT_INPUT_ERROR, EXIT_OK, EXIT_STORE_LOST } from './exit-codes.js';

export interface ServeOptions {
  config?: string;
  db?: string;
  port?: number;
  host?: string;
  /** Load the team's sample estate and sample logs once the server is up. */
  demo?: boolean;
}

/** Starts the server and resolves with the exit code once it has stopped. */
export async function runServe(options: ServeOptions): Promise<number> {
  let config;
  try {
    config = loadConfig({
      file: options.config,
      env: process.env,
      overrides: {
        'store.location': options.db,
        'server.port': options.port,
        'server.host': options.host,
      },
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`palisade serve: configuration error: ${error.message}\n`);
    return EXIT_INPUT_ERROR;
  }
  // The store named by --db, PALISADE_DB or the configuration file alike.
  const storeProblem = storeFolderProblem(config.store.location);
  if (storeProblem) {
    process.stderr.write(`palisade serve: ${storeProblem}\n`);
    return EXIT_INPUT_ERROR;
  }

  // JSON logs go to stderr; stdout carries what a person starting the server needs to read.
  // Written synchronously: the last lines before a stop or a crash are the ones worth having.
  const logger = createLogger(config, pino.destination({ dest: 2, sync: true }));
  let server;
  try {
    server = await startServer(config, logger);
  } catch (error) {
    process.stderr.write(`palisade serve: ${(error as Error).message}\n`);
    return EXIT_INPUT_ERROR;
  }

  // Signals are taken before anything is printed: a supervisor that stops the server as soon as
  // it reads the first line must still get a graceful stop.
  const running = server;
  const stopped = new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`palisade serve: ${signal}, finishing requests in flight\n`);
      // A second signal exits at once.
      process.once(signal, () => process.exit(130));
      void running.stop().then(resolve);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });

  process.stdout.write(`Palisade is listening on ${server.url}\n`);
  if (options.demo) {
    try {
      const demo = await loadDemoData(server);
      process.stdout.write(
        demo.already
          ? `Demo data: the sample estate (${demo.source}) is a source; its sample log events were sent on the first start, not again.\n`
          : `Demo data: the sample estate (${demo.source}) is a source, and ${demo.events} sample log events were sent to detection.\n`,
      );
    } catch (error) {
      process.stderr.write(`palisade serve: demo data not loaded: ${(error as Error).message}\n`);
    }
  }
  if (!server.owner) {
    process.stdout.write(
      `The Owner login was created when this store was first started (its password file is ` +
        `beside the server key). To get in again:\n` +
        `  ${tokenCommand(config)}   (then use it as a Bearer token)\n`,
    );
  }
  if (server.owner) {
    showOwnerLogin(server.owner, server.ownerPasswordFile, server.url, tokenCommand(config));
  }

  const lost = server.lost.then(() => {
    process.stderr.write(
      'palisade serve: another server took this store while this one could not renew its lease; stopped\n',
    );
    return EXIT_STORE_LOST;
  });
  return Promise.race([stopped.then(() => EXIT_OK), lost]);
}

/**
 * The first Owner login, for the person starting the server and never for the log: stdout names
 * the 0600 file holding the password, and the password itself goes to stderr only when that is a
 * terminal (under systemd or Docker both streams are the log).
 */
function showOwnerLogin(
  owner: OwnerCredential,
  file: string | undefined,
  url: string,
  token: string,
): void {
  const where = file
    ? `Its password is in ${file} (readable by this user only).`
    : 'The store is in memory, so the password was written to no file.';
  process.stdout.write(
    `\nFirst start: an Owner login was created with username ${owner.username}. ${where}\n` +
      `Open ${url} in a browser and log in, or create an API token with\n` +
      `  ${token}\n\n`,
  );
  if (!process.stderr.isTTY) return;
  process.stderr.write(
    `\n  username: ${owner.username}\n  password: ${owner.password}\n` +
      '(shown because this is a terminal; it is never written to the log)\n\n',
  );
}

/**
 * The `palisade token create` line that reaches this server's store: with its `--db` and key
 * file when they are not the defaults (run bare, it would make a token in another store).
 */
function tokenCommand(config: ServerConfig): string {
  const location = config.store.location;
  const parts = ['palisade token create --role owner'];
  if (location !== DEFAULT_STORE_PATH) parts.push(`--db '${redactLocation(location)}'`);
  const keyFile = config.auth.secretKeyFile;
  return keyFile ? `PALISADE_SECRET_KEY_FILE='${keyFile}' ${parts.join(' ')}` : parts.join(' ');
}
