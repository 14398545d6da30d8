/**
 * Retry budgets belong to records: a record that joins the outbox while the batch before it is
 * failing gets every attempt of its own before it is dead-lettered, and its dead letter counts
 * the attempts it really had. Real webhook receiver, exporter and store (SQLite and PostgreSQL).
 */

import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { Exporter } from '../../src/export/exporter.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { deliveryState, listDeadLetters } from '../../src/store/delivery-repository.js';
import { exportConsumer, insertExport } from '../../src/store/export-repository.js';
import type { Database } from '../../src/store/schema.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { testAlert } from './support/alerts.js';
import { allowLoopbackExports } from './support/allow-loopback.js';

allowLoopbackExports();

const key = serverKeyFromBytes(Buffer.alloc(32, 7));

/** A webhook receiver that refuses every request with a 503, counting each record it was sent. */
async function refusingReceiver() {
  const sent = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        records: { id: string }[];
      };
      for (const { id } of body.records) sent.set(id, (sent.get(id) ?? 0) + 1);
      res.writeHead(503).end('down for maintenance');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/in`;
  return { url, sent, close: () => new Promise((r) => server.close(r)) };
}

/** Runs passes of `e` until `done` holds, or fails after `tries`. */
async function passesUntil(e: Exporter, done: () => Promise<boolean>, tries = 200) {
  for (let i = 0; i < tries; i += 1) {
    await e.runOnce();
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition never held');
}

async function addWebhookExport(db: Kysely<Database>, url: string) {
  const settings = parseExportInput({
    name: 'late records',
    sink: { kind: 'webhook', url, secret: 'webhook-shared-secret-0123' },
    maxAttempts: 3,
    batchSize: 10,
  });
  return db.transaction().execute((trx) => insertExport(trx, settings, key, 'test', new Date()));
}

describe.each(STORE_TARGETS)('record attempts on $name', (target) => {
  it.skipIf(target.skip)(
    'give a record that joins a failing batch late the full retry budget of its own',
    async () => {
      await target.with(async ({ db }) => {
        const receiver = await refusingReceiver();
        const e = new Exporter({
          db,
          key,
          owner: 'test',
          backoff: { baseMs: 1, maxMs: 4 },
          sinkDeps: { network: { allow: ['127.0.0.1'] } },
        });
        try {
          const row = await addWebhookExport(db, receiver.url);
          const consumer = exportConsumer(row.id);
          await saveAlerts(db, [testAlert(1)], []);
          await passesUntil(e, async () => (await deliveryState(db, consumer))?.attempts === 2);

          // Two attempts in, a second record arrives; the batch had room for it.
          await saveAlerts(db, [testAlert(2)], []);
          await passesUntil(e, async () => (await listDeadLetters(db, consumer)).length === 2);

          const dead = await listDeadLetters(db, consumer);
          for (const letter of dead) {
            expect(letter.attempts).toBe(3);
            expect(receiver.sent.get(letter.record_id)).toBe(letter.attempts);
          }
          expect(receiver.sent.size).toBe(2);
          const state = await deliveryState(db, consumer);
          expect(state).toMatchObject({ attempts: 0, batch_end_seq: null });
        } finally {
          await e.stop();
          await receiver.close();
        }
      });
    },
  );
});
