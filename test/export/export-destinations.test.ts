/** Exports refuse, when they are made, destinations no broad allow entry may open. */

import { afterEach, describe, expect, it, vi } from 'vitest';
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
});
