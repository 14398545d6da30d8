/**
 * Sinks that send a credential with every request (a token or password header, a chat webhook
 * URL that is itself the secret) refuse a plain `http://` destination, so the credential never
 * crosses a network in clear. Loopback stays open for local collectors and relays.
 */

import { BlockList, isIP } from 'node:net';
import type { SinkConfig } from './sink-config.js';

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

interface CredentialledUrl {
  field: string;
  url: string;
  /** The configuration's `requireTls`; absent means required. */
  requireTls?: boolean;
}

/** The URL field that carries a credentialled request, for each sink kind that has one. */
function credentialledUrl(config: SinkConfig): CredentialledUrl | undefined {
  switch (config.kind) {
    case 'splunk-hec':
    case 'slack':
    case 'teams':
      return { field: 'url', url: config.url, requireTls: config.requireTls };
    case 'servicenow':
      return { field: 'instanceUrl', url: config.instanceUrl, requireTls: config.requireTls };
    case 'jira':
      return { field: 'baseUrl', url: config.baseUrl, requireTls: config.requireTls };
    default:
      return undefined;
  }
}

/** What each kind sends along with every request, for the refusal's wording. */
const CREDENTIAL: Record<string, string> = {
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
  const target = credentialledUrl(config);
  if (!target || target.requireTls === false) return undefined;

  const url = new URL(target.url);
  if (url.protocol !== 'http:' || isLoopbackHost(url.hostname)) return undefined;

  return {
    field: target.field,
    why:
      `is plain http:// to ${url.host}, so ${CREDENTIAL[config.kind]} would cross the network ` +
      'in clear; use https://, or set requireTls: false to accept that',
  };
}
