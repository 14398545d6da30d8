import { mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { createSink } from '../../../src/export/sinks/index.js';
import { SinkError } from '../../../src/model/export-record.js';
import { selfSigned } from '../../server/self-signed.js';
import { alertRecord, realAlerts, recommendationRecord } from '../formats/sample-records.js';

const LOOPBACK = { network: { allow: ['127.0.0.1/32'] } };
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const item of open.splice(0)) await item.close();
});

interface Mail {
  from: string;
  to: string[];
  raw: string;
  user?: string;
  secure: boolean;
}

/** A real SMTP server on 127.0.0.1 with STARTTLS and login; `reject` answers RCPT TO with a code. */
async function smtpListener(options: { reject?: { code: number; message: string } } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-smtp-'));
  const { cert, key } = selfSigned(dir);
  const pem = { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
  const mails: Mail[] = [];
  const server = new SMTPServer({
    ...pem,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth(auth, _session, callback) {
      if (auth.username === 'palisade' && auth.password === 'mail-secret') {
        return callback(null, { user: auth.username });
      }
      return callback(
        Object.assign(new Error('Invalid username or password'), { responseCode: 535 }),
      );
    },
    onRcptTo(_address, _session, callback) {
      if (options.reject) {
        return callback(
          Object.assign(new Error(options.reject.message), { responseCode: options.reject.code }),
        );
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: session.user as string | undefined,
          secure: session.secure,
        });
        callback();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  const handle = {
    port,
    mails,
    ca: pem.cert,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  open.push(handle);
  return handle;
}

function config(port: number, ca: string, extra: Record<string, unknown> = {}) {
  return {
    kind: 'email',
    host: '127.0.0.1',
    port,
    requireTls: true,
    ca,
    user: 'palisade',
    pass: 'mail-secret',
    from: 'Palisade <palisade@example.com>',
    to: ['soc@example.com', 'oncall@example.com'],
    consoleUrl: 'https://palisade.example.com',
    ...extra,
  };
}

describe('email sink', () => {
  it('sends one message per record over STARTTLS with login, facts and a console link', async () => {
    const smtp = await smtpListener();
    const sink = createSink(config(smtp.port, smtp.ca), LOOPBACK);
    open.push(sink);
    const alerts = await realAlerts();
    const sent = [alertRecord(alerts[0]), recommendationRecord()];
    await sink.send(sent);
    expect(smtp.mails).toHaveLength(2);
    const [first, second] = smtp.mails;
    expect(first.secure).toBe(true);
    expect(first.user).toBe('palisade');
    expect(first.from).toBe('palisade@example.com');
    expect(first.to).toEqual(['soc@example.com', 'oncall@example.com']);
    const unfolded = first.raw.replace(/\r\n[ \t]+/g, ' ');
    expect(unfolded).toMatch(
      new RegExp(`^Subject: \\[Palisade\\] ${alerts[0].severity.toUpperCase()}: `, 'm'),
    );
    expect(unfolded.toLowerCase()).toContain(`x-palisade-record-id: ${sent[0].id}`.toLowerCase());
    expect(unfolded).toMatch(/^Message-ID: <[0-9a-f]{32}@palisade\.export>/im);
    expect(first.raw).toContain('multipart/alternative');
    expect(first.raw.replace(/=\r\n/g, '')).toContain(
      `https://palisade.example.com/#/alerts/${alerts[0].id}`,
    );
    expect(second.raw.replace(/=\r\n/g, '')).toContain('logs-prod');
  });

  it('gives a redelivered record the same Message-ID', async () => {
    const smtp = await smtpListener();
    const sink = createSink(config(smtp.port, smtp.ca), LOOPBACK);
    open.push(sink);
    await sink.send([recommendationRecord()]);
    await sink.send([recommendationRecord()]);
    const ids = smtp.mails.map((m) => /^Message-ID: (.*)$/im.exec(m.raw)?.[1]);
    expect(ids[0]).toBeDefined();
    expect(ids[0]).toBe(ids[1]);
  });

  it('treats 5xx and bad credentials as final, 4xx as retryable', async () => {
    const rejecting = await smtpListener({ reject: { code: 550, message: 'Mailbox unavailable' } });
    const a = createSink(config(rejecting.port, rejecting.ca), LOOPBACK);
    open.push(a);
    const final = (await a.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([final.code, final.retryable]).toEqual(['smtp_550', false]);

    const busy = await smtpListener({ reject: { code: 451, message: 'Try again later' } });
    const b = createSink(config(busy.port, busy.ca), LOOPBACK);
    open.push(b);
    const later = (await b.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([later.code, later.retryable]).toEqual(['smtp_451', true]);

    const ok = await smtpListener();
    const c = createSink(config(ok.port, ok.ca, { pass: 'wrong' }), LOOPBACK);
    open.push(c);
    const denied = (await c.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([denied.code, denied.retryable]).toEqual(['unauthorized', false]);
    expect(ok.mails).toHaveLength(0);
  });

  it('refuses an untrusted certificate and bad addresses in the configuration', async () => {
    const smtp = await smtpListener();
    const sink = createSink(config(smtp.port, smtp.ca, { ca: undefined }), LOOPBACK);
    open.push(sink);
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect(error).toBeInstanceOf(SinkError);
    expect(smtp.mails).toHaveLength(0);
    expect(() => createSink(config(25, '', { to: ['soc@example.com', 'not an address'] }))).toThrow(
      /to\[1\]/,
    );
  });

  it('never sends the password to a server that offers no STARTTLS, unless told to', async () => {
    // A plain SMTP server that accepts AUTH without TLS, as a downgrade would leave it.
    const logins: string[] = [];
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      authMethods: ['PLAIN', 'LOGIN'],
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password}`);
        callback(null, { user: auth.username });
      },
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback());
      },
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const port = (server.server.address() as { port: number }).port;
    const base = {
      kind: 'email',
      host: '127.0.0.1',
      port,
      from: 'palisade@example.com',
      to: ['soc@example.com'],
      user: 'palisade',
      pass: 'mail-secret',
      timeoutMs: 5_000,
    };
    try {
      const strict = createSink(base as never, LOOPBACK);
      open.push(strict);
      const refused = (await strict
        .send([recommendationRecord()])
        .catch((e: unknown) => e)) as SinkError;
      expect([refused.code, refused.retryable]).toEqual(['tls', false]);
      expect(logins).toEqual([]);

      const plain = createSink({ ...base, requireTls: false } as never, LOOPBACK);
      open.push(plain);
      await plain.send([recommendationRecord()]);
      expect(logins).toEqual(['palisade:mail-secret']);
    } finally {
      server.close();
    }
  });

  it('says the server does not speak TLS on the port when secure: true meets plain SMTP', async () => {
    const smtp = await smtpListener();
    const sink = createSink(config(smtp.port, smtp.ca, { secure: true }), LOOPBACK);
    open.push(sink);
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([error.code, error.retryable]).toEqual(['tls', false]);
    expect(error.message).toBe(
      `SMTP: the server at 127.0.0.1:${smtp.port} does not speak TLS from the first byte ` +
        '(secure: true); set secure: false to use STARTTLS (usually port 587), or set port to ' +
        "the server's TLS port (usually 465)",
    );
    expect(smtp.mails).toHaveLength(0);
  });

  it('suggests secure: true when a server that speaks TLS from the first byte never greets', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-smtps-'));
    const { cert, key } = selfSigned(dir);
    const server = createTlsServer({ cert: readFileSync(cert), key: readFileSync(key) });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    open.push({ close: () => new Promise<void>((done) => server.close(() => done())) });
    const port = (server.address() as AddressInfo).port;
    const sink = createSink(config(port, 'x', { ca: undefined, timeoutMs: 300 }), LOOPBACK);
    open.push(sink);
    const error = (await sink.send([recommendationRecord()]).catch((e: unknown) => e)) as SinkError;
    expect([error.code, error.retryable]).toEqual(['ETIMEDOUT', true]);
    expect(error.message).toContain(
      `(no SMTP greeting from 127.0.0.1:${port}; if the server speaks TLS from the first byte ` +
        'there, as on port 465, set secure: true)',
    );
  });
});
