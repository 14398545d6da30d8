/**
 * Several exporters on one store: a consumer's lease holds for as long as its drive sends, however
 * many slow pages that takes, so no second exporter sends the same records meanwhile; and an
 * exporter that has lost a lease neither sends for that consumer nor records anything for it.
 * Real webhook receivers on loopback, real exporters, each over its own store connection
 * (SQLite and PostgreSQL).
 */

import { createServer } from 'node:http';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { deliveryState, listDeadLetters } from '../../src/store/delivery-repository.js';
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
 * A webhook receiver that accepts each request after `delayMs`. `sent` counts how often each
 * record arrived; `requests` how many requests came.
 */
async function slowReceiver(delayMs: number) {
  const sent = new Map<string, number>();
  const state = { requests: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests += 1;
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        records: { id: string }[];
      };
      for (const { id } of body.records) sent.set(id, (sent.get(id) ?? 0) + 1);
      setTimeout(() => res.writeHead(200).end(), delayMs);
    });
  });
  const receiver = {
    ...(await listenOnLoopback(server, '/in')),
    sent,
    requests: () => state.requests,
  };
  open.push(receiver);
  return receiver;
}

/**
 * A webhook receiver that refuses every request with 503: at once, but the first only when the
 * test calls `release()`. `requests` counts the requests that came.
 */
async function refusingReceiver() {
  const state = { requests: 0, release: () => undefined as void };
  const released = new Promise<void>((r) => (state.release = r));
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      state.requests += 1;
      const answer = () => res.writeHead(503).end('down for maintenance');
      if (state.requests === 1) void released.then(answer);
      else answer();
    });
  });
  const receiver = {
    ...(await listenOnLoopback(server, '/in')),
    requests: () => state.requests,
    release: () => state.release(),
  };
  open.push(receiver);
  return receiver;
}

async function addExport(db: Kysely<Database>, url: string, input: Record<string, unknown>) {
  const settings = parseExportInput({
    name: 'shared',
    sink: { kind: 'webhook', url, secret: 'webhook-shared-secret-0123' },
    ...input,
  });
  return storeExport(db, settings);
}

function exporter(db: Kysely<Database>, owner: string, options: { now?: () => Date } = {}) {
  return quickExporter(db, open, { owner, leaseMs: 300, pagesPerPass: 100, ...options });
}

async function until(done: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const start = Date.now();
  while (!(await done()) && Date.now() - start < ms) await sleep(10);
}

describe.each(STORE_TARGETS)('exporters sharing a store on $name', (target) => {
  it.skipIf(target.skip)(
    'deliver each record exactly once when one drive outlasts the lease many times',
    async () => {
      await target.with(async ({ db, reopen }) => {
        const receiver = await slowReceiver(100);
        await addExport(db, receiver.url, { batchSize: 2 });
        const alerts = Array.from({ length: 40 }, (_, i) => testAlert(i));
        await saveAlerts(db, alerts, []);

        const started = Date.now();
        const first = exporter(db, 'first');
        first.start();
        await until(() => receiver.requests() > 0, 5_000);
        const second = exporter(await reopen(), 'second');
        second.start();
        await until(() => receiver.sent.size === alerts.length, 20_000);
        // Time for a late duplicate to arrive.
        await sleep(600);
        await Promise.all([first.stop(), second.stop()]);

        // Twenty pages of 100 ms: the drive lasted several leases of 300 ms.
        expect(Date.now() - started).toBeGreaterThan(1_500);
        expect(receiver.sent.size).toBe(alerts.length);
        const twice = [...receiver.sent].filter(([, n]) => n !== 1);
        expect(twice).toEqual([]);
      });
    },
  );

  it.skipIf(target.skip)(
    'records nothing for a consumer whose lease another exporter took during a send',
    async () => {
      await target.with(async ({ db, reopen }) => {
        const receiver = await refusingReceiver();
        const row = await addExport(db, receiver.url, { maxAttempts: 1 });
        const consumer = exportConsumer(row.id);
        await saveAlerts(db, [testAlert(1), testAlert(2)], []);
        const first = exporter(db, 'first');
        // Its clock runs ahead by more than a lease (as if the first had stalled that long).
        const ahead = exporter(await reopen(), 'second', {
          now: () => new Date(Date.now() + 3_600_000),
        });

        const firstPass = first.runOnce();
        await until(() => receiver.requests() === 1, 5_000);
        const secondPass = await ahead.runOnce();
        // The first's send fails only now, after the second took the consumer over.
        receiver.release();
        const firstOutcome = await firstPass;

        // Both sent the batch (the first's was in flight): the second dead-lettered it, once.
        expect(receiver.requests()).toBe(2);
        expect(secondPass.deadLettered).toBe(2);
        expect(firstOutcome.deadLettered).toBe(0);
        const dead = await listDeadLetters(db, consumer);
        expect(dead).toHaveLength(2);
        expect(new Set(dead.map((d) => d.record_id)).size).toBe(2);
        expect(await deliveryState(db, consumer)).toMatchObject({
          lease_owner: 'second',
          attempts: 0,
        });
      });
    },
  );
});
