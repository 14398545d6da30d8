/**
 * The exporter as a process of its own (`palisade export run`) or inside `palisade serve`: opens
 * the store and the server key, and runs the delivery loop until stopped.
 */

import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { loadServerKey, type ServerKey } from '../server/auth/server-key.js';
import { openStore } from '../store/database.js';
import type { Database } from '../store/schema.js';
import { Exporter, type ExporterOptions } from './exporter.js';
import { allowListFromEnv } from './ssrf-guard.js';

/** Builds the exporter over an open store, with the network allow-list from the environment. */
export function exporterFor(
  db: Kysely<Database>,
  key: ServerKey,
  options: Partial<ExporterOptions> = {},
): Exporter {
  const allow = [...allowListFromEnv(), ...(options.sinkDeps?.network?.allow ?? [])];
  return new Exporter({
    ...options,
    db,
    key,
    sinkDeps: { ...options.sinkDeps, db, network: { allow } },
  });
}

/** What `runExporter` needs. */
export interface RunExporterOptions {
  store: string;
  keyFile?: string;
  owner?: string;
  /** Extra allowed destinations (CIDRs or host names). */
  allow?: string[];
  /** One pass, then exit. */
  once?: boolean;
  pollMs?: number;
  leaseMs?: number;
  /** Longest a sink may take to accept a batch (validated by the caller). */
  sendTimeoutMs?: number;
  logger?: Logger;
}

/**
 * Runs the exporter until SIGINT/SIGTERM (or one pass with `once`); resolves with what the last
 * pass did.
 */
export async function runExporter(options: RunExporterOptions) {
  const key = loadServerKey({ storeLocation: options.store, keyFile: options.keyFile });
  const db = await openStore(options.store);
  const exporter = exporterFor(db, key, {
    ...(options.owner ? { owner: options.owner } : {}),
    ...(options.pollMs ? { pollMs: options.pollMs } : {}),
    ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
    ...(options.sendTimeoutMs ? { sendTimeoutMs: options.sendTimeoutMs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
    sinkDeps: { network: { allow: options.allow ?? [] } },
  });
  try {
    if (options.once) {
      const total = { delivered: 0, deadLettered: 0, failures: 0, replayed: 0, busy: 0 };
      let leasedElsewhere = 0;
      for (;;) {
        const pass = await exporter.runOnce();
        for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += pass[k];
        leasedElsewhere = pass.leasedElsewhere;
        if (pass.busy === 0) break;
      }
      return { ...total, leasedElsewhere };
    }
    exporter.start();
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    return undefined;
  } finally {
    await exporter.stop();
    await db.destroy();
  }
}
