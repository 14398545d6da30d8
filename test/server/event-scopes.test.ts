/**
 * A sender limited to some accounts feeds detection only with events of those accounts: events
 * of other accounts, and events without an account, are dropped and counted, and a request of
 * nothing else is refused.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allAlerts,
  cloudTrailRecords,
  startLive,
  until,
  type LiveHarness,
} from './ingest-helpers.js';

const OURS = '111111111111';
const THEIRS = '222222222222';

/** A shared DeleteTrail record (an alert on its own), moved into `account` (`copy`: another one). */
function deleteTrail(account: string, copy = ''): string {
  const record = cloudTrailRecords().find(
    (r: any) => r.eventName === 'DeleteTrail' && !r.errorCode,
  ) as any;
  const moved = structuredClone(record);
  moved.recipientAccountId = account;
  moved.userIdentity = { ...moved.userIdentity, accountId: account };
  // A distinct id per account, so each copy is an event of its own.
  moved.eventID = `${record.eventID}-${account}${copy}`;
  return JSON.stringify(moved);
}

const SYSLOG_LINE = JSON.stringify(
  'Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 203.0.113.9 port 22 ssh2',
);

describe('POST /api/v1/events from a caller limited to accounts', () => {
  let h: LiveHarness;
  let scoped: string;
  let unscoped: string;
  let owner: string;

  beforeAll(async () => {
    h = await startLive();
    scoped = await h.token('security-operator', [OURS]);
    unscoped = await h.token('security-operator');
    owner = await h.token('owner');
  });
  afterAll(() => h.close());

  const post = async (token: string, lines: string[], query = '?type=cloudtrail') => {
    const res = await fetch(`${h.url}/api/v1/events${query}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body: lines.join('\n') + '\n',
    });
    return { status: res.status, body: await res.json() };
  };

  const accountsAlerted = async (token: string) =>
    new Set((await allAlerts(h, token)).map((a) => a.account));

  it('refuses events of another account, and raises no alert there', async () => {
    const refused = await post(scoped, [deleteTrail(THEIRS)]);
    expect(refused.status, JSON.stringify(refused.body)).toBe(403);
    expect(refused.body.code).toBe('OUT_OF_SCOPE');
    expect(refused.body.message).toMatch(/the event lies outside your scopes \(111111111111\)/);

    // Once an event of its own account has been turned into an alert, the other account's
    // would have been too: detection takes events in order.
    const allowed = await post(scoped, [deleteTrail(OURS)]);
    expect(allowed.status).toBe(202);
    expect(allowed.body).toMatchObject({ reader: 'cloudtrail', events: 1, outOfScope: 0 });
    await until(async () => (await accountsAlerted(scoped)).has(OURS));
    const everywhere = await accountsAlerted(unscoped);
    expect(everywhere.has(OURS)).toBe(true);
    expect(everywhere.has(THEIRS)).toBe(false);

    const audit = await h.get('/api/v1/audit?action=events.ingest', owner);
    const denied = audit.body.items.find((e: any) => e.outcome === 'denied');
    expect(denied.details).toMatchObject({ events: 0, outOfScope: 1 });
  });

  it('keeps the events of its accounts from a mixed batch and counts the rest', async () => {
    const batch = [deleteTrail(THEIRS, '-mixed'), deleteTrail(OURS, '-mixed')];
    const mixed = await post(scoped, batch);
    expect(mixed.status).toBe(202);
    expect(mixed.body).toMatchObject({ events: 1, outOfScope: 1, errors: 0, repeats: 0 });
    // Sent again: its event of our account was received before, which is no refusal.
    const again = await post(scoped, batch);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ events: 0, outOfScope: 1, errors: 0, repeats: 1 });
  });

  it('refuses events without an account, which only an unscoped caller may send', async () => {
    const syslog = await post(scoped, [SYSLOG_LINE], '?type=syslog');
    expect(syslog.status).toBe(403);
    expect(syslog.body.code).toBe('OUT_OF_SCOPE');
    const fromUnscoped = await post(unscoped, [SYSLOG_LINE, deleteTrail(THEIRS)], '');
    expect(fromUnscoped.status).toBe(202);
    expect(fromUnscoped.body).toMatchObject({ events: 1, outOfScope: 0 });
    const theirs = await post(unscoped, [deleteTrail(THEIRS)]);
    expect(theirs.body).toMatchObject({ events: 1, outOfScope: 0 });
  });
});
