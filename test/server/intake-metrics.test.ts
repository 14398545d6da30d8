import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  allAlerts,
  cloudTrailRecords,
  sshLines,
  startLive,
  until,
  type LiveHarness,
} from './ingest-helpers.js';

let h: LiveHarness;
let dir: string;
let tailed: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'palisade-intake-metrics-'));
  tailed = join(dir, 'auth.log');
  writeFileSync(tailed, '');
  h = await startLive({
    syslog: { udpPort: 0, tcpPort: 0, maxMessageBytes: 480 },
    tail: [{ path: tailed, type: 'syslog', fromStart: true }],
    tailPollMs: 20,
  });
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The value of one sample of the Prometheus text, 0 when absent. */
function sample(text: string, name: string, intake: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{intake="${intake}"} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

function sendTcp(port: number, payload: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(payload));
    socket.on('close', () => resolve());
    socket.on('error', reject);
  });
}

describe('intake counters in /metrics', () => {
  it('count what each intake received, parsed and rejected', async () => {
    const counts = () => h.app.ingest.service.stats().intakes;
    const ssh = sshLines().slice(0, 6);

    // HTTP: four CloudTrail records and one line that is not JSON.
    const records = cloudTrailRecords().slice(0, 4);
    const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n{not json\n';
    const operator = await h.token('security-operator');
    const res = await fetch(`${h.url}/api/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    expect(res.status).toBe(202);

    // UDP: three syslog messages and one datagram over the 480-byte limit.
    const udp = createSocket('udp4');
    const udpPort = h.app.ingest.syslog!.udpPort!;
    for (const line of ssh.slice(0, 3)) udp.send(`<38>${line}`, udpPort, '127.0.0.1');
    udp.send(`<38>${'x'.repeat(600)}`, udpPort, '127.0.0.1');
    await until(
      () => (counts()['syslog-udp']?.events ?? 0) + (counts()['syslog-udp']?.errors ?? 0) === 4,
    );
    udp.close();

    // TCP: two messages, newline framed, and one line that is not syslog.
    const tcp = `<38>${ssh[3]}\n<38>${ssh[4]}\nthis is not syslog\n`;
    await sendTcp(h.app.ingest.syslog!.tcpPort!, tcp);
    await until(
      () => (counts()['syslog-tcp']?.events ?? 0) + (counts()['syslog-tcp']?.errors ?? 0) === 3,
    );

    // Tailer: five lines appended to the followed file.
    writeFileSync(tailed, sshLines().slice(10, 15).join('\n') + '\n');
    await until(() => (counts().tail?.events ?? 0) === 5);

    const reader = await h.token('reader');
    const scraped = await fetch(`${h.url}/metrics`, {
      headers: { authorization: `Bearer ${reader}` },
    });
    expect(scraped.status).toBe(200);
    const text = await scraped.text();
    const row = (intake: string) => [
      sample(text, 'palisade_intake_records_received_total', intake),
      sample(text, 'palisade_intake_events_parsed_total', intake),
      sample(text, 'palisade_intake_records_rejected_total', intake),
    ];
    expect(row('http')).toEqual([5, 4, 1]);
    expect(row('syslog-udp')).toEqual([4, 3, 1]);
    expect(row('syslog-tcp')).toEqual([3, 2, 1]);
    expect(row('tail')).toEqual([5, 5, 0]);
    expect(text).toContain('# TYPE palisade_intake_events_parsed_total counter');

    const anonymous = await fetch(`${h.url}/metrics`);
    expect(anonymous.status).toBe(401);
  });
});

describe('a record nested thousands of levels deep', () => {
  it('is rejected at intake, and the alerts after it still reach the store', async () => {
    const trail = JSON.parse(readFileSync('samples/logs/cloudtrail.json', 'utf8')) as {
      Records: Record<string, unknown>[];
    };
    const stop = { ...trail.Records.find((r) => r.eventName === 'StopLogging')! };
    stop.recipientAccountId = '777700001111';
    const text = JSON.stringify(stop);
    const deep = `${text.slice(0, -1)},"x":${'['.repeat(6_000)}${']'.repeat(6_000)}}`;
    const operator = await h.token('security-operator');
    const post = (body: string) =>
      fetch(`${h.url}/api/v1/events?type=cloudtrail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/x-ndjson' },
        body,
      });
    const refused = await post(`${deep}\n`);
    expect(refused.status).toBe(202);
    expect(await refused.json()).toMatchObject({ events: 0, errors: 1 });
    expect((await post(`${text}\n`)).status).toBe(202);

    const reader = await h.token('reader');
    const stored = await until(async () =>
      (await allAlerts(h, reader)).find((a: { title: string; entities: { value: string }[] }) =>
        a.entities.some((e) => e.value === '777700001111'),
      ),
    );
    expect(stored.title).toMatch(/^AWS audit logging stopped/);
    const scraped = await (
      await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${reader}` } })
    ).text();
    expect(scraped).toMatch(/^palisade_detection_store_failures_total 0$/m);
    expect(scraped).toMatch(/^palisade_detection_alerts_pending \d+$/m);
  });
});
