/**
 * A batch a log forwarder sends again (a retry after a timeout) changes nothing: found in a trial,
 * where the same syslog lines sent twice to `POST /api/v1/events?type=syslog` doubled an alert's
 * event count, let the SSH brute force count each failure twice, and grew an alert the analyst
 * had resolved. Records without an id of their own are known by their content and occurrence in
 * the request, remembered in the store across restarts (SQLite and PostgreSQL). Real lines of
 * loghub's OpenSSH sample, msticpy's auditd and osquery logs, and Stratus CloudTrail records,
 * sent to a server on 127.0.0.1.
 */

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { alertStore } from '../../src/store/alert-repository.js';
import { exportStore } from '../../src/store/export-store.js';
import type { Database } from '../../src/store/schema.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';
import { STORE_TARGETS } from '../store/store-targets.js';
import { manualClock } from './harness.js';
import { shared } from '../support/paths.js';
import {
  cloudTrailRecords,
  DATA,
  SSH_BRUTE_FORCE,
  sshLines,
  startLive,
  type LiveHarness,
} from './ingest-helpers.js';

const AUDITD = shared('host-events/msticpy/auditd_log.txt');
const OSQUERY_RESULTS = shared('host-events/msticpy/osquery/osqueryd.results.log');
const OSQUERY_SNAPSHOTS = shared('host-events/msticpy/osquery/osqueryd.snapshots.log');
const AUDITD_RULES = path.join(DATA, 'sigma-rules/rules/linux/auditd');

/** Failed passwords of the loghub sample's busiest attacker, in the log's order. */
const ATTACKER = '183.62.140.253';
const failures = () =>
  sshLines().filter((l) => l.includes(`Failed password`) && l.includes(`from ${ATTACKER} `));

let dir: string;
const servers: LiveHarness[] = [];
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'palisade-repeats-'));
});
afterEach(async () => {
  for (const h of servers.splice(0)) await h.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stores = 0;
/** A server over a SQLite file of its own (or `location`), flushing only when asked. */
async function serve(
  location = path.join(dir, `store-${++stores}.db`),
  ingest: Parameters<typeof startLive>[0] = {},
): Promise<LiveHarness & { location: string }> {
  const h = await startLive({ flushIntervalMs: 600_000, ...ingest }, { location });
  servers.push(h);
  return Object.assign(h, { location });
}

interface Report {
  reader: string | null;
  events: number;
  errors: number;
  errorSamples: string[];
  outOfScope: number;
  repeats: number;
  stored: boolean;
}

/** Sends `body` as a forwarder does (stored before the answer) and reads the answer. */
async function send(
  h: LiveHarness,
  body: string | Buffer,
  type = 'syslog',
  headers: Record<string, string> = {},
): Promise<Report> {
  const token = await h.token('security-operator');
  const res = await fetch(`${h.url}/api/v1/events?type=${type}&wait=true`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/x-ndjson',
      ...headers,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const answer = (await res.json()) as Report;
  expect(res.status, JSON.stringify(answer)).toBe(202);
  return answer;
}

/** Syslog lines as a forwarder sends them: NDJSON, one JSON string a line. */
const ndjson = (lines: string[]) => lines.map((l) => JSON.stringify(l)).join('\n') + '\n';

/** Every stored alert, whole, by id. */
async function alertRows(h: LiveHarness) {
  const rows = await h.db.selectFrom('alerts').selectAll().orderBy('id').execute();
  return rows;
}

async function bruteForces(h: LiveHarness, ip = ATTACKER) {
  const rows = await h.db
    .selectFrom('alerts')
    .select(['id', 'status', 'event_count', 'last_seen', 'evidence', 'entities'])
    .where('rule_id', '=', SSH_BRUTE_FORCE)
    .execute();
  return rows.filter((r) => r.entities.includes(`"${ip}"`));
}

/** Receipt keys the store holds (a row holds those of one write). */
async function storedKeys(db: Kysely<Database>): Promise<number> {
  const rows = await db.selectFrom('received_records').select('count').execute();
  return rows.reduce((sum, r) => sum + Number(r.count), 0);
}

async function outboxSize(h: LiveHarness): Promise<number> {
  const rows = await exportStore(h.db).selectFrom('export_outbox').select('record_id').execute();
  return rows.length;
}

describe('syslog lines sent again to POST /api/v1/events', () => {
  it('change nothing: no event counted, no alert written, no export record', async () => {
    const h = await serve();
    await addOutboxConsumer(h.db);
    const lines = sshLines().slice(0, 300);
    const first = await send(h, ndjson(lines));
    expect(first).toMatchObject({ reader: 'syslog', events: 300, repeats: 0, errors: 0 });
    const alerts = await alertRows(h);
    expect((await bruteForces(h, '112.95.230.3')).length, 'loghub brute force').toBe(1);
    const records = await outboxSize(h);
    expect(records).toBeGreaterThan(0);

    const again = await send(h, ndjson(lines));
    expect(again).toMatchObject({ events: 0, repeats: 300, errors: 0, stored: true });
    // The same lines as `{ "message": ... }` objects (a forwarder's framing) are the same records.
    const objects = lines.map((message) => JSON.stringify({ message })).join('\n');
    expect(await send(h, objects)).toMatchObject({ events: 0, repeats: 300 });
    expect(await alertRows(h)).toEqual(alerts);
    expect(await outboxSize(h)).toBe(records);

    const metrics = await fetch(`${h.url}/metrics`, {
      headers: { authorization: `Bearer ${await h.token('owner')}` },
    });
    const text = await metrics.text();
    expect(text).toContain('palisade_intake_records_repeated_total{intake="http"} 600');
    expect(text).toContain('palisade_intake_events_parsed_total{intake="http"} 300');
    expect(text).toContain('palisade_intake_records_received_total{intake="http"} 900');
  });

  it('never add up to a brute force, while new failures still do', async () => {
    const h = await serve();
    const fails = failures();
    // Three failures: below the brute force's five, sent three times.
    for (let i = 0; i < 3; i++) {
      const report = await send(h, ndjson(fails.slice(0, 3)));
      expect(report).toMatchObject({ events: i === 0 ? 3 : 0, repeats: i === 0 ? 0 : 3 });
    }
    expect(await bruteForces(h)).toEqual([]);
    // Two more, sent with the three again (a retry merged with the next batch): five in all.
    const report = await send(h, ndjson(fails.slice(0, 5)));
    expect(report).toMatchObject({ events: 2, repeats: 3 });
    const [alert] = await bruteForces(h);
    expect(alert, 'five failures from one source within ten minutes').toBeDefined();
    expect(alert.event_count).toBe(5);
    const evidence = (JSON.parse(alert.evidence) as { fields: unknown }[]).map((e) =>
      JSON.stringify(e.fields),
    );
    expect(new Set(evidence).size).toBe(evidence.length);
  });

  it('count identical lines of one request apart, and each again only once', async () => {
    const h = await serve();
    const [line] = failures();
    // Five identical lines in one request: five records (rare, but a log may hold them).
    const five = await send(h, ndjson(Array(5).fill(line)));
    expect(five).toMatchObject({ events: 5, repeats: 0 });
    const [alert] = await bruteForces(h);
    expect(alert.event_count).toBe(5);

    expect(await send(h, ndjson(Array(5).fill(line)))).toMatchObject({ events: 0, repeats: 5 });
    // A sixth occurrence is a record of its own.
    expect(await send(h, ndjson(Array(6).fill(line)))).toMatchObject({ events: 1, repeats: 5 });
    const [grown] = await bruteForces(h);
    expect(grown).toMatchObject({ id: alert.id, event_count: 6 });
    // Fewer of them than already received are all repeats.
    expect(await send(h, ndjson(Array(2).fill(line)))).toMatchObject({ events: 0, repeats: 2 });
    expect((await bruteForces(h))[0].event_count).toBe(6);
  });

  it('leave a resolved alert untouched; later activity reopens it as before', async () => {
    const h = await serve();
    await addOutboxConsumer(h.db);
    const fails = failures();
    const batch = ndjson(fails.slice(0, 10));
    expect(await send(h, batch)).toMatchObject({ events: 10 });
    const [alert] = await bruteForces(h);
    const operator = await h.token('security-operator');
    const patch = await fetch(`${h.url}/api/v1/alerts/${alert.id}`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'resolved', comment: 'blocked at the edge' }),
    });
    expect(patch.status).toBe(200);
    const resolved = await alertRows(h);
    const records = await outboxSize(h);
    const timeline = () => alertStore(h.db).selectFrom('alert_timeline').selectAll().execute();
    const entries = (await timeline()).length;

    expect(await send(h, batch)).toMatchObject({ events: 0, repeats: 10 });
    expect(await alertRows(h)).toEqual(resolved);
    expect(await outboxSize(h)).toBe(records);
    expect((await timeline()).length).toBe(entries);

    // The next failures of the same attack are new activity: the alert is reopened.
    expect(await send(h, ndjson(fails.slice(0, 12)))).toMatchObject({ events: 2, repeats: 10 });
    const [reopened] = await bruteForces(h);
    expect(reopened).toMatchObject({ id: alert.id, status: 'active', event_count: 12 });
    expect(reopened.last_seen > alert.last_seen).toBe(true);
  });

  it('are stored with the alerts they formed: a failed write keeps neither', async () => {
    const h = await serve();
    const lines = sshLines().slice(0, 300);
    const operator = await h.token('security-operator');
    const post = () =>
      fetch(`${h.url}/api/v1/events?type=syslog&wait=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
        body: ndjson(lines),
      });
    // The store refuses the receipts: the write of the alerts with them fails as a whole.
    await sql`create trigger refuse before insert on received_records
      begin select raise(abort, 'refused by the test'); end`.execute(h.db);
    const refused = await post();
    expect(refused.status).toBe(503);
    expect(await alertRows(h)).toEqual([]);
    await sql`drop trigger refuse`.execute(h.db);

    // Sent again as the answer asks: the records are known (they are counted in memory), and
    // this time they are stored with their alerts.
    const again = await post();
    expect(again.status).toBe(202);
    expect(await again.json()).toMatchObject({ events: 0, repeats: 300, stored: true });
    const [alert] = await bruteForces(h, '112.95.230.3');
    expect(alert.event_count).toBeGreaterThan(5);
    expect(await storedKeys(h.db)).toBe(300);
  });

  it('are known when a request cut short is sent again whole (plain text lines)', async () => {
    const h = await serve();
    const lines = sshLines().slice(0, 400);
    const whole = gzipSync(lines.join('\n') + '\n');
    const cut = whole.subarray(0, Math.floor(whole.length / 2));
    const partial = await send(h, cut, 'syslog', { 'content-encoding': 'gzip' });
    expect(partial.events).toBeGreaterThan(0);
    expect(partial.events).toBeLessThan(400);
    const complete = await send(h, whole, 'syslog', { 'content-encoding': 'gzip' });
    expect(complete).toMatchObject({ events: 400 - partial.events, repeats: partial.events });
  });
});

describe('other records sent again', () => {
  it('auditd events: known by content, their alerts left as they were', async () => {
    const h = await serve(undefined, { rules: [AUDITD_RULES] });
    const body = readFileSync(AUDITD);
    const first = await send(h, body, 'auditd');
    expect(first.events).toBeGreaterThan(100);
    const alerts = await alertRows(h);
    expect(alerts.length, 'SigmaHQ auditd rules on msticpy auditd log').toBeGreaterThan(0);
    const again = await send(h, body, 'auditd');
    expect(again).toMatchObject({ events: 0, repeats: first.events });
    expect(await alertRows(h)).toEqual(alerts);
  });

  it('osquery results and snapshots: known by content, each row of a result apart', async () => {
    const h = await serve();
    for (const file of [OSQUERY_RESULTS, OSQUERY_SNAPSHOTS]) {
      const body = readFileSync(file);
      const first = await send(h, body, 'osquery');
      expect(first.events).toBeGreaterThan(10);
      expect(await send(h, body, 'osquery')).toMatchObject({ events: 0, repeats: first.events });
    }
  });

  it('CloudTrail records: known by eventID, whatever else the request holds', async () => {
    const h = await serve();
    const records = cloudTrailRecords().slice(0, 200);
    const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n';
    expect(await send(h, body, 'cloudtrail')).toMatchObject({ events: 200, repeats: 0 });
    // The same records in another order and another layout, one of them twice.
    const shuffled = [...records].reverse().map((r) => JSON.stringify(r, null, 1));
    const again = await send(h, `[${[...shuffled, shuffled[0]].join(',')}]`, 'cloudtrail');
    expect(again).toMatchObject({ events: 0, repeats: 201 });
  });
});

describe.each(STORE_TARGETS)('received records across a restart on $name', (target) => {
  it.skipIf(target.skip)('are still known, and the stored alerts stay as they were', async () => {
    await target.with(async (store) => {
      const lines = sshLines().slice(0, 300);
      const trail = cloudTrailRecords().slice(0, 50);
      const trailBody = trail.map((r) => JSON.stringify(r)).join('\n');

      const first = await startLive({ flushIntervalMs: 600_000 }, { db: store.db });
      servers.push(first);
      expect(await send(first, ndjson(lines))).toMatchObject({ events: 300 });
      expect(await send(first, trailBody, 'cloudtrail')).toMatchObject({ events: 50 });
      const alerts = await alertRows(first);
      expect((await bruteForces(first, '112.95.230.3')).length).toBe(1);
      await first.close();
      servers.length = 0;

      const db = await store.reopen();
      expect(await storedKeys(db)).toBe(350);
      // A row damaged by hand is skipped, not a reason to refuse to start.
      await db
        .insertInto('received_records')
        .values({ first_ms: Date.now(), last_ms: Date.now(), count: 3, keys: 'AAAA', times: '' })
        .execute();
      const second = await startLive(
        { flushIntervalMs: 600_000 },
        { db, serverKey: first.serverKey },
      );
      servers.push(second);
      expect(second.app.ingest.service.stats().receiptsRemembered).toBe(350);
      expect(await send(second, ndjson(lines))).toMatchObject({ events: 0, repeats: 300 });
      expect(await send(second, trailBody, 'cloudtrail')).toMatchObject({
        events: 0,
        repeats: 50,
      });
      expect(await alertRows(second)).toEqual(alerts);
      // New lines after the restart are counted, and remembered in their turn.
      const next = sshLines().slice(300, 320);
      expect(await send(second, ndjson(next))).toMatchObject({ events: 20, repeats: 0 });
      expect(await storedKeys(db)).toBe(370 + 3); // and the damaged row's count
      await second.close();
      servers.length = 0;
    });
  });
});

describe('the receipt window (ingest.repeats.hours)', () => {
  it('bounds how long records are known, in memory and in the store, restart or not', async () => {
    const clock = manualClock(new Date().toISOString());
    const location = path.join(dir, 'window.db');
    const ingest = { flushIntervalMs: 600_000, repeats: { hours: 1 } };
    const minutes = (n: number) => clock.advance(n * 60_000);
    const stored = (h: LiveHarness) => storedKeys(h.db);
    const a = ndjson(sshLines().slice(0, 50));
    const b = ndjson(sshLines().slice(50, 100));

    const first = await startLive(ingest, { location, clock });
    servers.push(first);
    expect(await send(first, a)).toMatchObject({ events: 50 });
    minutes(59);
    expect(await send(first, a)).toMatchObject({ events: 0, repeats: 50 });
    // An hour and a minute after `a` came: `a` is forgotten, and its rows go with the next write.
    minutes(2);
    expect(await send(first, b)).toMatchObject({ events: 50 });
    expect(await stored(first)).toBe(50);
    await first.close();
    servers.length = 0;

    // 59 minutes after `b` came, a restarted server still knows it; two minutes on, no longer.
    minutes(59);
    const second = await startLive(ingest, { location, clock });
    servers.push(second);
    expect(second.app.ingest.service.stats().receiptsRemembered).toBe(50);
    expect(await send(second, b)).toMatchObject({ events: 0, repeats: 50 });
    minutes(2);
    expect(await send(second, b)).toMatchObject({ events: 50, repeats: 0 });
  });
});

describe('the receipt cap (ingest.repeats.maxRecords)', () => {
  it('keeps the newest records, in memory and in the store', async () => {
    const clock = manualClock(new Date().toISOString());
    const location = path.join(dir, 'cap.db');
    const ingest = { flushIntervalMs: 600_000, repeats: { maxRecords: 1_000 } };
    const lines = sshLines();
    const a = ndjson(lines.slice(0, 1_000));
    const b = ndjson(lines.slice(1_000, 1_999));

    const h = await startLive(ingest, { location, clock });
    servers.push(h);
    expect(await send(h, a)).toMatchObject({ events: 1_000 });
    clock.advance(60_000);
    expect(await send(h, b)).toMatchObject({ events: 999 });
    clock.advance(60_000);
    expect(await send(h, b)).toMatchObject({ events: 0, repeats: 999 });
    // All but the last of `a` made room for `b`: `a` counts again, and now `b` is forgotten.
    clock.advance(60_000);
    expect(await send(h, a)).toMatchObject({ events: 1_000, repeats: 0 });
    expect(await storedKeys(h.db)).toBe(1_000);
    await h.close();
    servers.length = 0;

    const again = await startLive(ingest, { location, clock });
    servers.push(again);
    expect(await send(again, a)).toMatchObject({ events: 0, repeats: 1_000 });
    expect(await send(again, b)).toMatchObject({ events: 999, repeats: 0 });
  });
});
