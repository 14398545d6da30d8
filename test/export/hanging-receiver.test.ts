/**
 * A receiver that accepts a connection and never answers holds up its own export only: the
 * other exports of the server deliver at their normal pace meanwhile, the hanging send is cut by
 * a timeout, and its records are retried and dead-lettered per the retry policy. Real HTTP and
 * TCP receivers on loopback, the real exporter and a real SQLite store.
 */

import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { Exporter } from '../../src/export/exporter.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { listDeadLetters } from '../../src/store/delivery-repository.js';
import { exportConsumer } from '../../src/store/export-repository.js';
import type { Database } from '../../src/store/schema.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { testAlert } from './support/alerts.js';
import { allowLoopbackExports } from './support/allow-loopback.js';
import {
  key,
  closedAfterEach,
  listenOnLoopback,
  quickExporter,
  sleep,
  storeExport,
} from './support/loopback-exporters.js';

allowLoopbackExports();

const SECRET = 'webhook-shared-secret-0123';

const open = closedAfterEach();

async function addExport(db: Kysely<Database>, input: Record<string, unknown>) {
  const settings = parseExportInput({ name: 'test', ...input });
  return storeExport(db, settings);
}

/** The record ids in a webhook body (`records`) or a Splunk HEC body (events back to back). */
function recordIds(body: string): string[] {
  if (body.startsWith('{"format"')) {
    return (JSON.parse(body) as { records: { id: string }[] }).records.map((r) => r.id);
  }
  return body
    .split('\n')
    .map((line) => (JSON.parse(line) as { fields: { palisade_id: string } }).fields.palisade_id);
}

/**
 * An HTTP receiver that reads each request and then never answers. `sent` counts, per path,
 * how often each record arrived; `hanging` is how many requests wait for an answer now.
 */
async function hangingReceiver() {
  const sent = new Map<string, Map<string, number>>();
  const waiting = new Set<ServerResponse>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      const counts = sent.get(path) ?? new Map<string, number>();
      sent.set(path, counts);
      for (const id of recordIds(Buffer.concat(chunks).toString('utf8'))) {
        counts.set(id, (counts.get(id) ?? 0) + 1);
      }
      waiting.add(res);
      res.on('close', () => waiting.delete(res));
    });
  });
  const receiver = {
    ...(await listenOnLoopback(server)),
    sent,
    hanging: () => waiting.size,
  };
  open.push(receiver);
  return receiver;
}

/** A webhook receiver that answers at once and notes when each alert arrived. */
async function answeringReceiver() {
  const arrived = new Map<string, number>();
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        records: { data: { alert: { id: string } } }[];
      };
      for (const record of body.records) arrived.set(record.data.alert.id, Date.now());
      res.writeHead(200).end('ok');
    });
  });
  const receiver = {
    ...(await listenOnLoopback(server, '/in')),
    arrived,
  };
  open.push(receiver);
  return receiver;
}

describe('a receiver that hangs', () => {
  it('holds up its own exports only, and is cut by the sink timeout and retried', async () => {
    await STORE_TARGETS[0].with(async ({ db }) => {
      const hang = await hangingReceiver();
      const healthy = await answeringReceiver();
      // Both hanging exports take critical alerts only; the healthy one takes everything.
      const stuck = { minSeverity: 'critical', maxAttempts: 2 };
      const webhook = await addExport(db, {
        ...stuck,
        sink: { kind: 'webhook', url: `${hang.url}/hook`, secret: SECRET, timeoutMs: 1_500 },
      });
      const hec = await addExport(db, {
        ...stuck,
        sink: {
          kind: 'splunk-hec',
          url: hang.url,
          token: 'hec-token-0123456789',
          timeoutMs: 1_500,
        },
      });
      await addExport(db, { sink: { kind: 'webhook', url: healthy.url, secret: SECRET } });
      await saveAlerts(db, [testAlert(3), testAlert(7)], []);

      const e = quickExporter(db, open);
      e.start();

      // Low-severity alerts, one at a time, until both hanging exports gave their records up:
      // each reaches the healthy receiver as fast as it would with no other export configured.
      const deadCount = async () =>
        (await listDeadLetters(db, exportConsumer(webhook.id))).length +
        (await listDeadLetters(db, exportConsumer(hec.id))).length;
      const latencies: number[] = [];
      let duringHang = 0;
      for (let n = 100; (await deadCount()) < 4 && n < 400; n += 4) {
        const alert = testAlert(n);
        if (hang.hanging() > 0) duringHang += 1;
        const savedAt = Date.now();
        await saveAlerts(db, [alert], []);
        while (!healthy.arrived.has(alert.id) && Date.now() - savedAt < 5_000) await sleep(5);
        latencies.push((healthy.arrived.get(alert.id) ?? Infinity) - savedAt);
        await sleep(100);
      }

      expect(Math.max(...latencies)).toBeLessThan(700);
      expect(duringHang).toBeGreaterThanOrEqual(5);
      // Cut at the sink's timeout, sent once more (maxAttempts 2), then dead-lettered.
      for (const [row, path] of [
        [webhook, '/hook'],
        [hec, '/services/collector/event'],
      ] as const) {
        const dead = await listDeadLetters(db, exportConsumer(row.id));
        expect(dead).toHaveLength(2);
        for (const letter of dead) {
          expect(letter).toMatchObject({ attempts: 2, status: 'dead' });
          expect(letter.error).toMatch(/timeout/);
          expect(hang.sent.get(path)?.get(letter.record_id)).toBe(2);
        }
      }
    });
  });

  it('is cut at the send timeout when the sink itself would wait longer', async () => {
    await STORE_TARGETS[0].with(async ({ db }) => {
      // An SMTP server that accepts the connection and never greets.
      const held: Socket[] = [];
      const smtp = createServer((socket) => held.push(socket));
      await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
      open.push({
        close: () => {
          for (const socket of held) socket.destroy();
          return new Promise((r) => smtp.close(r));
        },
      });
      const row = await addExport(db, {
        maxAttempts: 1,
        sink: {
          kind: 'email',
          host: '127.0.0.1',
          port: (smtp.address() as AddressInfo).port,
          from: 'palisade@example.com',
          to: ['soc@example.com'],
          timeoutMs: 600_000,
        },
      });
      await saveAlerts(db, [testAlert(1)], []);
      const e = new Exporter({
        db,
        key,
        owner: 'test',
        sendTimeoutMs: 500,
        sinkDeps: { network: { allow: ['127.0.0.1'] } },
      });
      open.push({ close: () => e.stop() });

      const started = Date.now();
      const pass = await e.runOnce();
      expect(Date.now() - started).toBeLessThan(3_000);
      expect(pass.deadLettered).toBe(1);
      expect(held).toHaveLength(1);
      const [letter] = await listDeadLetters(db, exportConsumer(row.id));
      expect(letter.error).toMatch(/more than 500 ms/);
    });
  });
});
