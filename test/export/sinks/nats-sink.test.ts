import { randomBytes } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/export/sinks/index.js';
import { SinkError } from '../../../src/model/export-record.js';
import { alertRecord, realAlerts, recommendationRecord } from '../formats/sample-records.js';

// The real NATS server with JetStream on 127.0.0.1:4222.
const SERVER = '127.0.0.1:4222';
const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const tag = randomBytes(4).toString('hex');
const STREAM = `PALISADE_EXPORT_TEST_${tag}`;
const SUBJECT = `palisade.test.${tag}.records`;

let nc: NatsConnection;
let jsm: JetStreamManager;

beforeAll(async () => {
  nc = await connect({ servers: SERVER });
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({
    name: STREAM,
    subjects: [`palisade.test.${tag}.>`],
    duplicate_window: 120_000_000_000,
  });
});

afterAll(async () => {
  await jsm.streams.delete(STREAM).catch(() => undefined);
  await nc.drain();
});

describe('NATS JetStream sink', () => {
  it('publishes each record once, deduplicated by Nats-Msg-Id across redeliveries', async () => {
    const sink = createSink(
      { kind: 'nats', servers: [SERVER], subject: SUBJECT, stream: STREAM },
      LOOPBACK,
    );
    const sent = [...(await realAlerts()).map((a) => alertRecord(a)), recommendationRecord()];
    await sink.send(sent);
    await sink.send(sent); // redelivery after a crash: same idempotency keys
    await sink.send(sent.slice(0, 2));
    await sink.close();

    const info = await jsm.streams.info(STREAM);
    expect(info.state.messages).toBe(sent.length);
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    const consumer = await js.consumers.get(STREAM);
    const seen: { id: string | undefined; body: any }[] = [];
    for (let i = 0; i < sent.length; i += 1) {
      const message = await consumer.next({ expires: 2000 });
      if (!message) break;
      seen.push({ id: message.headers?.get('Nats-Msg-Id'), body: message.json() });
    }
    expect(seen.map((m) => m.id)).toEqual(sent.map((r) => r.id));
    expect(seen.map((m) => m.body.id)).toEqual(sent.map((r) => r.id));
  });

  it('reports a subject no stream captures as final', async () => {
    const sink = createSink(
      { kind: 'nats', servers: [SERVER], subject: `palisade.nostream.${tag}` },
      LOOPBACK,
    );
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    await sink.close();
    expect(error).toBeInstanceOf(SinkError);
    expect([error.code, error.retryable]).toEqual(['no_stream', false]);
  });

  it('names the stream mismatch and refuses unlisted loopback before connecting', async () => {
    const wrong = createSink(
      { kind: 'nats', servers: [SERVER], subject: SUBJECT, stream: 'OTHER' },
      LOOPBACK,
    );
    const mismatch = (await wrong
      .send([recommendationRecord()])
      .catch((e: unknown) => e)) as SinkError;
    await wrong.close();
    expect(mismatch.code).toBe('wrong_stream');
    const guarded = createSink({ kind: 'nats', servers: [SERVER], subject: SUBJECT });
    const refused = (await guarded
      .send([recommendationRecord()])
      .catch((e: unknown) => e)) as SinkError;
    await guarded.close();
    expect(refused.code).toBe('ssrf_refused');
  });

  it('reports an unreachable server as retryable', async () => {
    const sink = createSink(
      { kind: 'nats', servers: ['127.0.0.1:1'], subject: SUBJECT, timeoutMs: 1000 },
      LOOPBACK,
    );
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    await sink.close();
    expect([error.code, error.retryable]).toEqual(['nats', true]);
  });
});
