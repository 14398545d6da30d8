/**
 * Sink configurations, one shape per destination kind, and the check that turns untrusted input
 * (an API body, a stored row, a CLI file) into one of them or a `SinkConfigError` naming the field.
 */

import { isIP } from 'node:net';
import type { AlertStatus } from '../../model/alert.js';
import type { ExportFormat } from '../../model/export-record.js';
import { EXPORT_FORMATS } from '../formats/index.js';
import { SinkConfigError } from './sink-config-error.js';
import type { SyslogSinkConfig } from './syslog-sink.js';

export type { SyslogSinkConfig } from './syslog-sink.js';

/** Splunk HTTP Event Collector. */
export interface SplunkHecSinkConfig {
  kind: 'splunk-hec';
  /** Collector base URL, `https://splunk.example.com:8088`; a trailing `/` is dropped. */
  url: string;
  token: string;
  /**
   * Refuse a plain `http://` URL to a host other than loopback (the credential would travel in
   * clear); on unless set to false.
   */
  requireTls?: boolean;
  /** `json` (default) and `ocsf` send objects as `event`; `cef` and `leef` send strings. */
  format?: ExportFormat;
  index?: string;
  source?: string;
  sourcetype?: string;
  /** Events per request; 100 by default. */
  batchSize?: number;
  /** Indexer acknowledgement: a batch counts as delivered once Splunk acknowledges it. */
  ack?: { channel: string; timeoutMs?: number; pollMs?: number };
  timeoutMs?: number;
}

/** Generic HTTPS webhook with an HMAC-SHA256 signature. */
export interface WebhookSinkConfig {
  kind: 'webhook';
  /** The URL posted to, exactly as given (a trailing `/` is kept). */
  url: string;
  /** Shared secret for the signature; at least 16 characters. */
  secret: string;
  format?: 'json' | 'ocsf';
  /** Records per request; 100 by default. */
  batchSize?: number;
  timeoutMs?: number;
}

/** NATS JetStream subject. */
export interface NatsSinkConfig {
  kind: 'nats';
  /** `host:port` of each server. */
  servers: string[];
  subject: string;
  format?: ExportFormat;
  /** Stream the subject must belong to; checked on the first send when given. */
  stream?: string;
  user?: string;
  pass?: string;
  token?: string;
  /**
   * TLS to the servers, verified against the system's CAs plus `ca`: on when true or when any
   * of `ca`, `cert`, `key` is given. The connection fails rather than fall back to plain text.
   */
  tls?: boolean;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  /** The name the servers' certificate must carry (by default, the configured host names). */
  servername?: string;
  /** Client certificate and its private key (PEM) for mutual TLS; the key is a secret. */
  cert?: string;
  key?: string;
  timeoutMs?: number;
}

/** Slack or Microsoft Teams incoming webhook. */
export interface ChatSinkConfig {
  kind: 'slack' | 'teams';
  /** The incoming webhook URL, exactly as given; it is the credential. */
  url: string;
  /** Console base URL for the link back to each alert. */
  consoleUrl: string;
  /**
   * Refuse a plain `http://` URL to a host other than loopback (the credential would travel in
   * clear); on unless set to false.
   */
  requireTls?: boolean;
  timeoutMs?: number;
}

/** Whether a ticket is opened per alert or per incident (alerts of one incident share one). */
export type TicketScope = 'alert' | 'incident';

/** ServiceNow incident through the Table API. */
export interface ServiceNowSinkConfig {
  kind: 'servicenow';
  /** `https://example.service-now.com`; a trailing `/` is dropped. */
  instanceUrl: string;
  username: string;
  password: string;
  /**
   * Refuse a plain `http://` URL to a host other than loopback (the credential would travel in
   * clear); on unless set to false.
   */
  requireTls?: boolean;
  consoleUrl: string;
  per?: TicketScope;
  assignmentGroup?: string;
  category?: string;
  /** close_code values for resolved and dismissed alerts, when the instance has its own list. */
  closeCodes?: { resolved?: string; dismissed?: string };
  timeoutMs?: number;
}

/** Jira issue through REST API v3. */
export interface JiraSinkConfig {
  kind: 'jira';
  /** `https://example.atlassian.net`; a trailing `/` is dropped. */
  baseUrl: string;
  email: string;
  apiToken: string;
  /**
   * Refuse a plain `http://` URL to a host other than loopback (the credential would travel in
   * clear); on unless set to false.
   */
  requireTls?: boolean;
  projectKey: string;
  /** Issue type name; `Task` by default. */
  issueType?: string;
  consoleUrl: string;
  per?: TicketScope;
  /** Transition name to apply for each alert status (defaults: To Do, In Progress, Done, Done). */
  transitions?: Partial<Record<AlertStatus, string>>;
  timeoutMs?: number;
}

/** Email over SMTP. */
export interface EmailSinkConfig {
  kind: 'email';
  host: string;
  /** 587 by default (465 when `secure`). */
  port?: number;
  /** TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  secure?: boolean;
  /** Refuse to send without STARTTLS; on by default when `user` is set (no password in clear). */
  requireTls?: boolean;
  user?: string;
  pass?: string;
  from: string;
  to: string[];
  consoleUrl?: string;
  /** Extra trusted CA certificates (PEM). */
  ca?: string;
  timeoutMs?: number;
}

/** Every sink configuration. */
export type SinkConfig =
  | SyslogSinkConfig
  | SplunkHecSinkConfig
  | WebhookSinkConfig
  | NatsSinkConfig
  | ChatSinkConfig
  | ServiceNowSinkConfig
  | JiraSinkConfig
  | EmailSinkConfig;

export const SINK_KINDS = [
  'syslog',
  'splunk-hec',
  'webhook',
  'nats',
  'slack',
  'teams',
  'servicenow',
  'jira',
  'email',
] as const;

export type SinkKind = (typeof SINK_KINDS)[number];

type Fields = Record<string, unknown>;

/**
 * A host field's value as the WHATWG URL parser reads the host of a URL (numeric IPv4 forms
 * written dotted, capitals lowered, IPv6 bracketed and shortened), so a host field is judged as
 * a URL naming the same host would be; undefined when it is no host (spaces, `/`, `@`, ...).
 *
 * ```ts
 * normalHost('2852039166'); // '169.254.169.254'
 * normalHost('0xa9fea9fe'); // '169.254.169.254'
 * normalHost('fe80::1'); // '[fe80::1]'
 * ```
 */
export function normalHost(host: string): string | undefined {
  // The URL parser would drop surrounding spaces and line breaks, and read `/`, `?`, `#`, `@`
  // and `:` as the end of the host; a host field may hold none of them (IPv6 colons aside).
  if (host === '' || /[\s\p{Cc}/?#@\\]/u.test(host)) return undefined;
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  const ipv6 = isIP(bare) === 6;
  if (!ipv6 && host.includes(':')) return undefined;
  try {
    return new URL(`http://${ipv6 ? `[${bare}]` : host}/`).hostname;
  } catch {
    return undefined;
  }
}

/** The host of a NATS server entry (`nats://host:port` or `host:port`). */
function natsHost(server: string): string {
  return server.replace(/^nats:\/\//, '').replace(/:\d{1,5}$/, '');
}

/** Reads fields of one configuration object, failing with the field's path. */
class FieldReader {
  readonly #kind: string;
  readonly #input: Fields;
  /** Path of this object inside the configuration: `''`, or `ack.` for a nested one. */
  readonly #prefix: string;
  /** Fields the parser asked for; any other field in the input is a mistake. */
  readonly read = new Set<string>(['kind']);

  constructor(kind: string, input: Fields, prefix = '') {
    this.#kind = kind;
    this.#prefix = prefix;
    this.#input = new Proxy(input, {
      get: (target, key) => {
        if (typeof key === 'string') this.read.add(key);
        return target[key as string];
      },
    });
  }

  /** Fails on the first input field no parser step read (a typo, or a field of another kind). */
  rejectUnknown(input: Fields): void {
    const unknown = Object.keys(input).find((key) => !this.read.has(key));
    if (unknown !== undefined) this.fail(unknown, 'is not a field of this sink kind');
  }

  fail(field: string, message: string): never {
    throw new SinkConfigError(this.#kind, `${this.#prefix}${field}`, message);
  }

  string(field: string, options: { optional?: boolean; min?: number } = {}): string | undefined {
    const value = this.#input[field];
    if (value === undefined && options.optional) return undefined;
    if (typeof value !== 'string' || value.length < (options.min ?? 1)) {
      this.fail(field, `must be a string of at least ${options.min ?? 1} characters`);
    }
    return value;
  }

  required(field: string, min = 1): string {
    return this.string(field, { min }) as string;
  }

  /**
   * A credential that travels in a request header or protocol line (a token, a user name, a
   * password): a line break in it would end the header early, so every delivery would fail.
   * The message never repeats the value.
   */
  credential(field: string, options: { optional?: boolean } = {}): string | undefined {
    const value = this.string(field, options);
    if (value !== undefined && /\p{Cc}/u.test(value)) {
      this.fail(field, 'must not hold line breaks or other control characters');
    }
    return value;
  }

  /** A host name or IP address (no port), kept as given; see `normalHost` for what passes. */
  host(field: string): string {
    const value = this.required(field);
    if (/[\s\p{Cc}]/u.test(value)) {
      this.fail(field, 'must be a host name or IP address without spaces or line breaks');
    }
    if (normalHost(value) === undefined) {
      this.fail(field, `"${value}" is not a host name or IP address`);
    }
    return value;
  }

  /**
   * An absolute http or https URL without credentials. A `base` URL, to which the sink appends
   * paths, loses its trailing slashes; any other is kept exactly as given.
   */
  url(field: string, options: { optional?: boolean; base?: boolean } = {}): string | undefined {
    const value = this.string(field, { optional: options.optional });
    if (value === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      this.fail(field, `"${value}" is not an absolute URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      this.fail(field, `must be an http or https URL, not ${url.protocol}`);
    }
    if (url.username || url.password) {
      this.fail(field, 'must not carry credentials; use the sink credential fields');
    }
    return options.base ? value.replace(/\/+$/, '') : value;
  }

  integer(field: string, min: number, max: number): number | undefined {
    const value = this.#input[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  boolean(field: string): boolean | undefined {
    const value = this.#input[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean') this.fail(field, 'must be true or false');
    return value;
  }

  oneOf<T extends string>(field: string, allowed: readonly T[], optional = true): T | undefined {
    const value = this.#input[field];
    if (value === undefined && optional) return undefined;
    if (!allowed.includes(value as T)) this.fail(field, `must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  strings(field: string): string[] {
    const value = this.#input[field];
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(field, 'must be a non-empty list of strings');
    }
    value.forEach((item, i) => {
      if (typeof item !== 'string' || item === '') this.fail(`${field}[${i}]`, 'must be a string');
    });
    return value as string[];
  }

  object(field: string): Fields | undefined {
    const value = this.#input[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(field, 'must be an object');
    }
    return value as Fields;
  }

  nested(field: string, input: Fields): FieldReader {
    return new FieldReader(this.#kind, input, `${this.#prefix}${field}.`);
  }
}

const TIMEOUT = (r: FieldReader): number | undefined => r.integer('timeoutMs', 100, 600_000);
const PORT = (r: FieldReader): number | undefined => r.integer('port', 1, 65_535);

/** An optional PEM text field holding at least one `-----BEGIN ...<label>-----` block. */
function pem(r: FieldReader, field: string, label: string): string | undefined {
  const text = r.string(field, { optional: true });
  if (text !== undefined && !new RegExp(`-----BEGIN [A-Z0-9 ]*${label}-----`).test(text)) {
    r.fail(field, `must be PEM text (-----BEGIN ... ${label}-----)`);
  }
  return text;
}

/** Drops absent optional fields so stored configurations stay small and comparable. */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const PARSERS: Record<SinkKind, (r: FieldReader) => SinkConfig> = {
  syslog: (r) =>
    compact<SyslogSinkConfig>({
      kind: 'syslog',
      transport: r.oneOf('transport', ['udp', 'tcp', 'tls'] as const, false)!,
      host: r.host('host'),
      port: PORT(r),
      format: r.oneOf('format', EXPORT_FORMATS),
      facility: r.integer('facility', 0, 23),
      appName: r.string('appName', { optional: true }),
      hostname: r.string('hostname', { optional: true }),
      sdId: r.string('sdId', { optional: true }),
      consoleUrl: r.url('consoleUrl', { optional: true, base: true }),
      ca: r.string('ca', { optional: true }),
      servername: r.string('servername', { optional: true }),
      maxDatagramBytes: r.integer('maxDatagramBytes', 480, 65_507),
      udpMessagesPerSecond: r.integer('udpMessagesPerSecond', 1, 1_000_000),
      udpBurst: r.integer('udpBurst', 1, 10_000),
      timeoutMs: TIMEOUT(r),
    }),
  'splunk-hec': (r) => {
    const ack = r.object('ack');
    const ackReader = ack ? r.nested('ack', ack) : undefined;
    const channel = ackReader?.required('channel');
    ackReader?.integer('timeoutMs', 100, 600_000);
    ackReader?.integer('pollMs', 10, 60_000);
    if (ack) ackReader!.rejectUnknown(ack);
    if (channel !== undefined && !/^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$/i.test(channel)) {
      r.fail('ack.channel', 'must be a GUID (Splunk channels are GUIDs)');
    }
    return compact<SplunkHecSinkConfig>({
      kind: 'splunk-hec',
      url: r.url('url', { base: true })!,
      token: r.credential('token')!,
      requireTls: r.boolean('requireTls'),
      format: r.oneOf('format', EXPORT_FORMATS),
      index: r.string('index', { optional: true }),
      source: r.string('source', { optional: true }),
      sourcetype: r.string('sourcetype', { optional: true }),
      batchSize: r.integer('batchSize', 1, 10_000),
      ack: ackReader
        ? compact({
            channel: channel!,
            timeoutMs: ackReader.integer('timeoutMs', 100, 600_000),
            pollMs: ackReader.integer('pollMs', 10, 60_000),
          })
        : undefined,
      timeoutMs: TIMEOUT(r),
    });
  },
  webhook: (r) =>
    compact<WebhookSinkConfig>({
      kind: 'webhook',
      url: r.url('url')!,
      secret: r.required('secret', 16),
      format: r.oneOf('format', ['json', 'ocsf'] as const),
      batchSize: r.integer('batchSize', 1, 10_000),
      timeoutMs: TIMEOUT(r),
    }),
  nats: (r) => {
    const servers = r.strings('servers');
    servers.forEach((s, i) => {
      if (!/^(nats:\/\/)?[^\s/:]+(:\d{1,5})?$/.test(s) || normalHost(natsHost(s)) === undefined) {
        r.fail(`servers[${i}]`, `"${s}" is not host:port`);
      }
    });
    const subject = r.required('subject');
    if (!/^[^\s*>]+$/.test(subject) || subject.split('.').some((t) => t === '')) {
      r.fail(
        'subject',
        `"${subject}" is not a publishable subject (no spaces, wildcards or empty tokens)`,
      );
    }
    const tls = r.boolean('tls');
    const ca = pem(r, 'ca', 'CERTIFICATE');
    const cert = pem(r, 'cert', 'CERTIFICATE');
    const key = pem(r, 'key', 'PRIVATE KEY');
    if ((cert === undefined) !== (key === undefined)) {
      r.fail(
        cert === undefined ? 'cert' : 'key',
        'is needed too: a client certificate goes with its key (mutual TLS)',
      );
    }
    const tlsFields = ca ?? cert ?? key;
    if (tls === false && tlsFields !== undefined) {
      r.fail('tls', 'is false, but ca, cert or key is given: they need TLS');
    }
    return compact<NatsSinkConfig>({
      kind: 'nats',
      servers,
      subject,
      format: r.oneOf('format', EXPORT_FORMATS),
      stream: r.string('stream', { optional: true }),
      user: r.credential('user', { optional: true }),
      pass: r.credential('pass', { optional: true }),
      token: r.credential('token', { optional: true }),
      tls: tls ?? (tlsFields !== undefined ? true : undefined),
      ca,
      servername: r.string('servername', { optional: true }),
      cert,
      key,
      timeoutMs: TIMEOUT(r),
    });
  },
  slack: (r) => chat('slack', r),
  teams: (r) => chat('teams', r),
  servicenow: (r) => {
    const codes = r.object('closeCodes');
    if (codes) {
      const c = r.nested('closeCodes', codes);
      for (const key of Object.keys(codes)) {
        if (key !== 'resolved' && key !== 'dismissed')
          r.fail(`closeCodes.${key}`, 'is not resolved or dismissed');
        c.required(key);
      }
    }
    return compact<ServiceNowSinkConfig>({
      kind: 'servicenow',
      instanceUrl: r.url('instanceUrl', { base: true })!,
      username: r.credential('username')!,
      password: r.credential('password')!,
      requireTls: r.boolean('requireTls'),
      consoleUrl: r.url('consoleUrl', { base: true })!,
      per: r.oneOf('per', ['alert', 'incident'] as const),
      assignmentGroup: r.string('assignmentGroup', { optional: true }),
      category: r.string('category', { optional: true }),
      closeCodes: codes as ServiceNowSinkConfig['closeCodes'],
      timeoutMs: TIMEOUT(r),
    });
  },
  jira: (r) => {
    const transitions = r.object('transitions');
    if (transitions) {
      const t = r.nested('transitions', transitions);
      for (const key of Object.keys(transitions)) {
        if (!['active', 'in_progress', 'resolved', 'dismissed'].includes(key)) {
          r.fail(
            `transitions.${key}`,
            'is not an alert status (active, in_progress, resolved, dismissed)',
          );
        }
        t.required(key);
      }
    }
    const projectKey = r.required('projectKey');
    if (!/^[A-Z][A-Z0-9_]+$/.test(projectKey))
      r.fail('projectKey', `"${projectKey}" is not a Jira project key`);
    return compact<JiraSinkConfig>({
      kind: 'jira',
      baseUrl: r.url('baseUrl', { base: true })!,
      email: r.credential('email')!,
      apiToken: r.credential('apiToken')!,
      requireTls: r.boolean('requireTls'),
      projectKey,
      issueType: r.string('issueType', { optional: true }),
      consoleUrl: r.url('consoleUrl', { base: true })!,
      per: r.oneOf('per', ['alert', 'incident'] as const),
      transitions: transitions as JiraSinkConfig['transitions'],
      timeoutMs: TIMEOUT(r),
    });
  },
  email: (r) => {
    const to = r.strings('to');
    const address = /^[^\s@<>]+@[^\s@<>]+$/;
    to.forEach((a, i) => {
      if (!address.test(a)) r.fail(`to[${i}]`, `"${a}" is not an email address`);
    });
    const from = r.required('from');
    if (!address.test(from.replace(/^.*<([^>]+)>$/, '$1')))
      r.fail('from', `"${from}" is not an email address`);
    return compact<EmailSinkConfig>({
      kind: 'email',
      host: r.host('host'),
      port: PORT(r),
      secure: r.boolean('secure'),
      requireTls: r.boolean('requireTls'),
      user: r.credential('user', { optional: true }),
      pass: r.credential('pass', { optional: true }),
      from,
      to,
      consoleUrl: r.url('consoleUrl', { optional: true, base: true }),
      ca: r.string('ca', { optional: true }),
      timeoutMs: TIMEOUT(r),
    });
  },
};

function chat(kind: 'slack' | 'teams', r: FieldReader): ChatSinkConfig {
  return compact<ChatSinkConfig>({
    kind,
    url: r.url('url')!,
    requireTls: r.boolean('requireTls'),
    consoleUrl: r.url('consoleUrl', { base: true })!,
    timeoutMs: TIMEOUT(r),
  });
}

/**
 * Checks an untrusted sink configuration and returns it typed, or throws `SinkConfigError`
 * naming the first bad field.
 *
 * ```ts
 * const config = parseSinkConfig(JSON.parse(body)); // { kind: 'syslog', transport: 'tcp', ... }
 * ```
 */
export function parseSinkConfig(input: unknown): SinkConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new SinkConfigError('unknown', 'config', 'must be an object');
  }
  const fields = input as Fields;
  const kind = fields.kind;
  if (typeof kind !== 'string' || !(SINK_KINDS as readonly string[]).includes(kind)) {
    throw new SinkConfigError('unknown', 'kind', `must be one of ${SINK_KINDS.join(', ')}`);
  }
  const reader = new FieldReader(kind, fields);
  const config = PARSERS[kind as SinkKind](reader);
  reader.rejectUnknown(fields);
  return config;
}

/**
 * The hosts a sink connects to, each with the field that names it and, for a URL field, the URL
 * (links in tickets left out). Hosts read as a URL's host is (`normalHost`), so `2852039166` in
 * a host field is judged as `169.254.169.254`, as it would be in a URL.
 */
export function sinkDestinations(
  config: SinkConfig,
): { field: string; host: string; url?: string }[] {
  const urlHost = (field: string, url: string) => ({ field, host: new URL(url).hostname, url });
  const named = (field: string, host: string) => ({ field, host: normalHost(host) ?? host });
  switch (config.kind) {
    case 'syslog':
    case 'email':
      return [named('host', config.host)];
    case 'nats':
      return config.servers.map((server, i) => named(`servers[${i}]`, natsHost(server)));
    case 'splunk-hec':
    case 'webhook':
    case 'slack':
    case 'teams':
      return [urlHost('url', config.url)];
    case 'servicenow':
      return [urlHost('instanceUrl', config.instanceUrl)];
    case 'jira':
      return [urlHost('baseUrl', config.baseUrl)];
  }
}
