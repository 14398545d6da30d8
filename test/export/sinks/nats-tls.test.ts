/**
 * The NATS sink over TLS, against a real nats-server with JetStream started here on loopback:
 * the server's certificate is verified (extra CA, name), plain text is never a fallback, and a
 * client certificate opens a server that demands one (mutual TLS).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { splitSecrets } from '../../../src/export/exporter-secrets.js';
import { createSink } from '../../../src/export/sinks/index.js';
import { parseSinkConfig } from '../../../src/export/sinks/sink-config.js';
import { SinkError } from '../../../src/model/export-record.js';
import { selfSigned } from '../../server/self-signed.js';
import { recommendationRecord } from '../formats/sample-records.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const SUBJECT = 'palisade.tls.records';

interface TlsNats {
  port: number;
  process: ChildProcess;
}

const dir = mkdtempSync(join(tmpdir(), 'palisade-nats-tls-'));
const server = selfSigned(dir);
const serverCert = readFileSync(server.cert, 'utf8');
// A second self-signed pair, for the client: the mutual-TLS server trusts it as its own CA.
const clientDir = mkdtempSync(join(tmpdir(), 'palisade-nats-client-'));
const client = selfSigned(clientDir);
const clientCert = readFileSync(client.cert, 'utf8');
const clientKey = readFileSync(client.key, 'utf8');

/** The test's own admin connection: trusts the server's certificate, for 127.0.0.1. */
function adminTls(verify: boolean) {
  return {
    ca: serverCert,
    ...(verify ? { cert: clientCert, key: clientKey } : {}),
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      checkServerIdentity('127.0.0.1', cert),
  } as { ca: string };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as { port: number }).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** nats-server with JetStream and TLS on a free loopback port; `verify` demands client certs. */
async function startNats(name: string, verify: boolean): Promise<TlsNats> {
  const port = await freePort();
  const conf = join(dir, `${name}.conf`);
  writeFileSync(
    conf,
    [
      `listen: 127.0.0.1:${port}`,
      `jetstream { store_dir: "${join(dir, `${name}-js`)}" }`,
      'tls {',
      `  cert_file: "${server.cert}"`,
      `  key_file: "${server.key}"`,
      ...(verify ? [`  ca_file: "${client.cert}"`, '  verify: true'] : []),
      '}',
    ].join('\n'),
  );
  const child = spawn('nats-server', ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Killed in afterAll even when a later step of the setup fails.
  started.push(child);
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start: ${log}`)), 10_000);
    child.stderr!.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes('Server is ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`nats-server exited ${code}: ${log}`)));
  });
  // The stream the sink publishes into, made by an admin connection.
  const admin = await connect({
    servers: `127.0.0.1:${port}`,
    tls: adminTls(verify),
  });
  const jsm = await jetstreamManager(admin);
  await jsm.streams.add({ name: 'PALISADE_TLS', subjects: ['palisade.tls.>'] });
  await admin.drain();
  return { port, process: child };
}

async function sendOnce(config: Record<string, unknown>): Promise<unknown> {
  const sink = createSink({ kind: 'nats', subject: SUBJECT, ...config } as never, LOOPBACK);
  try {
    await sink.send([recommendationRecord()]);
    return 'sent';
  } catch (error) {
    return error;
  } finally {
    await sink.close();
  }
}

async function messages(port: number, verify: boolean): Promise<number> {
  const admin = await connect({
    servers: `127.0.0.1:${port}`,
    tls: adminTls(verify),
  });
  const info = await (await jetstreamManager(admin)).streams.info('PALISADE_TLS');
  await admin.drain();
  return info.state.messages;
}

let plain: TlsNats;
let mutual: TlsNats;
const started: ChildProcess[] = [];

beforeAll(async () => {
  [plain, mutual] = await Promise.all([startNats('tls', false), startNats('mtls', true)]);
}, 30_000);

afterAll(() => {
  for (const child of started) child.kill();
  rmSync(dir, { recursive: true, force: true });
  rmSync(clientDir, { recursive: true, force: true });
});

describe('NATS sink over TLS', () => {
  it('publishes over TLS when the server certificate is trusted through `ca`', async () => {
    const servers = [`127.0.0.1:${plain.port}`];
    expect(await sendOnce({ servers, ca: serverCert })).toBe('sent');
    expect(await messages(plain.port, false)).toBe(1);
  });

  it('refuses a certificate no trusted CA issued, and one for another name, as final', async () => {
    const servers = [`127.0.0.1:${plain.port}`];
    const untrusted = (await sendOnce({ servers, tls: true })) as SinkError;
    expect(untrusted).toBeInstanceOf(SinkError);
    expect([untrusted.code, untrusted.retryable]).toEqual(['tls', false]);
    expect(untrusted.message).toMatch(/certificate/i);

    const otherName = (await sendOnce({
      servers,
      ca: serverCert,
      servername: 'nats.example.org',
    })) as SinkError;
    expect([otherName.code, otherName.retryable]).toEqual(['tls', false]);
    expect(otherName.message).toMatch(/nats\.example\.org/);
  });

  it('never falls back to plain text: a server without TLS fails the connection', async () => {
    const error = (await sendOnce({
      servers: ['127.0.0.1:4222'],
      subject: 'palisade.tls.plain',
      tls: true,
      timeoutMs: 3000,
    })) as SinkError;
    expect(error).toBeInstanceOf(SinkError);
    expect(error.message).toMatch(/tls/i);
  });

  it('opens a server that demands a client certificate only with `cert` and `key`', async () => {
    const servers = [`127.0.0.1:${mutual.port}`];
    const without = await sendOnce({ servers, ca: serverCert, timeoutMs: 1500 });
    expect(without).toBeInstanceOf(SinkError);
    expect(await sendOnce({ servers, ca: serverCert, cert: clientCert, key: clientKey })).toBe(
      'sent',
    );
    expect(await messages(mutual.port, true)).toBe(1);
  });
});

describe('NATS TLS configuration', () => {
  const base = { kind: 'nats', servers: ['127.0.0.1:4222'], subject: SUBJECT };

  it('turns TLS on with any TLS field, and refuses contradictions naming the field', () => {
    expect(parseSinkConfig({ ...base, ca: serverCert })).toMatchObject({ tls: true });
    expect(() => parseSinkConfig({ ...base, tls: false, ca: serverCert })).toThrow(
      /nats sink: tls is false/,
    );
    expect(() => parseSinkConfig({ ...base, cert: clientCert })).toThrow(
      /nats sink: key is needed too/,
    );
    expect(() => parseSinkConfig({ ...base, ca: 'not a certificate' })).toThrow(
      /nats sink: ca must be PEM text/,
    );
    expect(() => parseSinkConfig({ ...base, cert: clientCert, key: clientCert })).toThrow(
      /nats sink: key must be PEM text \(-----BEGIN ... PRIVATE KEY-----\)/,
    );
  });

  it('keeps the client key with the sealed secrets, not in the stored configuration', () => {
    const config = parseSinkConfig({ ...base, cert: clientCert, key: clientKey });
    const { open, secrets } = splitSecrets(config as unknown as Record<string, unknown>);
    expect(secrets).toEqual({ key: clientKey });
    expect(open).toMatchObject({ cert: clientCert, tls: true });
    expect(JSON.stringify(open)).not.toContain('PRIVATE KEY');
  });
});
