/**
 * An alert belongs to one cloud account: the same activity sent for another account, by a sender
 * scoped to it, raises that account's own alert and leaves the first one as it was.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './harness.js';
import { allAlerts, startLive, until, type LiveHarness } from './ingest-helpers.js';

const THEIRS = '444455556666';
const OURS = '111122223333';

/** A CloudTrail StopLogging record by mallory of 444455556666, received by `account`. */
function stopLogging(account: string, eventID: string, time: string): string {
  return JSON.stringify({
    eventVersion: '1.08',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEMALLORY',
      arn: `arn:aws:iam::${THEIRS}:user/mallory`,
      accountId: THEIRS,
      userName: 'mallory',
    },
    eventTime: time,
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    sourceIPAddress: '198.51.100.7',
    userAgent: 'aws-cli/2.13.0',
    requestParameters: { name: `arn:aws:cloudtrail:us-east-1:${THEIRS}:trail/main` },
    responseElements: null,
    eventID,
    readOnly: false,
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: 'Management',
  });
}

describe('POST /api/v1/events: alerts of two accounts', () => {
  let h: LiveHarness;
  let owner: string;
  let scoped: string;

  beforeAll(async () => {
    h = await startLive();
    owner = await h.token('owner');
    scoped = await h.token('security-operator', [OURS]);
  });
  afterAll(() => h.close());

  const post = async (token: string, line: string) => {
    const res = await fetch(`${h.url}/api/v1/events?type=cloudtrail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: line + '\n',
    });
    return { status: res.status, body: await res.json() };
  };

  /** The alerts `token` sees that `pick` keeps, once there are some. */
  const alertsSeen = (token: string, pick: (alert: any) => boolean) =>
    until(async () => {
      const found = (await allAlerts(h, token)).filter(pick);
      return found.length > 0 && found;
    }) as Promise<any[]>;

  it("raises the scoped sender's own alert and leaves the other account's alert unchanged", async () => {
    const first = await post(owner, stopLogging(THEIRS, '101', '2026-12-05T06:00:00Z'));
    expect(first.status, JSON.stringify(first.body)).toBe(202);
    const [theirs] = await alertsSeen(owner, (a) => a.account === THEIRS);
    expect(theirs.eventCount).toBe(1);

    const second = await post(scoped, stopLogging(OURS, '202', '2026-12-05T06:00:05Z'));
    expect(second.status, JSON.stringify(second.body)).toBe(202);
    expect(second.body).toMatchObject({ events: 1, outOfScope: 0 });
    const ours = await alertsSeen(scoped, (a) => a.rule.id === theirs.rule.id);

    expect(ours).toHaveLength(1);
    expect(ours[0].id).not.toBe(theirs.id);
    expect(ours[0].account).toBe(OURS);
    expect(ours[0].eventCount).toBe(1);
    const after = await h.get(`/api/v1/alerts/${theirs.id}`, owner);
    expect(after.body.eventCount).toBe(1);
    expect(after.body.evidence.map((e: any) => e.account)).toEqual([THEIRS]);
    const accounts = after.body.entities.filter((e: any) => e.kind === 'cloud-account');
    expect(accounts.map((e: any) => e.value)).toEqual([THEIRS]);
    expect((await h.get(`/api/v1/alerts/${theirs.id}`, scoped)).status).toBe(404);
  });
});

describe('alerts of two accounts across a restart', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'palisade-accounts-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const start = () =>
    startHarness({
      location: path.join(dir, 'palisade.db'),
      config: (c) => {
        c.ingest = { flushIntervalMs: 60_000 };
      },
    });

  const send = async (h: Harness, token: string, line: string) => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/v1/events?type=cloudtrail',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      payload: line + '\n',
    });
    expect(res.statusCode, res.body).toBe(202);
    await h.app.ingest.service.flush();
  };

  const stopAlerts = (h: Harness) =>
    h.db
      .selectFrom('alerts')
      .select(['id', 'event_count'])
      .where('evidence', 'like', '%StopLogging%')
      .orderBy('first_seen')
      .execute();

  it("reopens the second account's alert, so its repeat folds into it", async () => {
    const first = await start();
    await send(
      first,
      await first.token('owner'),
      stopLogging(THEIRS, '101', '2026-12-05T06:00:00Z'),
    );
    const scoped = await first.token('security-operator', [OURS]);
    await send(first, scoped, stopLogging(OURS, '202', '2026-12-05T06:00:05Z'));
    const before = await stopAlerts(first);
    expect(before.map((a) => a.event_count)).toEqual([1, 1]);
    await first.close();

    const second = await start();
    try {
      expect(second.app.ingest.service.stats().alertsRestored).toBe(2);
      const again = await second.token('security-operator', [OURS]);
      await send(second, again, stopLogging(OURS, '203', '2026-12-05T06:01:00Z'));
      const after = await stopAlerts(second);
      expect(after.map((a) => a.id)).toEqual(before.map((a) => a.id));
      expect(after.map((a) => a.event_count)).toEqual([1, 2]);
    } finally {
      await second.close();
    }
  });
});
