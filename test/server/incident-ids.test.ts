/**
 * An incident keeps its id as alerts join it, with its status and timeline; when two incidents
 * merge, the one with the earliest alert keeps its id and the other id still finds it.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketSubject } from '../../src/export/sinks/ticket-sink.js';
import { exportStore } from '../../src/store/export-store.js';
import { startHarness, type Harness } from './harness.js';
import { cloudTrailRecords } from './ingest-helpers.js';
import { addOutboxConsumer } from '../store/outbox-consumer.js';

const ACCOUNT = '111122223333';

interface Activity {
  ip: string;
  user: string;
  /** Minutes after 06:00. */
  minute: number;
  /** What the call acts on: the trail, the other user, the security group. */
  target: string;
}

/** The shared data's first successful record of `eventName`. */
function template(eventName: string): any {
  return cloudTrailRecords().find((r: any) => r.eventName === eventName && !r.errorCode);
}

/** A CloudTrail record of `eventName` that one built-in rule turns into an alert of its own. */
function record(eventName: string, a: Activity): string {
  const base = eventName === 'StopLogging' ? {} : structuredClone(template(eventName));
  const parameters: Record<string, Record<string, unknown>> = {
    StopLogging: { name: a.target },
    CreateAccessKey: { userName: a.target },
    AuthorizeSecurityGroupIngress: { ...base.requestParameters, groupId: a.target },
  };
  return JSON.stringify({
    ...base,
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      arn: `arn:aws:iam::${ACCOUNT}:user/${a.user}`,
      accountId: ACCOUNT,
      userName: a.user,
    },
    eventTime: new Date(Date.UTC(2026, 11, 5, 6, a.minute)).toISOString(),
    eventSource: eventName === 'StopLogging' ? 'cloudtrail.amazonaws.com' : base.eventSource,
    eventName,
    awsRegion: 'us-east-1',
    sourceIPAddress: a.ip,
    requestParameters: parameters[eventName],
    resources: undefined,
    errorCode: undefined,
    eventID: `${eventName}-${a.ip}-${a.minute}`,
    recipientAccountId: ACCOUNT,
  });
}

describe('incident ids as incidents grow and merge', () => {
  let h: Harness;
  let operator: string;

  beforeAll(async () => {
    h = await startHarness({
      config: (c) => {
        c.ingest = { flushIntervalMs: 60_000 };
      },
    });
    await addOutboxConsumer(h.db);
    operator = await h.token('security-operator');
  });
  afterAll(() => h.close());

  const auth = () => ({ authorization: `Bearer ${operator}` });

  const send = async (lines: string[]) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events?type=cloudtrail',
      headers: { ...auth(), 'content-type': 'application/x-ndjson' },
      payload: lines.join('\n') + '\n',
    });
    expect(res.statusCode, res.body).toBe(202);
    await h.app.ingest.service.flush();
  };

  const get = async (url: string) => {
    const res = await h.app.inject({ url: `/api/v1${url}`, headers: auth() });
    return { status: res.statusCode, body: res.json() };
  };

  const patch = async (id: string, payload: object) => {
    const res = await h.app.inject({
      method: 'PATCH',
      url: `/api/v1/incidents/${id}`,
      headers: auth(),
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  };

  /** The tickets a per-incident ticket sink files the exported alert records of `ip` under. */
  const ticketSubjects = async (ip: string) => {
    const rows = await exportStore(h.db)
      .selectFrom('export_outbox')
      .select('body')
      .where('type', '=', 'alert')
      .execute();
    const alerts = rows
      .map((r) => JSON.parse(r.body).data.alert)
      .filter((a) => a.entities.some((e: any) => e.value === ip));
    return new Set(alerts.map((a) => ticketSubject(a, 'incident')));
  };

  /** The stored incident holding the alerts of address `ip`. */
  const incidentOf = async (ip: string) => {
    const list = await get(`/incidents?entity=${encodeURIComponent(ip)}`);
    expect(list.body.items).toHaveLength(1);
    return list.body.items[0];
  };

  it('keeps its id, status and timeline when another alert joins', async () => {
    const who = { ip: '192.0.2.10', user: 'alice' };
    await send([
      record('StopLogging', { ...who, minute: 0, target: 'trail-a' }),
      record('CreateAccessKey', { ...who, minute: 1, target: 'bob' }),
    ]);
    const before = await incidentOf(who.ip);
    expect(before.alertIds).toHaveLength(2);
    await patch(before.id, { status: 'in_progress', comment: 'alice is on leave' });

    await send([record('AuthorizeSecurityGroupIngress', { ...who, minute: 2, target: 'sg-a' })]);

    const after = await get(`/incidents/${before.id}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ id: before.id, status: 'in_progress' });
    expect(after.body.alerts).toHaveLength(3);
    expect(after.body.alerts.map((a: any) => a.incidentId)).toEqual(Array(3).fill(before.id));
    const timeline = await get(`/incidents/${before.id}/timeline`);
    expect(timeline.body.items.map((e: any) => e.comment)).toEqual(['alice is on leave']);
    // Alerts exported before and after it grew file under one ticket of a per-incident sink.
    expect(await ticketSubjects(who.ip)).toEqual(new Set([`incident:${before.id}`]));
  });

  it("keeps the earliest incident's id when two merge, and the other id still finds it", async () => {
    const erin = { ip: '192.0.2.20', user: 'erin' };
    const lou = { ip: '198.51.100.30', user: 'lou' };
    await send([
      record('StopLogging', { ...erin, minute: 60, target: 'trail-e' }),
      record('CreateAccessKey', { ...erin, minute: 61, target: 'frank' }),
      record('StopLogging', { ...lou, minute: 70, target: 'trail-l' }),
      record('CreateAccessKey', { ...lou, minute: 71, target: 'max' }),
    ]);
    const early = await incidentOf(erin.ip);
    const late = await incidentOf(lou.ip);
    expect(late.id).not.toBe(early.id);
    await patch(late.id, { comment: 'lou rotated keys' });

    // Lou from erin's address: one alert that links both.
    await send([
      record('AuthorizeSecurityGroupIngress', {
        ip: erin.ip,
        user: lou.user,
        minute: 80,
        target: 'sg-k',
      }),
    ]);

    const merged = await incidentOf(lou.ip);
    expect(merged.id).toBe(early.id);
    expect(merged.alertIds).toHaveLength(5);
    const byOldId = await get(`/incidents/${late.id}`);
    expect(byOldId.status).toBe(200);
    expect(byOldId.body.id).toBe(early.id);
    const timeline = await get(`/incidents/${late.id}/timeline`);
    expect(timeline.body.items.map((e: any) => e.comment)).toEqual(['lou rotated keys']);
  });
});
