import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { detect } from '../../src/detect/detect.js';
import { DetectionService } from '../../src/server/ingest/detection-service.js';
import { ingestRecords } from '../../src/server/ingest/record-intake.js';
import { openStore } from '../../src/store/database.js';
import { startHarness, type Harness } from './harness.js';
import { STRATUS } from './ingest-helpers.js';

const CLOUDTRAIL_DELETE = path.join(STRATUS, 'aws.defense-evasion.cloudtrail-delete.json');

let dir: string;
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(location: string): Promise<Harness> {
  const h = await startHarness({
    location,
    config: (c) => {
      c.ingest = { flushIntervalMs: 60_000 };
    },
  });
  open.push(h);
  return h;
}

/** The CloudTrail record that raises the built-in "audit logging stopped" alert, shifted in time. */
async function recordAt(minutes: number, sourceIp?: string): Promise<Record<string, unknown>> {
  const batch = await detect({ paths: [CLOUDTRAIL_DELETE] });
  const alert = batch.alerts.find((a) => a.title.startsWith('AWS audit logging stopped'))!;
  const record = structuredClone(alert.evidence[0].fields);
  const time = new Date(Date.parse(String(record.eventTime)) + minutes * 60_000);
  record.eventTime = time.toISOString().replace(/\.\d{3}Z$/, 'Z');
  record.eventID = `restart-test-${minutes}-${sourceIp ?? ''}`;
  if (sourceIp) record.sourceIPAddress = sourceIp;
  return record;
}

async function send(h: Harness, records: Record<string, unknown>[]): Promise<void> {
  const token = await h.token('security-operator');
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/v1/events',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
    payload: records.map((r) => JSON.stringify(r)).join('\n') + '\n',
  });
  expect(res.statusCode).toBe(202);
  await h.app.ingest.service.flush();
}

async function auditLoggingAlerts(h: Harness) {
  const rows = await h.db
    .selectFrom('alerts')
    .select(['id', 'event_count', 'first_seen', 'last_seen'])
    .where('title', 'like', 'AWS audit logging stopped%')
    .orderBy('first_seen')
    .execute();
  return rows;
}

describe('alert dedup across a restart', () => {
  it('folds a repeat after a restart into the stored alert, and its count goes on', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'palisade-dedup-'));
    const location = path.join(dir, 'palisade.db');
    const first = await start(location);
    await send(first, [await recordAt(0), await recordAt(2)]);
    const before = await auditLoggingAlerts(first);
    expect(before).toHaveLength(1);
    expect(before[0].event_count).toBe(2);
    await first.close();
    open.length = 0;

    const second = await start(location);
    expect(second.app.ingest.service.stats().alertsRestored).toBeGreaterThanOrEqual(1);
    const repeat = await recordAt(30);
    await send(second, [repeat]);
    const after = await auditLoggingAlerts(second);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({
      id: before[0].id,
      event_count: 3,
      first_seen: before[0].first_seen,
      last_seen: new Date(String(repeat.eventTime)).toISOString(),
    });
  });

  it('raises a new alert when the repeat comes after the dedup window, restart or not', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'palisade-dedup-'));
    const location = path.join(dir, 'palisade.db');
    const first = await start(location);
    await send(first, [await recordAt(0)]);
    await first.close();
    open.length = 0;

    const second = await start(location);
    await send(second, [await recordAt(3 * 60)]);
    const alerts = await auditLoggingAlerts(second);
    expect(alerts).toHaveLength(2);
    expect(alerts.map((a) => a.event_count)).toEqual([1, 1]);
  });

  it('keeps open alerts open when the in-memory alert builder is renewed', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'palisade-dedup-'));
    const db = await openStore(':memory:');
    const service = await DetectionService.start({
      db,
      logger: pino({ level: 'silent' }),
      flushIntervalMs: 60_000,
      maxAlertsInMemory: 4,
    });
    try {
      const feed = async (records: Record<string, unknown>[], batch: number) => {
        const body = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
        await ingestRecords(service, body, { file: `batch-${batch}`, intake: 'http' });
      };
      // Four addresses raise four alerts: the builder is full and is renewed with the newest
      // open alerts (half its room); the last address comes again.
      const ips = ['198.51.100.1', '198.51.100.2', '198.51.100.3', '198.51.100.4'];
      for (const [i, ip] of ips.entries()) await feed([await recordAt(i, ip)], i);
      await feed([await recordAt(10, ips[3])], 10);
      await service.flush();

      const rows = await db
        .selectFrom('alerts')
        .select(['id', 'event_count', 'entities'])
        .where('title', 'like', 'AWS audit logging stopped%')
        .execute();
      expect(rows).toHaveLength(4);
      const repeated = rows.find((r) => r.entities.includes(ips[3]))!;
      expect(repeated.event_count).toBe(2);
    } finally {
      await service.close();
      await db.destroy();
    }
  });
});

describe('events stamped in the future', () => {
  it('are refused at intake, naming the time, and raise nothing', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'palisade-dedup-'));
    const h = await start(path.join(dir, 'palisade.db'));
    const record = await recordAt(0);
    record.eventTime = '2099-01-01T00:00:00Z';
    const token = await h.token('security-operator');
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events?type=cloudtrail',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      payload: JSON.stringify(record) + '\n',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ events: 0, errors: 1 });
    expect(res.json().errorSamples[0]).toContain(
      "event time 2099-01-01T00:00:00.000Z lies more than 24 hours after the server's clock",
    );
    await h.app.ingest.service.flush();
    expect(await auditLoggingAlerts(h)).toEqual([]);
  });

  it('stored before they were refused, hold no restart from restoring the open alerts', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'palisade-dedup-'));
    const db = await openStore(path.join(dir, 'palisade.db'));
    const logger = pino({ level: 'silent' });
    const feed = async (service: DetectionService, records: Record<string, unknown>[]) => {
      const body = Buffer.from(records.map((r) => JSON.stringify(r)).join('\n') + '\n');
      await ingestRecords(service, body, { file: 'batch', intake: 'http' });
      await service.flush();
    };
    try {
      // An older server took an event from 2099 (no limit then), and a current one.
      const old = await DetectionService.start({ db, logger, maxFutureMs: Infinity });
      const future = await recordAt(0, '198.51.100.99');
      future.eventTime = '2099-01-01T00:00:00Z';
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const current = { ...(await recordAt(0, '198.51.100.7')), eventTime: now };
      await feed(old, [future, current]);
      await old.close();

      const restarted = await DetectionService.start({ db, logger });
      try {
        expect(restarted.stats().alertsRestored).toBeGreaterThanOrEqual(1);
        await feed(restarted, [{ ...current, eventID: 'restart-test-repeat' }]);
        const rows = await db
          .selectFrom('alerts')
          .select(['event_count', 'entities'])
          .where('title', 'like', 'AWS audit logging stopped%')
          .execute();
        const ofCurrent = rows.filter((r) => r.entities.includes('198.51.100.7'));
        expect(ofCurrent.map((r) => r.event_count)).toEqual([2]);
      } finally {
        await restarted.close();
      }
    } finally {
      await db.destroy();
    }
  });
});
