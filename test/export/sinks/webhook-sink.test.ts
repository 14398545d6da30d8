import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/export/sinks/index.js';
import { signWebhook, webhookRefusal } from '../../../src/export/sinks/webhook-signature.js';
import { SinkError } from '../../../src/model/export-record.js';
import { alertRecord, realAlerts, recommendationRecord } from '../formats/sample-records.js';
import { jsonBody, startFake, type FakeVendor } from './fake-vendor.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const SECRET = 'whsec-3b9e1c0f7a2d4e6f';
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

/** A receiver that verifies as docs/webhooks.md tells receivers to, and keeps each id once. */
async function receiver(): Promise<FakeVendor & { kept: Map<string, unknown> }> {
  const kept = new Map<string, unknown>();
  const fake = await startFake((req, self) => {
    const refusal = webhookRefusal(
      SECRET,
      {
        timestamp: req.headers['x-palisade-timestamp'] as string,
        signature: req.headers['x-palisade-signature'] as string,
      },
      req.body,
    );
    if (refusal) return { status: 401, body: { error: refusal } };
    const body = jsonBody(req, self);
    for (const record of body.records) kept.set(record.id ?? record.metadata.uid, record);
    return { status: 204 };
  });
  return Object.assign(fake, { kept });
}

describe('webhook sink', () => {
  it('posts signed JSON that the documented verification accepts, once per record id', async () => {
    const hook = await receiver();
    open.push(hook);
    const sink = createSink(
      { kind: 'webhook', url: `${hook.url}/palisade`, secret: SECRET, batchSize: 4 },
      LOOPBACK,
    );
    open.push(sink);
    const sent = [...(await realAlerts()).map((a) => alertRecord(a)), recommendationRecord()];
    await sink.send(sent);
    await sink.send(sent); // at-least-once: a redelivery changes nothing for the receiver
    expect(hook.requests.every((r) => r.path === '/palisade' && r.method === 'POST')).toBe(true);
    expect(hook.requests.every((r) => r.headers['content-type'] === 'application/json')).toBe(true);
    expect([...hook.kept.keys()]).toEqual(sent.map((r) => r.id));
    const deliveries = new Set(hook.requests.map((r) => r.headers['x-palisade-delivery']));
    expect(deliveries.size).toBe(hook.requests.length);
  });

  it('signs with HMAC-SHA256 over timestamp and body; a replay or a changed body is refused', () => {
    const body = '{"records":[]}';
    const now = 1_780_000_000_000;
    const ts = now / 1000;
    const signature = signWebhook(SECRET, ts, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(
      webhookRefusal(SECRET, { timestamp: `${ts}`, signature }, body, { now }),
    ).toBeUndefined();
    expect(webhookRefusal(SECRET, { timestamp: `${ts}`, signature }, `${body} `, { now })).toMatch(
      /does not match/,
    );
    expect(
      webhookRefusal('other-secret-value', { timestamp: `${ts}`, signature }, body, { now }),
    ).toMatch(/does not match/);
    expect(
      webhookRefusal(SECRET, { timestamp: `${ts}`, signature }, body, { now: now + 301_000 }),
    ).toMatch(/replay/);
    expect(webhookRefusal(SECRET, { timestamp: `${ts + 1}`, signature }, body, { now })).toMatch(
      /does not match/,
    );
    expect(webhookRefusal(SECRET, { signature }, body, { now })).toMatch(/timestamp/);
  });

  it('sends OCSF events when configured', async () => {
    const hook = await receiver();
    open.push(hook);
    const sink = createSink(
      { kind: 'webhook', url: hook.url, secret: SECRET, format: 'ocsf' },
      LOOPBACK,
    );
    open.push(sink);
    await sink.send([recommendationRecord()]);
    const [event] = [...hook.kept.values()] as any[];
    expect(event.class_uid).toBe(2003);
  });

  it('reports a receiver that refuses the signature as final and 5xx as retryable', async () => {
    const hook = await receiver();
    open.push(hook);
    const wrong = createSink(
      { kind: 'webhook', url: hook.url, secret: 'not-the-receivers-secret' },
      LOOPBACK,
    );
    open.push(wrong);
    const refused = (await wrong
      .send([recommendationRecord()])
      .catch((e: unknown) => e)) as SinkError;
    expect([refused.code, refused.retryable]).toEqual(['unauthorized', false]);
    hook.queue.push({ status: 502, body: 'bad gateway' });
    const sink = createSink({ kind: 'webhook', url: hook.url, secret: SECRET }, LOOPBACK);
    open.push(sink);
    const down = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect(down.retryable).toBe(true);
  });

  it('posts to the URL exactly as given, a trailing slash included', async () => {
    const hook = await receiver();
    open.push(hook);
    const sink = createSink(
      { kind: 'webhook', url: `${hook.url}/hook2/`, secret: SECRET },
      LOOPBACK,
    );
    open.push(sink);
    await sink.send([recommendationRecord()]);
    expect(hook.requests.map((r) => r.path)).toEqual(['/hook2/']);
  });

  it('follows no redirect: a 3xx answer is a final failure, sent once', async () => {
    const hook = await receiver();
    open.push(hook);
    hook.queue.push({ status: 301, headers: { location: `${hook.url}/elsewhere` } });
    const sink = createSink({ kind: 'webhook', url: `${hook.url}/in`, secret: SECRET }, LOOPBACK);
    open.push(sink);
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([error.code, error.retryable]).toEqual(['http_301', false]);
    expect(hook.requests.map((r) => r.path)).toEqual(['/in']);
  });

  it('refuses a URL in a refused range before connecting, and a short secret', async () => {
    const sink = createSink(
      {
        kind: 'webhook',
        url: 'http://metadata.google.internal/computeMetadata/v1/',
        secret: SECRET,
      },
      LOOPBACK,
    );
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([error.code, error.retryable]).toEqual(['ssrf_refused', false]);
    await sink.close();
    expect(() =>
      createSink({ kind: 'webhook', url: 'https://x.example', secret: 'short' }),
    ).toThrow(/secret/);
  });
});
