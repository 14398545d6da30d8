/** Exports refuse, when they are made, destinations no broad allow entry may open. */

import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseAutomationInput } from '../../src/automate/automation-rule.js';
import { parseExportInput } from '../../src/export/exporter-config.js';

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
    expect(
      parseExportInput({ name: 'x', sink: { kind: 'syslog', transport: 'tcp', host: '::1' } }).sink
        .host,
    ).toBe('::1');
  });
});
