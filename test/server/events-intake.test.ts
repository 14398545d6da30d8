import { readFileSync } from 'node:fs';
import { constants as zlibConstants, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detect } from '../../src/detect/detect.js';
import {
  allAlerts,
  cloudTrailRecords,
  INVICTUS,
  startLive,
  STRATUS,
  until,
  type LiveHarness,
} from './ingest-helpers.js';
import { shared } from '../support/paths.js';

describe('POST /api/v1/events on a live server', () => {
  let h: LiveHarness;
  let operator: string;
  let reader: string;
  const records = cloudTrailRecords();
  const ndjson = records.map((r) => JSON.stringify(r)).join('\n') + '\n';

  beforeAll(async () => {
    h = await startLive();
    operator = await h.token('security-operator');
    reader = await h.token('reader');
  });
  afterAll(() => h.close());

  const post = (body: Buffer | string, headers: Record<string, string> = {}, query = '') =>
    fetch(`${h.url}/api/v1/events${query}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${operator}`,
        'content-type': 'application/x-ndjson',
        ...headers,
      },
      body: typeof body === 'string' ? body : new Uint8Array(body),
    });

  it('finds in Stratus and Invictus CloudTrail records sent as NDJSON what batch detect finds', async () => {
    const batch = await detect({ paths: [STRATUS, INVICTUS] });
    const res = await post(ndjson);
    expect(res.status).toBe(202);
    const report = await res.json();
    expect(report).toMatchObject({ reader: 'cloudtrail', events: batch.events, errors: 0 });

    const expected = batch.alerts.map((a) => a.id).sort();
    expect(expected.length).toBeGreaterThan(3);
    const listed = await until(async () => {
      const items = await allAlerts(h, reader);
      return items.length >= expected.length ? items : undefined;
    });
    expect(listed!.map((a) => a.id).sort()).toEqual(expected);
    // Stored incidents are the batch run's, formed incrementally.
    const incidents = await h.get('/api/v1/incidents?limit=500', reader);
    expect(incidents.body.items.map((i: any) => i.id).sort()).toEqual(
      batch.incidents.map((i) => i.id).sort(),
    );
  });

  it('reads the same records gzip-compressed, by header or by magic bytes', async () => {
    const before = (await allAlerts(h, reader)).map((a) => a.id).sort();
    const variants: Record<string, string>[] = [{ 'content-encoding': 'gzip' }, {}];
    for (const headers of variants) {
      const res = await post(gzipSync(ndjson), headers);
      expect(res.status).toBe(202);
      // Every record read, each known by its eventID as sent before: none is counted again.
      expect(await res.json()).toMatchObject({ events: 0, repeats: records.length, errors: 0 });
    }
    await h.app.ingest.service.flush();
    // Nothing new is raised.
    expect((await allAlerts(h, reader)).map((a) => a.id).sort()).toEqual(before);
  });

  it('takes an empty body or blank lines as no records, not as a rejected one', async () => {
    for (const body of ['', '\n\n', '  \r\n']) {
      const res = await post(body);
      expect(res.status).toBe(202);
      expect(await res.json()).toMatchObject({ events: 0, errors: 0 });
    }
  });

  it('filters, sorts and pages the alert list', async () => {
    const all = await allAlerts(h, reader);
    const high = await allAlerts(h, reader, 'severity=high&severity=critical');
    expect(high.length).toBe(all.filter((a) => ['high', 'critical'].includes(a.severity)).length);
    const bySeverity = await allAlerts(h, reader, 'sort=-severity');
    const ranks = ['informational', 'low', 'medium', 'high', 'critical'];
    const seen = bySeverity.map((a) => ranks.indexOf(a.severity));
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
    const one = all.find((a) => a.entities.some((e: any) => e.kind === 'ip'))!;
    const ip = one.entities.find((e: any) => e.kind === 'ip').value;
    const withIp = await allAlerts(h, reader, `entity=${encodeURIComponent(ip)}`);
    expect(withIp.map((a) => a.id)).toContain(one.id);
    expect(withIp.every((a) => a.entities.some((e: any) => e.value === ip))).toBe(true);
    const byRule = await allAlerts(h, reader, `rule=${one.rule.id}`);
    expect(new Set(byRule.map((a) => a.rule.id))).toEqual(new Set([one.rule.id]));
    const page = await h.get('/api/v1/alerts?limit=1&sort=lastSeen', reader);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).not.toBeNull();
    const late = await allAlerts(h, reader, `since=${encodeURIComponent(one.lastSeen)}`);
    expect(late.every((a) => a.lastSeen >= one.lastSeen)).toBe(true);
  });

  it('shows an alert with evidence, ATT&CK mapping, entities, rule author and licence', async () => {
    const [first] = await allAlerts(h, reader, 'sort=-severity');
    const res = await h.get(`/api/v1/alerts/${first.id}`, reader);
    expect(res.status).toBe(200);
    expect(res.body.evidence.length).toBeGreaterThan(0);
    expect(res.body.evidence[0].fields.eventName).toBeTypeOf('string');
    expect(res.body.rule.author).toBeTruthy();
    expect(res.body.rule.license).toBe('Apache-2.0');
    expect(res.body.attack.tactics.length + res.body.attack.techniques.length).toBeGreaterThan(0);
    expect((await h.get('/api/v1/alerts/no-such-alert', reader)).status).toBe(404);
  });

  it('lists an incident with its alerts in kill-chain order', async () => {
    const list = await h.get('/api/v1/incidents', reader);
    expect(list.body.items.length).toBeGreaterThan(0);
    const incident = await h.get(`/api/v1/incidents/${list.body.items[0].id}`, reader);
    expect(incident.status).toBe(200);
    expect(incident.body.alerts.map((a: any) => a.id)).toEqual(incident.body.alertIds);
    expect(incident.body.alerts.every((a: any) => a.incidentId === incident.body.id)).toBe(true);
  });

  it('changes an alert status with a comment, audited, and shows it in the timeline', async () => {
    const [alert] = await allAlerts(h, reader);
    const patch = (body: unknown, token = operator) =>
      fetch(`${h.url}/api/v1/alerts/${alert.id}`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await patch({ status: 'in_progress' }, reader)).status).toBe(403);
    expect((await patch({ status: 'closed' })).status).toBe(400);
    expect((await patch({})).status).toBe(400);
    const res = await patch({ status: 'in_progress', comment: 'looking at the trail owner' });
    expect(res.status).toBe(200);
    const changed = await res.json();
    expect(changed.alert.status).toBe('in_progress');
    expect(changed.entry).toMatchObject({ from: 'active', to: 'in_progress' });
    await patch({ status: 'resolved', comment: 'trail restored' });
    await patch({ comment: 'postmortem filed' });

    const timeline = await h.get(`/api/v1/alerts/${alert.id}/timeline`, reader);
    expect(timeline.body.items.map((e: any) => [e.from, e.to, e.comment, e.actor.kind])).toEqual([
      ['active', 'active', 'raised by detection (its first event)', 'system'],
      ['active', 'in_progress', 'looking at the trail owner', 'token'],
      ['in_progress', 'resolved', 'trail restored', 'token'],
      ['resolved', 'resolved', 'postmortem filed', 'token'],
    ]);
    const resolved = await allAlerts(h, reader, 'status=resolved');
    expect(resolved.map((a) => a.id)).toEqual([alert.id]);
    const audit = await h.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'alert.status')
      .execute();
    expect(audit.map((a) => a.target_id)).toEqual([alert.id, alert.id, alert.id]);

    // Detection that sees the alert's events again keeps the analyst's status.
    await post(ndjson);
    await h.app.ingest.service.flush();
    expect((await h.get(`/api/v1/alerts/${alert.id}`, reader)).body.status).toBe('resolved');
  });

  it('reads syslog lines sent as JSON strings or message objects, and names the reader', async () => {
    const lines = [
      JSON.stringify(
        'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
      ),
      JSON.stringify({
        message:
          '<38>Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2',
      }),
      JSON.stringify({ nope: 1 }),
    ];
    const res = await post(lines.join('\n'), {}, '?type=syslog');
    expect(await res.json()).toMatchObject({ reader: 'syslog', events: 2, errors: 1 });
    // Sniffed: the same two lines again, read and known as received before.
    const sniffed = await post(lines.slice(0, 2).join('\n'));
    expect(await sniffed.json()).toMatchObject({
      reader: 'syslog',
      events: 0,
      repeats: 2,
      errors: 0,
    });
  });

  it('reads year- and zone-less syslog times in the zone a sender names', async () => {
    // The same failures at the same wall-clock times, from Tokyo and from a sender naming none.
    const failures = (ip: string) =>
      Array.from(
        { length: 6 },
        (_, i) =>
          `Mar  3 10:00:0${i + 1} web1 sshd[900]: Failed password for root from ${ip} port 4000${i} ssh2`,
      ).join('\n');
    const tokyo = await post(
      failures('198.51.100.77'),
      {},
      '?type=syslog&timeZone=Asia/Tokyo&wait=true',
    );
    expect(tokyo.status).toBe(202);
    const utc = await post(failures('198.51.100.78'), {}, '?type=syslog&wait=true');
    expect(utc.status).toBe(202);
    const firstSeen = async (ip: string) => {
      const alerts = await allAlerts(h, reader);
      const found = alerts.find(
        (a) =>
          a.title.startsWith('SSH brute force') &&
          a.entities.some((e: any) => e.kind === 'ip' && e.value === ip),
      );
      return found?.firstSeen as string | undefined;
    };
    expect(await firstSeen('198.51.100.77')).toMatch(/-03-03T01:00:01\.000Z$/);
    expect(await firstSeen('198.51.100.78')).toMatch(/-03-03T10:00:01\.000Z$/);

    const bad = await post(failures('198.51.100.79'), {}, '?type=syslog&timeZone=Mars/Olympus');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      code: 'BAD_TIME_ZONE',
      message: expect.stringContaining('querystring/timeZone: unknown time zone Mars/Olympus'),
    });
  });

  it('reads the records of a gzip body cut short, and says how many it kept', async () => {
    const log = readFileSync(shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log'));
    const cut = gzipSync(log).subarray(0, 2000);
    // The complete lines before the cut, as zlib flushes them without failing.
    const flushed = gunzipSync(cut, { finishFlush: zlibConstants.Z_SYNC_FLUSH }).toString('utf8');
    const lines = flushed.split('\n').length - 1;
    expect(lines).toBeGreaterThan(100);
    const before = h.app.ingest.service.stats().intakes.http?.events ?? 0;
    const res = await post(cut, { 'content-type': 'text/plain' }, '?type=syslog');
    expect(res.status).toBe(202);
    const report = await res.json();
    // The log's second line was sent on its own by a test above: a record received before.
    expect(report).toMatchObject({ reader: 'syslog', events: lines - 1, repeats: 1, errors: 1 });
    expect(report.errorSamples).toEqual([
      expect.stringMatching(
        new RegExp(`gzip body is cut short .*the ${lines} events before the cut were read`),
      ),
    ]);
    expect(h.app.ingest.service.stats().intakes.http.events - before).toBe(lines - 1);
  });

  it('answers garbage with counts or a 4xx, never a crash', async () => {
    const random = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
    const cases: Array<[Buffer | string, Record<string, string>, number]> = [
      [random, {}, 202],
      ['{"eventVersion": "1.08", "eventName": \n{{{\n[1,2\n"x"\n', {}, 202],
      [Buffer.from([0x1f, 0x8b, 1, 2, 3, 4]), {}, 400],
      [random, { 'content-encoding': 'gzip' }, 400],
      [random, { 'content-encoding': 'br' }, 415],
      ['', {}, 202],
      [gzipSync(Buffer.alloc(80 * 1024 * 1024, 0x41)), {}, 413],
    ];
    for (const [body, headers, status] of cases) {
      const res = await post(body, headers);
      expect(res.status, JSON.stringify(headers)).toBe(status);
    }
    const big = await post(Buffer.alloc(17 * 1024 * 1024, 0x20));
    expect(big.status).toBe(413);
    expect((await big.json()).message).toBe(
      `the body is over this route's limit of ${16 * 1024 * 1024} bytes`,
    );
    const unknown = await post('hello', {}, '?type=nonsense');
    expect(unknown.status).toBe(400);
    expect((await h.get('/api/v1/health', reader)).status).toBe(200);
    expect(h.app.ingest.service.stats().intakes.http.errors).toBeGreaterThan(0);
  });
});
