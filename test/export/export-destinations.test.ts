/**
 * Exports refuse, when they are made or changed, destinations the SSRF guard would refuse on
 * every send: no broad allow entry opens a metadata name or a link-local address, and a literal
 * loopback or private address needs the operator's allow-list (API 400, CLI exit 2).
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseAutomationInput } from '../../src/automate/automation-rule.js';
import { runExportAdd, runExportUpdate } from '../../src/cli/export-command.js';
import { parseExportInput } from '../../src/export/exporter-config.js';
import { openStore } from '../../src/store/database.js';
import { exportStore } from '../../src/store/export-store.js';
import { auditEntries, startHarness, type Harness } from '../server/harness.js';

const webhook = (url: string) => ({
  name: 'siem',
  sink: { kind: 'webhook', url, secret: 'a'.repeat(32) },
});

describe('export destinations', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('refuse a cloud metadata name or a link-local address, naming the field', () => {
    expect(() => parseExportInput(webhook('http://metadata.google.internal/x'))).toThrow(
      /sink\.url: .*names metadata\.google\.internal \(cloud metadata service name\)/,
    );
    expect(() =>
      parseExportInput({
        name: 'syslog',
        sink: { kind: 'syslog', transport: 'tcp', host: '169.254.10.1' },
      }),
    ).toThrow(/sink\.host: .*169\.254\.10\.1 \(link-local address\)/);
    // A broad allow entry does not open them; one that names the address does.
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '0.0.0.0/0');
    expect(() => parseExportInput(webhook('http://169.254.169.254/'))).toThrow(/link-local/);
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '10.0.0.0/8, 169.254.169.254/32');
    expect(parseExportInput(webhook('http://169.254.169.254/')).sink.url).toBe(
      'http://169.254.169.254/',
    );
  });

  it('read host fields as a URL host is read, so other spellings of 169.254.169.254 are refused', () => {
    // Not one of these is ever connected to: each is refused while the configuration is checked.
    const spellings = ['2852039166', '0251.0376.0251.0376', '0xa9fea9fe', '169.254.43518'];
    const sinks = (host: string) => [
      { field: 'sink.host', sink: { kind: 'syslog', transport: 'tcp', host } },
      {
        field: 'sink.host',
        sink: { kind: 'email', host, from: 'p@example.com', to: ['soc@example.com'] },
      },
      {
        field: 'sink.servers\\[0\\]',
        sink: { kind: 'nats', servers: [`${host}:4222`], subject: 'x' },
      },
    ];
    for (const host of spellings) {
      for (const { field, sink } of sinks(host)) {
        const made = () => parseExportInput({ name: 'x', sink });
        expect(made, `${sink.kind} ${host}`).toThrow(
          new RegExp(`${field}: .*names 169\\.254\\.169\\.254 \\(link-local address\\)`),
        );
      }
    }
    // Automation actions are checked the same way.
    expect(() =>
      parseAutomationInput({
        name: 'x',
        triggers: ['alert.created'],
        actions: [{ sink: { kind: 'syslog', transport: 'udp', host: '0xa9fea9fe' } }],
      }),
    ).toThrow(/actions\[0\]\.sink\.host: .*link-local/);
  });

  it('refuse a host field with spaces or line breaks, naming the field', () => {
    for (const host of [' 169.254.169.254', '169.254.169.254\n', 'siem .example.com']) {
      for (const { field, sink } of [
        { field: 'sink.host', sink: { kind: 'syslog', transport: 'tcp', host } },
        {
          field: 'sink.host',
          sink: { kind: 'email', host, from: 'p@example.com', to: ['soc@example.com'] },
        },
        { field: 'sink.servers\\[0\\]', sink: { kind: 'nats', servers: [host], subject: 'x' } },
      ]) {
        expect(() => parseExportInput({ name: 'x', sink }), JSON.stringify(host)).toThrow(
          new RegExp(`${field}: `),
        );
      }
    }
    // Ordinary names and addresses still pass, kept as written.
    const kept = parseExportInput({
      name: 'x',
      sink: { kind: 'syslog', transport: 'tcp', host: 'SIEM.example.com' },
    });
    expect(kept.sink.host).toBe('SIEM.example.com');
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '::1');
    expect(
      parseExportInput({ name: 'x', sink: { kind: 'syslog', transport: 'tcp', host: '::1' } }).sink
        .host,
    ).toBe('::1');
  });

  it('refuse a literal loopback, private or reserved address the allow-list does not admit', () => {
    const refused: [Record<string, unknown>, string, RegExp][] = [
      [webhook('http://127.0.0.1:9000/in'), 'sink.url', /127\.0\.0\.1 \(loopback address\)/],
      [webhook('https://[::1]/in'), 'sink.url', /\[::1\] \(loopback address\)/],
      [
        webhook('http://[::ffff:10.1.2.3]/in'),
        'sink.url',
        /embedding 10\.1\.2\.3, a private address/,
      ],
      [
        { name: 'x', sink: { kind: 'syslog', transport: 'udp', host: '192.168.1.20' } },
        'sink.host',
        /192\.168\.1\.20 \(private address \(RFC 1918\)\)/,
      ],
      [
        {
          name: 'x',
          sink: { kind: 'nats', servers: ['siem.example.com', '0:4222'], subject: 's' },
        },
        'sink.servers\\[1\\]',
        /0\.0\.0\.0 \("this network" address\)/,
      ],
      [
        {
          name: 'x',
          sink: { kind: 'splunk-hec', url: 'https://100.64.0.9:8088', token: 'hec-token-0000' },
        },
        'sink.url',
        /100\.64\.0\.9 \(shared address space/,
      ],
    ];
    for (const [input, field, why] of refused) {
      const made = () => parseExportInput(input);
      expect(made, JSON.stringify(input)).toThrow(new RegExp(`^export ${field}: `));
      expect(made).toThrow(why);
      expect(made).toThrow(/PALISADE_EXPORT_ALLOW .* admits it/);
    }

    // A name is resolved only when the sink connects, so it is not judged here.
    expect(parseExportInput(webhook('http://siem.internal.example/in')).sink.url).toBe(
      'http://siem.internal.example/in',
    );
    // The operator's allow-list admits them: an address, a CIDR, or a broad entry.
    vi.stubEnv('PALISADE_EXPORT_ALLOW', '127.0.0.1, 10.0.0.0/8');
    expect(parseExportInput(webhook('http://127.0.0.1:9000/in')).sink.url).toBe(
      'http://127.0.0.1:9000/in',
    );
    expect(parseExportInput(webhook('http://[::ffff:10.1.2.3]/in')).sink.url).toBeDefined();
    expect(() => parseExportInput(webhook('http://127.0.0.2/in'))).toThrow(/loopback address/);
  });
});

describe('a loopback export destination', () => {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-export-destinations-'));
  const db = join(dir, 'palisade.db');
  let h: Harness;
  let admin: string;
  let err = '';
  beforeAll(async () => {
    h = await startHarness();
    admin = await h.token('security-admin');
  });
  beforeEach(() => {
    err = '';
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const call = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${admin}` },
      payload,
    });
  const loopback = webhook('http://127.0.0.1:9000/in').sink;

  it('is refused by the API with 400 naming the field, made and changed, and audited as failed', async () => {
    const made = await call('POST', '/exports', { name: 'siem', sink: loopback });
    expect(made.statusCode, made.body).toBe(400);
    expect(made.json().message).toMatch(
      /sink\.url: .*names 127\.0\.0\.1 \(loopback address\).*PALISADE_EXPORT_ALLOW/,
    );

    const ok = await call('POST', '/exports', {
      name: 'siem',
      sink: webhook('https://siem.example.com/in').sink,
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const id = ok.json().export.id as string;
    const changed = await call('PATCH', `/exports/${id}`, { sink: loopback });
    expect(changed.statusCode, changed.body).toBe(400);
    expect(changed.json().message).toMatch(/sink\.url: .*loopback address/);

    const failures = (await auditEntries(h.db, 'http.post'))
      .concat(await auditEntries(h.db, 'http.patch'))
      .filter((entry) => entry.outcome === 'failure');
    expect(failures.map((entry) => entry.details.status)).toEqual([400, 400]);
    expect(await auditEntries(h.db, 'export.update')).toHaveLength(0);

    vi.stubEnv('PALISADE_EXPORT_ALLOW', '127.0.0.1');
    expect((await call('PATCH', `/exports/${id}`, { sink: loopback })).statusCode).toBe(200);
  });

  it('is refused by the CLI with exit 2 naming the field, added and updated', async () => {
    const sink = JSON.stringify(loopback);
    expect(await runExportAdd({ db, name: 'siem', sink })).toBe(2);
    expect(err).toMatch(
      /palisade export add: export sink\.url: .*127\.0\.0\.1 \(loopback address\)/,
    );

    const other = JSON.stringify(webhook('https://siem.example.com/in').sink);
    expect(await runExportAdd({ db, name: 'siem', sink: other, json: true })).toBe(0);
    const store = await openStore(db);
    const [row] = await exportStore(store).selectFrom('exports').select('id').execute();
    await store.destroy();
    err = '';
    expect(await runExportUpdate(row.id, { db, sink })).toBe(2);
    expect(err).toMatch(/palisade export update: export sink\.url: .*loopback address/);

    vi.stubEnv('PALISADE_EXPORT_ALLOW', '127.0.0.0/8');
    expect(await runExportUpdate(row.id, { db, sink }), err).toBe(0);
  });
});
