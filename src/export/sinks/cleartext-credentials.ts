/**
 * Sinks that send a credential with every request (a token or password header, a chat webhook
 * URL that is itself the secret) refuse a plain `http://` destination, so the credential never
 * crosses a network in clear. Loopback stays open for local collectors and relays.
 */

import { BlockList, isIP } from 'node:net';
import { sinkDestinations, type SinkConfig } from './sink-config.js';

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * True when `hostname` (as `URL.hostname` gives it) is a loopback destination: an address in
 * 127.0.0.0/8, `::1`, or the name `localhost`.
 *
 * ```ts
 * isLoopbackHost('127.0.0.2'); // true
 * isLoopbackHost('[::1]'); // true
 * isLoopbackHost('10.0.0.1'); // false
 * ```
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (host === 'localhost' || host === 'localhost.') return true;
  const family = isIP(host);
  if (family === 0) return false;
  return LOOPBACK.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The kinds that send a credential with every request to their URL, and what it is, for the
 * refusal's wording.
 */
const CREDENTIAL: Partial<Record<SinkConfig['kind'], string>> = {
  'splunk-hec': 'the HEC token',
  slack: 'the webhook URL, which is the credential,',
  teams: 'the webhook URL, which is the credential,',
  servicenow: 'the username and password',
  jira: 'the email and API token',
};

/**
 * Why `config` would send its credentials in clear, naming the field, or undefined when it
 * would not: the URL is https, the host is loopback, or the configuration sets
 * `requireTls: false`.
 */
export function cleartextRefusal(config: SinkConfig): { field: string; why: string } | undefined {
  const sends = CREDENTIAL[config.kind];
  if (!sends || (config as { requireTls?: boolean }).requireTls === false) return undefined;
  for (const { field, url: text } of sinkDestinations(config)) {
    if (text === undefined) continue;
    const url = new URL(text);
    if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) continue;
    return {
      field,
      why:
        `is plain http:// to ${url.host}, so ${sends} would cross the network ` +
        'in clear; use https://, or set requireTls: false to accept that',
    };
  }
  return undefined;
}
