/** What exporter tests with loopback receivers share: a key, clean-up, quick exporters. */

import type { Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { afterEach } from 'vitest';
import type { ExportSettings } from '../../../src/export/exporter-config.js';
import { Exporter, type ExporterOptions } from '../../../src/export/exporter.js';
import { serverKeyFromBytes } from '../../../src/server/auth/server-key.js';
import { insertExport } from '../../../src/store/export-repository.js';
import type { Database } from '../../../src/store/schema.js';

/** The server key the tests' exports are sealed with. */
export const key = serverKeyFromBytes(Buffer.alloc(32, 7));

/** Waits `ms` milliseconds. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A list whose items are closed, last first, after each test of the calling file. */
export function closedAfterEach(): { close(): Promise<unknown> }[] {
  const open: { close(): Promise<unknown> }[] = [];
  afterEach(async () => {
    for (const item of open.splice(0).reverse()) await item.close();
  });
  return open;
}

/** Stores the export `settings` as made by 'test' now. */
export function storeExport(db: Kysely<Database>, settings: ExportSettings) {
  return db.transaction().execute((trx) => insertExport(trx, settings, key, 'test', new Date()));
}

/** An exporter polling every 20 ms, quick to retry, allowed to 127.0.0.1; closed through `open`. */
export function quickExporter(
  db: Kysely<Database>,
  open: { close(): Promise<unknown> }[],
  options: Partial<ExporterOptions> = {},
): Exporter {
  const e = new Exporter({
    db,
    key,
    owner: 'test',
    pollMs: 20,
    backoff: { baseMs: 1, maxMs: 4 },
    sinkDeps: { network: { allow: ['127.0.0.1'] } },
    ...options,
  });
  open.push({ close: () => e.stop() });
  return e;
}

/** Starts `server` on a free loopback port: its URL (ending in `path`), and a close. */
export async function listenOnLoopback(
  server: HttpServer,
  path = '',
): Promise<{ url: string; close(): Promise<unknown> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(r));
    },
  };
}
