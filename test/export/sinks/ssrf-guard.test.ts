import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  AddressGuard,
  createGuardedDispatcher,
  embeddedIpv4,
  SsrfError,
  type HostLookup,
} from '../../../src/export/ssrf-guard.js';

/** A resolver that answers from a table, so no refused address is ever contacted. */
function table(entries: Record<string, string[]>): HostLookup {
  return async (host) => {
    const found = entries[host];
    if (!found) throw new Error(`ENOTFOUND ${host}`);
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
}

async function refusal(guard: AddressGuard, host: string): Promise<string | undefined> {
  try {
    await guard.resolve(host);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(SsrfError);
    return (error as Error).message;
  }
}

describe('SSRF address guard', () => {
  const guard = new AddressGuard(
    {},
    table({
      'siem.example.com': ['93.184.215.14'],
      'rebind.example.com': ['93.184.215.14', '10.0.0.5'],
      'mapped.example.com': ['::ffff:169.254.169.254'],
    }),
  );

  it.each([
    ['169.254.169.254', /link-local/],
    ['169.254.0.1', /link-local/],
    ['[fe80::1]', /link-local/],
    ['fe80::a9fe:a9fe', /link-local/],
    ['127.0.0.1', /loopback/],
    ['127.8.9.10', /loopback/],
    ['::1', /loopback/],
    ['10.1.2.3', /RFC 1918/],
    ['172.16.0.1', /RFC 1918/],
    ['172.31.255.255', /RFC 1918/],
    ['192.168.1.1', /RFC 1918/],
    ['100.64.0.1', /RFC 6598/],
    ['100.127.255.254', /RFC 6598/],
    ['0.0.0.0', /this network/],
    ['0.1.2.3', /this network/],
    ['fc00::1', /unique local/],
    ['fd00:ec2::254', /cloud metadata address/],
    ['::ffff:127.0.0.1', /embedding 127.0.0.1/],
    ['::ffff:10.0.0.1', /embedding 10.0.0.1/],
    ['::ffff:a9fe:a9fe', /link-local/],
    ['64:ff9b::a9fe:a9fe', /embedding 169.254.169.254/],
    ['2002:a9fe:a9fe::1', /embedding 169.254.169.254/],
    ['224.0.0.1', /multicast/],
    ['255.255.255.255', /reserved/],
    ['metadata.google.internal', /metadata/],
    ['METADATA.GOOGLE.INTERNAL.', /metadata/],
    ['metadata.goog', /metadata/],
    ['instance-data.ec2.internal', /metadata/],
    ['rebind.example.com', /10\.0\.0\.5.*RFC 1918/],
    ['mapped.example.com', /link-local/],
    ['nowhere.example.com', /does not resolve/],
  ])('refuses %s', async (host, reason) => {
    const why = await refusal(guard, host);
    expect(why).toMatch(reason);
    // The way out is named, as where it is set.
    expect(why).toContain('add the address or host to PALISADE_EXPORT_ALLOW');
  });

  it('lets public addresses through and returns the checked address to connect to', async () => {
    expect(await guard.resolve('siem.example.com')).toEqual({
      address: '93.184.215.14',
      family: 4,
    });
    expect(await guard.resolve('8.8.8.8')).toEqual({ address: '8.8.8.8', family: 4 });
    expect(await guard.resolve('[2606:4700::1111]')).toEqual({
      address: '2606:4700::1111',
      family: 6,
    });
    expect(await refusal(guard, '172.32.0.1')).toBeUndefined();
    expect(await refusal(guard, '100.128.0.1')).toBeUndefined();
  });

  it('opens refused ranges only for what the allow list names', async () => {
    const allowing = new AddressGuard(
      {
        allow: [
          '127.0.0.1/32',
          '10.20.0.0/16',
          'splunk.corp.example',
          '*.lab.example',
          '0.0.0.0/0',
        ],
      },
      table({ 'splunk.corp.example': ['192.168.5.5'], 'hec.lab.example': ['172.16.9.9'] }),
    );
    expect(await refusal(allowing, '127.0.0.1')).toBeUndefined();
    expect(await refusal(allowing, '10.20.3.4')).toBeUndefined();
    expect(await refusal(allowing, 'splunk.corp.example')).toBeUndefined();
    expect(await refusal(allowing, 'hec.lab.example')).toBeUndefined();
    // A broad allow entry never opens link-local or metadata names.
    expect(await refusal(allowing, '169.254.169.254')).toMatch(/link-local/);
    expect(await refusal(allowing, 'metadata.google.internal')).toMatch(/metadata/);
    const narrow = new AddressGuard({ allow: ['127.0.0.1/32'] });
    expect(await refusal(narrow, '127.0.0.2')).toMatch(/loopback/);
    expect(await refusal(narrow, '::ffff:127.0.0.1')).toBeUndefined();
  });

  it('refuses metadata names and literal link-local addresses before resolving, unless named', () => {
    const broad = new AddressGuard({ allow: ['0.0.0.0/0', '::/0'] });
    expect(broad.standingRefusal('169.254.169.254')).toMatch(/link-local/);
    expect(broad.standingRefusal('[fe80::1]')).toMatch(/link-local/);
    expect(broad.standingRefusal('64:ff9b::a9fe:a9fe')).toMatch(/embedding 169\.254\.169\.254/);
    expect(broad.standingRefusal('METADATA.google.internal.')).toMatch(/metadata/);
    // Names that need DNS, loopback and private literals are judged when connecting.
    expect(broad.standingRefusal('siem.example.com')).toBeUndefined();
    expect(new AddressGuard().standingRefusal('127.0.0.1')).toBeUndefined();
    const named = new AddressGuard({
      allow: ['169.254.169.254/32', 'metadata.google.internal'],
    });
    expect(named.standingRefusal('169.254.169.254')).toBeUndefined();
    expect(named.standingRefusal('metadata.google.internal')).toBeUndefined();
    expect(named.standingRefusal('169.254.0.1')).toMatch(/link-local/);
  });

  it('keeps the IPv6 metadata address and NAT64/translated forms of link-local shut', async () => {
    const broad = new AddressGuard(
      { allow: ['fd00::/8', 'fc00::/7', '::/0', 'siem.corp.example'] },
      table({ 'siem.corp.example': ['fd00:ec2::254'] }),
    );
    expect(await refusal(broad, 'fd00:ec2::254')).toMatch(/cloud metadata address/);
    expect(await refusal(broad, 'siem.corp.example')).toMatch(/cloud metadata address/);
    expect(await refusal(broad, 'fd00:ec2::253')).toBeUndefined();
    expect(broad.standingRefusal('[fd00:ec2::254]')).toMatch(/cloud metadata address/);
    const none = new AddressGuard();
    expect(await refusal(none, '64:ff9b:1::a9fe:a9fe')).toMatch(/embedding 169\.254\.169\.254/);
    expect(await refusal(none, '::ffff:0:a9fe:a9fe')).toMatch(/embedding 169\.254\.169\.254/);
    expect(embeddedIpv4('::ffff:0:a9fe:a9fe')).toBe('169.254.169.254');
    expect(new AddressGuard({ allow: ['fd00:ec2::254'] }).standingRefusal('fd00:ec2::254')).toBe(
      undefined,
    );
  });

  it('keeps Alibaba Cloud’s and Oracle Cloud’s metadata addresses shut behind broad entries', async () => {
    const broad = new AddressGuard({ allow: ['0.0.0.0/0', '100.64.0.0/10', '192.0.0.0/24'] });
    for (const address of ['100.100.100.200', '192.0.0.192']) {
      expect(await refusal(broad, address)).toMatch(/cloud metadata address/);
      expect(broad.standingRefusal(address)).toMatch(/cloud metadata address/);
      expect(new AddressGuard({ allow: [`${address}/32`] }).standingRefusal(address)).toBe(
        undefined,
      );
    }
    // The rest of the carrier-NAT range opens as its entry says.
    expect(await refusal(broad, '100.100.100.201')).toBeUndefined();
  });

  it('rejects an allow list entry it cannot read, naming it', () => {
    expect(() => new AddressGuard({ allow: ['10.0.0.0/33'] })).toThrow(/network.allow\[0\]/);
    expect(() => new AddressGuard({ allow: ['127.0.0.1', 'bad host!'] })).toThrow(
      /network.allow\[1\]/,
    );
  });

  it('finds the IPv4 address inside mapped, NAT64 and 6to4 addresses', () => {
    expect(embeddedIpv4('::ffff:192.168.0.1')).toBe('192.168.0.1');
    expect(embeddedIpv4('64:ff9b::0a00:0001')).toBe('10.0.0.1');
    expect(embeddedIpv4('2002:0a00:0001::')).toBe('10.0.0.1');
    expect(embeddedIpv4('2606:4700::1111')).toBeUndefined();
  });
});

describe('guarded HTTP dispatcher', () => {
  it('connects to the address it checked, whatever the name resolves to later', async () => {
    const server = createServer((req, res) => res.end(`host ${req.headers.host}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    try {
      // The first answer is the allowed loopback address; a rebinding resolver would answer a
      // metadata address on the next call, but the connection uses the answer that was checked.
      let calls = 0;
      const lookup: HostLookup = async () => {
        calls += 1;
        return [{ address: calls === 1 ? '127.0.0.1' : '169.254.169.254', family: 4 }];
      };
      const dispatcher = createGuardedDispatcher(
        new AddressGuard({ allow: ['127.0.0.1/32'] }, lookup),
      );
      const response = await request(`http://receiver.test:${port}/hook`, { dispatcher });
      expect(await response.body.text()).toBe(`host receiver.test:${port}`);
      expect(calls).toBe(1);
      await dispatcher.close();
    } finally {
      server.close();
    }
  });

  it('refuses before connecting when the name resolves to a refused address', async () => {
    const lookup: HostLookup = async () => [{ address: '169.254.169.254', family: 4 }];
    const dispatcher = createGuardedDispatcher(new AddressGuard({}, lookup));
    const error = await request('http://innocent.example/', { dispatcher }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SsrfError);
    await dispatcher.close();
  });
});

describe('guarded HTTPS', () => {
  it('connects to the checked address and still verifies the certificate against the host name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-guard-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=receiver.test',
        '-addext',
        'subjectAltName=DNS:receiver.test',
      ],
      { stdio: 'ignore' },
    );
    const cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    const key = readFileSync(join(dir, 'key.pem'), 'utf8');
    const server = createHttps({ cert, key }, (req, res) => res.end(`tls ${req.headers.host}`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const lookup: HostLookup = async (host) =>
      host === 'receiver.test' || host === 'other.test'
        ? [{ address: '127.0.0.1', family: 4 }]
        : [];
    const guard = new AddressGuard({ allow: ['127.0.0.1/32'] }, lookup);
    const dispatcher = createGuardedDispatcher(guard, { ca: cert });
    try {
      const ok = await request(`https://receiver.test:${port}/`, { dispatcher });
      expect(await ok.body.text()).toBe(`tls receiver.test:${port}`);
      // Same address, another name: the certificate does not cover it, so TLS refuses.
      const wrong = await request(`https://other.test:${port}/`, { dispatcher }).catch(
        (e: unknown) => e,
      );
      expect(String((wrong as Error).message)).toMatch(/altnames|certificate|Hostname/i);
    } finally {
      await dispatcher.close();
      server.close();
    }
  });
});
