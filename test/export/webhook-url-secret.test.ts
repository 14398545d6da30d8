/**
 * A key in a webhook URL's query string is a secret like any other: made through the API, the
 * URL is sealed at rest (no copy of the store without the key file reveals it), listed and audited
 * by its base only, kept out of dead letters and delivery errors, and still reaches the real
 * receiver on 127.0.0.1 whole. An export stored before such URLs were sealed delivers as before.
 */

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Exporter } from '../../src/export/exporter.js';
import { sealSecrets } from '../../src/export/exporter-secrets.js';
import { saveAlerts } from '../../src/store/alert-repository.js';
import { startConsumerDelivery } from '../../src/store/consumer-delivery.js';
import { listDeadLetters, requestReplay } from '../../src/store/delivery-repository.js';
import {
  exportConsumer,
  exportSinkConfig,
  exportView,
  findExportRow,
} from '../../src/store/export-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import { startHarness, type Harness } from '../server/harness.js';
import { realAlerts } from './formats/sample-records.js';
import { allowLoopbackExports } from './support/allow-loopback.js';

allowLoopbackExports();

const KEY_IN_URL = 'QUERYSECRET111';
const SIGNING_SECRET = 'a-very-long-shared-secret-123';

/** A webhook receiver that answers `status` and echoes the address it was posted to. */
interface Receiver {
  url: string;
  seen: string[];
  status: number;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const seen: string[] = [];
  const receiver = { seen, status: 200 } as Receiver;
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.url ?? '');
      res.writeHead(receiver.status, { 'content-type': 'text/plain' });
      res.end(receiver.status === 200 ? 'ok' : `no hook at ${req.url}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () => new Promise((r) => server.close(() => r()));
  return receiver;
}

/** Every row of every table of the store, as text: what a copy of the database holds. */
async function storeDump(h: Harness): Promise<string> {
  const tables = await sql<{ name: string }>`
    select name from sqlite_master where type = 'table'`.execute(h.db);
  const parts: string[] = [];
  for (const { name } of tables.rows) {
    const rows = await sql`select * from ${sql.table(name)}`.execute(h.db);
    parts.push(JSON.stringify(rows.rows));
  }
  return parts.join('\n');
}

describe('a key in a webhook URL query string', () => {
  let h: Harness;
  let admin: string;
  let receiver: Receiver;
  beforeAll(async () => {
    h = await startHarness();
    admin = await h.token('security-admin');
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver.close();
    await h.close();
  });

  const exporter = () =>
    new Exporter({
      db: h.db,
      key: h.serverKey,
      owner: 'test',
      backoff: { baseMs: 1, maxMs: 4 },
      sinkDeps: { network: { allow: ['127.0.0.1'] } },
    });

  /** Saves real alerts (CloudTrail and Sigma) and runs the exporter over them. */
  async function deliverAlerts(from: number, to: number): Promise<void> {
    const alerts = (await realAlerts()).slice(from, to);
    await saveAlerts(h.db, alerts, []);
    const e = exporter();
    for (let i = 0; i < 5; i += 1) await e.runOnce();
    await e.stop();
  }

  it('is sealed at rest, listed and audited without it, and kept out of dead letters', async () => {
    const url = `${receiver.url}/hook?apikey=${KEY_IN_URL}`;
    const made = await h.app.inject({
      method: 'POST',
      url: '/api/v1/exports',
      headers: { authorization: `Bearer ${admin}` },
      payload: {
        name: 'w',
        sink: { kind: 'webhook', url, secret: SIGNING_SECRET },
        maxAttempts: 1,
      },
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.body).not.toContain(KEY_IN_URL);
    const created = made.json().export;
    expect(created.sink.url).toBe(`${receiver.url}/hook`);

    const row = (await findExportRow(h.db, created.id))!;
    expect(row.sink_config).not.toContain(KEY_IN_URL);
    expect(row.sink_secrets).toMatch(/^palisade-secret:v1:/);
    expect(exportSinkConfig(row, h.serverKey).url).toBe(url);

    const listed = await h.app.inject({
      method: 'GET',
      url: '/api/v1/exports',
      headers: { authorization: `Bearer ${admin}` },
    });
    expect(listed.body).not.toContain(KEY_IN_URL);
    expect(listed.json().items[0].sink.url).toBe(`${receiver.url}/hook`);

    // The receiver refuses, echoing the address it was posted to: a final failure, dead-lettered.
    receiver.status = 400;
    await deliverAlerts(0, 3);
    expect(receiver.seen.length).toBeGreaterThan(0);
    expect(receiver.seen.every((u) => u === `/hook?apikey=${KEY_IN_URL}`)).toBe(true);
    const dead = await listDeadLetters(h.db, exportConsumer(created.id));
    expect(dead.length).toBe(3);
    expect(dead[0].error).toContain('400');

    expect(await storeDump(h)).not.toContain(KEY_IN_URL);

    // Replayed once the receiver takes them: the whole URL was used again, from the sealed part.
    receiver.status = 200;
    receiver.seen.length = 0;
    await requestReplay(h.db, exportConsumer(created.id));
    const e = exporter();
    for (let i = 0; i < 5; i += 1) await e.runOnce();
    await e.stop();
    expect(receiver.seen).toContain(`/hook?apikey=${KEY_IN_URL}`);
  });

  it('delivers as before for an export stored with its URL in the open part', async () => {
    const url = `${receiver.url}/legacy?apikey=OLDROW`;
    const id = 'legacy-row';
    const at = new Date().toISOString();
    await exportStore(h.db)
      .insertInto('exports')
      .values({
        id,
        name: 'old',
        enabled: 1,
        scope_kind: 'all',
        scope_value: null,
        data_types: JSON.stringify(['alert']),
        min_severity: null,
        format: 'json',
        sink_kind: 'webhook',
        sink_config: JSON.stringify({ kind: 'webhook', url, __secretFields: ['secret'] }),
        sink_secrets: sealSecrets(h.serverKey, { secret: SIGNING_SECRET }, `export:${id}`),
        max_attempts: 8,
        batch_size: 200,
        snapshot_minutes: null,
        last_snapshot_at: null,
        created_by: 'test',
        created_at: at,
        updated_at: at,
      })
      .execute();
    await h.db.transaction().execute((trx) => startConsumerDelivery(trx, exportConsumer(id), at));

    const row = (await findExportRow(h.db, id))!;
    expect(exportView(row).sink.url).toBe(`${receiver.url}/legacy`);
    expect(exportSinkConfig(row, h.serverKey).url).toBe(url);

    receiver.seen.length = 0;
    await deliverAlerts(3, 8);
    expect(receiver.seen).toContain('/legacy?apikey=OLDROW');
  });
});
