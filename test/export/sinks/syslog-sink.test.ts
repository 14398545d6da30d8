import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SinkError } from '../../../src/model/export-record.js';
import { createSink } from '../../../src/export/sinks/index.js';
import { selfSigned } from '../../server/self-signed.js';
import {
  alertRecord,
  complianceRecord,
  realAlerts,
  recommendationRecord,
} from '../formats/sample-records.js';
import {
  parseRfc5424,
  startStreamListener,
  startUdpListener,
  type SyslogListener,
} from './syslog-listener.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

async function records() {
  const alerts = await realAlerts();
  return [...alerts.map((a) => alertRecord(a)), recommendationRecord(), complianceRecord()];
}

function checkMessages(listener: SyslogListener, sent: Awaited<ReturnType<typeof records>>) {
  expect(listener.errors).toEqual([]);
  expect(listener.messages).toHaveLength(sent.length);
  listener.messages.forEach((message, i) => {
    const parsed = parseRfc5424(message);
    expect(parsed.version).toBe(1);
    // facility 10 (authpriv) × 8 + severity
    expect(Math.floor(parsed.pri / 8)).toBe(10);
    expect(parsed.appName).toBe('palisade');
    expect(parsed.sd[0].id).toBe('palisade@32473');
    expect(parsed.sd[0].params.id).toBe(sent[i].id);
    expect(parsed.sd[0].params.type).toBe(sent[i].type);
    expect(JSON.parse(parsed.msg)).toEqual(JSON.parse(JSON.stringify(sent[i])));
  });
}

describe('syslog sink', () => {
  it('delivers every record over TCP as octet-counted RFC 5424 messages with a JSON body', async () => {
    const listener = await startStreamListener();
    open.push(listener);
    const sink = createSink(
      { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: listener.port },
      LOOPBACK,
    );
    open.push(sink);
    const sent = await records();
    await sink.send(sent);
    await listener.waitFor(sent.length);
    checkMessages(listener, sent);
    const severities = listener.messages.map((m) => parseRfc5424(m).pri % 8);
    // high alerts are err (3), the failing high recommendation err, the failed control warning (4)
    expect(severities.slice(-2)).toEqual([3, 4]);
  });

  it('delivers over TLS, verifying the receiver certificate against the configured CA', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-syslog-tls-'));
    const { cert, key } = selfSigned(dir);
    const pem = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
    const listener = await startStreamListener(pem);
    open.push(listener);
    const base = {
      kind: 'syslog',
      transport: 'tls',
      host: '127.0.0.1',
      port: listener.port,
    } as const;

    const untrusted = createSink(base, LOOPBACK);
    open.push(untrusted);
    const refused = (await untrusted.send(await records()).catch((e: unknown) => e)) as SinkError;
    expect(refused).toBeInstanceOf(SinkError);
    // A certificate no trusted CA issued is the configuration's to fix: final, not retried.
    expect([refused.code, refused.retryable]).toEqual(['tls', false]);
    expect(refused.message).toMatch(/certificate was refused/);
    expect(listener.messages).toHaveLength(0);

    const sink = createSink({ ...base, ca: pem.cert }, LOOPBACK);
    open.push(sink);
    const sent = await records();
    await sink.send(sent);
    await listener.waitFor(sent.length);
    checkMessages(listener, sent);
  });

  it('delivers over UDP one datagram per message', async () => {
    const listener = await startUdpListener();
    open.push(listener);
    const sink = createSink(
      { kind: 'syslog', transport: 'udp', host: '127.0.0.1', port: listener.port },
      LOOPBACK,
    );
    open.push(sink);
    const sent = await records();
    await sink.send(sent);
    await listener.waitFor(sent.length);
    // UDP may reorder; compare as sets of ids.
    const ids = listener.messages.map((m) => parseRfc5424(m).sd[0].params.id).sort();
    expect(ids).toEqual(sent.map((r) => r.id).sort());
  });

  it('reconnects after the receiver goes away and reports the outage as retryable', async () => {
    const first = await startStreamListener();
    const port = first.port;
    const sink = createSink(
      { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port },
      LOOPBACK,
    );
    open.push(sink);
    const sent = await records();
    await sink.send(sent.slice(0, 2));
    await first.waitFor(2);
    await first.close();

    let failure: unknown;
    for (let i = 0; i < 20 && !failure; i += 1) {
      failure = await sink.send(sent.slice(2, 3)).catch((e: unknown) => e);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(failure).toBeInstanceOf(SinkError);
    expect((failure as SinkError).retryable).toBe(true);

    const second = await startStreamListener();
    open.push(second);
    const moved = createSink(
      { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port: second.port },
      LOOPBACK,
    );
    open.push(moved);
    await moved.send(sent);
    await second.waitFor(sent.length);
  });

  it('cuts a batch a TCP receiver stops reading at the timeout, and reconnects for the next', async () => {
    // The receiver accepts connections and reads nothing, so a large batch fills the buffers.
    const stalled: Socket[] = [];
    const server = createServer((socket) => {
      socket.pause();
      stalled.push(socket);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    open.push({
      close: async () => {
        for (const socket of stalled) socket.destroy();
        await new Promise((r) => server.close(r));
      },
    });
    const port = (server.address() as AddressInfo).port;
    const sink = createSink(
      { kind: 'syslog', transport: 'tcp', host: '127.0.0.1', port, timeoutMs: 500 },
      LOOPBACK,
    );
    open.push(sink);
    const [alert] = await realAlerts();
    // 64 MiB, more than the kernel buffers of both ends of a loopback connection hold.
    const description = 'x'.repeat(1 << 20);
    const big = Array.from({ length: 64 }, (_, i) =>
      alertRecord({ ...alert, description }, 'created', `big-${i}`),
    );

    const started = Date.now();
    const failure = await sink.send(big).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(SinkError);
    expect(failure).toMatchObject({ code: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(3_000);

    await sink.send(big.slice(0, 1));
    for (let i = 0; i < 50 && stalled.length < 2; i += 1)
      await new Promise((r) => setTimeout(r, 10));
    expect(stalled).toHaveLength(2);
  });

  it('refuses loopback unless the network allow list names it, before connecting', async () => {
    const listener = await startStreamListener();
    open.push(listener);
    const sink = createSink({
      kind: 'syslog',
      transport: 'tcp',
      host: '127.0.0.1',
      port: listener.port,
    });
    open.push(sink);
    const error = await sink.send(await records()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SinkError);
    expect((error as SinkError).code).toBe('ssrf_refused');
    expect((error as SinkError).retryable).toBe(false);
    await new Promise((r) => setTimeout(r, 50));
    expect(listener.messages).toHaveLength(0);
  });

  it('refuses a configuration with a bad field, naming it', () => {
    expect(() => createSink({ kind: 'syslog', transport: 'smtp', host: 'x' })).toThrow(/transport/);
    expect(() => createSink({ kind: 'syslog', transport: 'tcp', host: 'x', port: 70000 })).toThrow(
      /syslog sink: port must be an integer from 1 to 65535/,
    );
    expect(() => createSink({ kind: 'syslog', transport: 'tcp', host: 'x', prot: 514 })).toThrow(
      /syslog sink: prot is not a field of this sink kind/,
    );
  });
});
