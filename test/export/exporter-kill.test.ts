/**
 * Nothing lost: the exporter runs as a child process delivering to a real syslog TCP listener
 * (octet-counting framing) while alerts are being saved, and is killed with SIGKILL 100 times
 * at random moments. Every record must arrive at least once; a record that arrives twice must
 * be the same record under the same idempotency key.
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { openStore } from '../../src/store/database.js';
import { deliveryState } from '../../src/store/delivery-repository.js';
import { exportConsumer, insertExport } from '../../src/store/export-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { lastOutboxSeq } from '../../src/store/outbox-repository.js';
import type { Database } from '../../src/store/schema.js';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { startSyslogListener, type SyslogListener } from './support/syslog-listener.js';
import { testAlert } from './support/alerts.js';
import { allowLoopbackExports } from './support/allow-loopback.js';

allowLoopbackExports();

const KILLS = Number(process.env.KILL_TEST_KILLS ?? 100);
const root = resolve(import.meta.dirname, '../..');

/** The exporter bundled once, so each restart costs a Node start, not a TypeScript compile. */
async function bundleExporter(): Promise<string> {
  const dir = join(root, 'node_modules', '.cache', 'palisade-kill-test');
  mkdirSync(dir, { recursive: true });
  const outfile = join(dir, `exporter-${process.pid}.mjs`);
  await build({
    stdin: {
      contents: `import { runExporter } from ${JSON.stringify(join(root, 'src/export/exporter-process.ts'))};
await runExporter({ store: process.env.KILL_TEST_STORE, owner: 'kill-test', allow: ['127.0.0.1'], pollMs: 20 });`,
      resolveDir: root,
      loader: 'ts',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Dependencies bundled too (but the native ones): a restart then loads one file.
    external: ['better-sqlite3', 'pg-native'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    outfile,
    logLevel: 'silent',
    plugins: [
      {
        // version.ts reads package.json beside src/; the bundle lives elsewhere.
        name: 'version',
        setup(b) {
          b.onLoad({ filter: /src[\\/]version\.ts$/ }, () => ({
            contents: `export const VERSION = 'kill-test';`,
            loader: 'ts',
          }));
        },
      },
    ],
  });
  return outfile;
}

/** The exporter running now, killed after the tests whatever happened (a timeout included). */
let running: ChildProcess | undefined;

function startExporter(bundle: string, store: string): ChildProcess {
  running = spawn(process.execPath, [bundle], {
    env: { ...process.env, KILL_TEST_STORE: store },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return running;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('exporter under SIGKILL', () => {
  let dir: string;
  let db: Kysely<Database>;
  let listener: SyslogListener;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-kill-'));
    listener = await startSyslogListener();
    bundle = await bundleExporter();
  });
  afterAll(async () => {
    // A run cut short by its timeout leaves an exporter polling a deleted store otherwise.
    if (running && running.exitCode === null && running.signalCode === null) {
      running.kill('SIGKILL');
      await exited(running);
    }
    await listener?.close();
    await db?.destroy();
    rmSync(dir, { recursive: true, force: true });
    rmSync(bundle, { force: true });
  });

  it('loses nothing across 100 kills; duplicates carry the same idempotency key', async () => {
    const store = join(dir, 'palisade.db');
    db = await openStore(store);
    const key = loadServerKey({ storeLocation: store });
    const settings = parseExportInput({
      name: 'kill test',
      batchSize: 25,
      sink: { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port },
    });
    const exp = await db
      .transaction()
      .execute((trx) => insertExport(trx, settings, key, 'test', new Date()));

    // Produce alerts (each save writes its outbox records in its own transaction) meanwhile.
    let produced = 0;
    let producing = true;
    const producer = (async () => {
      while (producing) {
        const batch = Array.from({ length: 5 }, (_, i) => testAlert(produced + i));
        await saveAlerts(db, batch, []);
        produced += batch.length;
        await sleep(15);
      }
    })();

    let stderr = '';
    const started = Date.now();
    for (let kill = 0; kill < KILLS; kill += 1) {
      const child = startExporter(bundle, store);
      child.stderr!.on('data', (d) => (stderr += d));
      // Three kills in ten land while the process starts; the others while it delivers (once
      // it connected to the listener), at a random moment.
      if (Math.random() < 0.3) {
        await sleep(Math.random() * 400);
      } else {
        const connections = listener.connections;
        for (let i = 0; i < 300 && listener.connections === connections; i += 1) await sleep(5);
        await sleep(Math.random() * 150);
      }
      child.kill('SIGKILL');
      await exited(child);
      if (process.env.KILL_TEST_DEBUG) {
        process.stderr.write(
          `kill ${kill} at ${Date.now() - started} ms, received ${listener.messages.length}, produced ${produced}\n`,
        );
      }
      expect(child.signalCode, stderr).toBe('SIGKILL');
    }
    producing = false;
    await producer;

    // One last exporter, left to catch up.
    const last = await lastOutboxSeq(db);
    const child = startExporter(bundle, store);
    child.stderr!.on('data', (d) => (stderr += d));
    for (let i = 0; i < 600; i += 1) {
      const state = await deliveryState(db, exportConsumer(exp.id));
      if (Number(state?.cursor_seq) >= last) break;
      await sleep(50);
    }
    child.kill('SIGTERM');
    await exited(child);
    await sleep(200);

    const records = await exportStore(db)
      .selectFrom('export_outbox')
      .select(['record_id'])
      .execute();
    const producedIds = new Set(records.map((r) => r.record_id));
    const received = new Map<string, string[]>();
    for (const m of listener.messages) {
      received.set(m.id, [...(received.get(m.id) ?? []), m.body]);
    }
    const missing = [...producedIds].filter((id) => !received.has(id));
    const unknown = [...received.keys()].filter((id) => !producedIds.has(id));
    const duplicates = [...received.values()].reduce((n, bodies) => n + bodies.length - 1, 0);
    const mismatched = [...received.entries()].filter(([id, bodies]) =>
      bodies.some((b) => b !== bodies[0] || (JSON.parse(b) as { id: string }).id !== id),
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    process.stdout.write(
      `kill test: ${KILLS} SIGKILLs in ${seconds} s; alerts saved ${produced}, records produced ` +
        `${producedIds.size}, messages delivered ${listener.messages.length}, distinct ` +
        `${received.size}, duplicates ${duplicates}, missing ${missing.length}, ` +
        `frames cut by a kill ${listener.truncated}\n`,
    );

    expect(producedIds.size).toBeGreaterThan(1_000);
    expect(missing).toEqual([]);
    expect(unknown).toEqual([]);
    expect(mismatched).toEqual([]);
  }, 120_000);
});
