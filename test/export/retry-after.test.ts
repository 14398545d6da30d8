/**
 * A receiver that answers 429 or 503 with Retry-After gets no retry before the time it asked for,
 * in seconds or as an HTTP date; a Retry-After beyond the exporter's cap waits the cap. Real
 * webhook receivers on loopback, the real exporter and a real SQLite store.
 */

import { createServer } from 'node:http';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { MAX_RETRY_AFTER_MS } from '../../src/export/outbox/backoff.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { deliveryState } from '../../src/store/delivery-repository.js';
import { exportConsumer } from '../../src/store/export-repository.js';
import type { Database } from '../../src/store/schema.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { testAlert } from './support/alerts.js';
import { allowLoopbackExports } from './support/allow-loopback.js';
import {
  closedAfterEach,
  listenOnLoopback,
  quickExporter,
  sleep,
  storeExport,
} from './support/loopback-exporters.js';

allowLoopbackExports();

const open = closedAfterEach();

/**
 * A webhook receiver that refuses the first request with `status` and the Retry-After that
 * `retryAfter` gives at that moment, and accepts every later one. `arrivals` holds when each
 * request came (ms since the epoch); `refusedAt` when the refusal was answered.
 */
async function limitingReceiver(status: number, retryAfter: () => string) {
  const arrivals: number[] = [];
  const state = { refusedAt: 0, retryAfter: '' };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      arrivals.push(Date.now());
      if (arrivals.length > 1) {
        res.writeHead(200).end();
        return;
      }
      state.retryAfter = retryAfter();
      state.refusedAt = Date.now();
      res.writeHead(status, { 'retry-after': state.retryAfter }).end('slow down');
    });
  });
  const receiver = {
    ...(await listenOnLoopback(server, '/in')),
    arrivals,
    state,
  };
  open.push(receiver);
  return receiver;
}

async function addExport(db: Kysely<Database>, url: string) {
  const settings = parseExportInput({
    name: 'limited',
    sink: { kind: 'webhook', url, secret: 'webhook-shared-secret-0123' },
    maxAttempts: 5,
  });
  return storeExport(db, settings);
}

function exporter(db: Kysely<Database>) {
  // A backoff of a few milliseconds: any longer wait comes from the receiver.
  return quickExporter(db, open);
}

describe('Retry-After', () => {
  it('holds the retry back as long as a 429 or 503 asked, in seconds or as an HTTP date', async () => {
    await STORE_TARGETS[0].with(async ({ db }) => {
      const seconds = await limitingReceiver(429, () => '2');
      // An HTTP date has whole seconds: three seconds ahead, rounded down.
      const dated = await limitingReceiver(503, () => new Date(Date.now() + 3_000).toUTCString());
      await addExport(db, seconds.url);
      await addExport(db, dated.url);
      await saveAlerts(db, [testAlert(1)], []);

      exporter(db).start();
      const start = Date.now();
      while (
        (seconds.arrivals.length < 2 || dated.arrivals.length < 2) &&
        Date.now() - start < 10_000
      ) {
        await sleep(10);
      }

      expect(seconds.arrivals).toHaveLength(2);
      expect(seconds.arrivals[1] - seconds.state.refusedAt).toBeGreaterThanOrEqual(2_000);
      expect(dated.arrivals).toHaveLength(2);
      expect(dated.arrivals[1]).toBeGreaterThanOrEqual(Date.parse(dated.state.retryAfter));
      expect(dated.arrivals[1] - dated.state.refusedAt).toBeGreaterThan(1_000);
    });
  });

  it(`waits at most ${MAX_RETRY_AFTER_MS / 60_000} minutes however long the receiver asks`, async () => {
    await STORE_TARGETS[0].with(async ({ db }) => {
      const receiver = await limitingReceiver(429, () => String(24 * 3600));
      const row = await addExport(db, receiver.url);
      await saveAlerts(db, [testAlert(1)], []);

      const before = Date.now();
      expect(await exporter(db).runOnce()).toMatchObject({ failures: 1, delivered: 0 });
      const after = Date.now();

      const state = await deliveryState(db, exportConsumer(row.id));
      const next = Date.parse(state?.next_attempt_at ?? '');
      expect(next).toBeGreaterThanOrEqual(before + MAX_RETRY_AFTER_MS);
      expect(next).toBeLessThanOrEqual(after + MAX_RETRY_AFTER_MS);
    });
  });
});
