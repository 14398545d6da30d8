import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/export/sinks/index.js';
import { SinkError, type Sink } from '../../../src/model/export-record.js';
import {
  alertRecord,
  complianceRecord,
  realAlerts,
  recommendationRecord,
} from '../formats/sample-records.js';
import { CHANNEL, startFakeHec, type FakeHec } from './fake-splunk-hec.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const TOKEN = '8f6a2b7e-0c2d-4a55-9a51-3d1f0d6b9c11';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function setup(ack = false, extra: Record<string, unknown> = {}): Promise<[FakeHec, Sink]> {
  const hec = await startFakeHec(TOKEN, { ack });
  open.push(hec);
  const sink = createSink(
    {
      kind: 'splunk-hec',
      url: hec.url,
      token: TOKEN,
      batchSize: 3,
      ...(ack ? { ack: { channel: CHANNEL, pollMs: 10 } } : {}),
      ...extra,
    },
    LOOPBACK,
  );
  open.push(sink);
  return [hec, sink];
}

async function records() {
  return [
    ...(await realAlerts()).map((a) => alertRecord(a)),
    recommendationRecord(),
    complianceRecord(),
  ];
}

describe('Splunk HEC sink', () => {
  it('posts batches of events to /services/collector/event with the Splunk token', async () => {
    const [hec, sink] = await setup();
    const sent = await records();
    await sink.send(sent);
    expect(hec.violations).toEqual([]);
    expect(hec.requests).toHaveLength(Math.ceil(sent.length / 3));
    expect(hec.events.map((e) => e.fields.palisade_id)).toEqual(sent.map((r) => r.id));
    expect(hec.events[0].sourcetype).toBe('palisade:alert');
    expect(hec.events[0].time).toBe(Date.parse(sent[0].occurredAt) / 1000);
    expect(hec.events[0].event).toEqual(JSON.parse(JSON.stringify(sent[0])));
  });

  it('sends OCSF objects and CEF strings as the event when configured', async () => {
    const [hec, sink] = await setup(false, { format: 'ocsf', sourcetype: 'ocsf' });
    await sink.send(await records());
    expect(hec.events[0].event.class_uid).toBe(2004);
    expect(hec.events.at(-1)?.event.class_uid).toBe(2003);
    const [hec2, cef] = await setup(false, { format: 'cef' });
    await cef.send(await records());
    expect(hec2.events[0].event).toMatch(/^CEF:0\|Palisade\|/);
  });

  it('waits for indexer acknowledgement on the channel before a batch counts as delivered', async () => {
    const [hec, sink] = await setup(true);
    hec.ackDelayPolls = 2;
    const sent = await records();
    await sink.send(sent);
    expect(hec.violations).toEqual([]);
    const ackPolls = hec.requests.filter((r) => r.path === '/services/collector/ack');
    expect(ackPolls.length).toBeGreaterThanOrEqual(3);
    expect(hec.requests.every((r) => r.headers['x-splunk-request-channel'] === CHANNEL)).toBe(true);
    expect(hec.events).toHaveLength(sent.length);
  });

  it('treats a bad token as final and 429/503 as retryable with Retry-After', async () => {
    const [hec, sink] = await setup();
    const sent = await records();
    hec.queue.push({ status: 403, body: { text: 'Invalid token', code: 4 } });
    const denied = (await sink.send(sent).catch((e: unknown) => e)) as SinkError;
    expect(denied).toBeInstanceOf(SinkError);
    expect([denied.code, denied.retryable]).toEqual(['unauthorized', false]);

    hec.queue.push({
      status: 429,
      body: { text: 'Too many requests', code: 9 },
      headers: { 'retry-after': '7' },
    });
    const busy = (await sink.send(sent).catch((e: unknown) => e)) as SinkError;
    expect([busy.retryable, busy.retryAfterMs]).toEqual([true, 7000]);

    hec.queue.push({ status: 503, body: { text: 'Server is busy', code: 9 } });
    const down = (await sink.send(sent).catch((e: unknown) => e)) as SinkError;
    expect([down.code, down.retryable]).toEqual(['http_503', true]);

    hec.queue.push({ status: 400, body: { text: 'Invalid data format', code: 6 } });
    const bad = (await sink.send(sent).catch((e: unknown) => e)) as SinkError;
    expect(bad.retryable).toBe(false);
  });

  it('refuses an acknowledgement channel that is not a GUID, naming the field', () => {
    expect(() =>
      createSink({
        kind: 'splunk-hec',
        url: 'https://splunk.example:8088',
        token: 't',
        ack: { channel: 'x' },
      }),
    ).toThrow(/ack.channel/);
  });
});
