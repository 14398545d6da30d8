/**
 * Server configuration: defaults, then a YAML file, then PALISADE_* environment variables, then
 * command-line flags. Every value is validated; an error names the key and where it came from.
 */

import { readFileSync } from 'node:fs';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { SEND_TIMEOUT_SECONDS } from '../export/send-timeout.js';
import { DEFAULT_STORE_PATH } from '../store/database.js';

const Port = Type.Integer({ minimum: 0, maximum: 65_535 });

/** The shape of a configuration file; every key is optional there. */
export const ConfigSchema = Type.Object(
  {
    server: Type.Object(
      {
        host: Type.String({ minLength: 1 }),
        port: Port,
        tls: Type.Optional(
          Type.Object(
            { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) },
            { additionalProperties: false },
          ),
        ),
        trustProxy: Type.Boolean(),
        shutdownTimeoutSeconds: Type.Integer({ minimum: 1, maximum: 3_600 }),
        /** A request must arrive whole within this (default 60): slow senders cannot hold sockets. */
        requestTimeoutSeconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 3_600 })),
        /** Open connections one address may hold (default 100; 0: no cap, e.g. behind a proxy). */
        maxConnectionsPerAddress: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000 })),
      },
      { additionalProperties: false },
    ),
    store: Type.Object(
      { location: Type.String({ minLength: 1 }) },
      { additionalProperties: false },
    ),
    auth: Type.Object(
      {
        sessionHours: Type.Integer({ minimum: 1, maximum: 24 * 30 }),
        /** The server key file; defaults to `<SQLite store>.key`, required with PostgreSQL. */
        secretKeyFile: Type.Optional(Type.String({ minLength: 1 })),
        /** A session ends after this many minutes without a request, before its lifetime. */
        sessionIdleMinutes: Type.Integer({ minimum: 1, maximum: 24 * 60 }),
        /**
         * Login attempts per client address, right or wrong and for any username: a ceiling high
         * enough for an office behind one NAT, against floods. Guessing is slowed by the two below.
         */
        loginRateLimit: Type.Object(
          {
            max: Type.Integer({ minimum: 1, maximum: 10_000 }),
            windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
          },
          { additionalProperties: false },
        ),
        /** Failed logins per username, from any address. */
        usernameRateLimit: Type.Object(
          {
            max: Type.Integer({ minimum: 1, maximum: 10_000 }),
            windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
          },
          { additionalProperties: false },
        ),
        /**
         * Failed logins per username from one client address: a guesser there is slowed on the
         * accounts it tries while other users at that address log in.
         */
        clientUsernameRateLimit: Type.Object(
          {
            max: Type.Integer({ minimum: 1, maximum: 10_000 }),
            windowSeconds: Type.Integer({ minimum: 1, maximum: 86_400 }),
          },
          { additionalProperties: false },
        ),
      },
      { additionalProperties: false },
    ),
    ingest: Type.Optional(
      Type.Object(
        {
          rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
          /** Refuse to start when a rule cannot be used, instead of skipping it with a warning. */
          strictRules: Type.Optional(Type.Boolean()),
          placeholders: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
          flushIntervalMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
          maxBodyBytes: Type.Optional(Type.Integer({ minimum: 1_024, maximum: 1024 ** 3 })),
          maxDecodedBytes: Type.Optional(Type.Integer({ minimum: 1_024, maximum: 4 * 1024 ** 3 })),
          syslog: Type.Optional(
            Type.Object(
              {
                host: Type.Optional(Type.String({ minLength: 1 })),
                udpPort: Type.Optional(Port),
                tcpPort: Type.Optional(Port),
                tls: Type.Optional(
                  Type.Object(
                    { cert: Type.String({ minLength: 1 }), key: Type.String({ minLength: 1 }) },
                    { additionalProperties: false },
                  ),
                ),
                maxMessageBytes: Type.Optional(Type.Integer({ minimum: 480, maximum: 1024 ** 2 })),
                /** Open TCP connections in all (default 1,000). */
                maxConnections: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
                /** Open TCP connections per address (default 32; 0: no cap, behind a relay). */
                maxConnectionsPerAddress: Type.Optional(
                  Type.Integer({ minimum: 0, maximum: 100_000 }),
                ),
                /** IANA zone of RFC 3164 times, which carry none (default UTC). */
                timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
              },
              { additionalProperties: false },
            ),
          ),
          tail: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  path: Type.String({ minLength: 1 }),
                  type: Type.Optional(Type.String({ minLength: 1 })),
                  fromStart: Type.Optional(Type.Boolean()),
                  /** IANA zone of the file's syslog times that carry none (default UTC). */
                  timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
                },
                { additionalProperties: false },
              ),
              { maxItems: 1_000 },
            ),
          ),
          tailPollMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
          /**
           * Received records remembered so the same record sent again (a sender's retry) is not
           * counted twice: for `hours` after receipt (default 24), at most `maxRecords` (default
           * 1,000,000, about 24 MB of memory), the oldest forgotten first.
           */
          repeats: Type.Optional(
            Type.Object(
              {
                hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 30 })),
                maxRecords: Type.Optional(Type.Integer({ minimum: 1_000, maximum: 10_000_000 })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    posture: Type.Optional(
      Type.Object(
        {
          /** Folders sources may read; default: the folder the server was started in. */
          allowedRoots: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), { minItems: 1, maxItems: 100 }),
          ),
          exemptionsFile: Type.Optional(Type.String({ minLength: 1 })),
          rules: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { maxItems: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    export: Type.Optional(
      Type.Object(
        {
          /** Longest a sink may take to accept a batch before the send is cut and retried. */
          sendTimeoutSeconds: Type.Optional(
            Type.Integer({ minimum: SEND_TIMEOUT_SECONDS.min, maximum: SEND_TIMEOUT_SECONDS.max }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    log: Type.Object(
      {
        level: Type.Union(
          ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) =>
            Type.Literal(l),
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** A complete, validated configuration. */
export type ServerConfig = Static<typeof ConfigSchema>;

/** The configuration when nothing is set: loopback only, no TLS. */
export function defaultConfig(): ServerConfig {
  return {
    server: { host: '127.0.0.1', port: 8443, trustProxy: false, shutdownTimeoutSeconds: 30 },
    store: { location: DEFAULT_STORE_PATH },
    auth: {
      sessionHours: 12,
      sessionIdleMinutes: 30,
      loginRateLimit: { max: 100, windowSeconds: 60 },
      usernameRateLimit: { max: 10, windowSeconds: 900 },
      clientUsernameRateLimit: { max: 5, windowSeconds: 60 },
    },
    log: { level: 'info' },
  };
}

/** A configuration value that is missing, malformed or out of range. */
export class ConfigError extends Error {
  /** Dotted key (`server.port`) or environment variable (`PALISADE_PORT`) at fault. */
  readonly key: string;

  constructor(key: string, message: string) {
    super(`${key}: ${message}`);
    this.name = 'ConfigError';
    this.key = key;
  }
}

/** Environment variables and the key each sets. */
export const ENVIRONMENT: Record<string, { key: string; kind: 'string' | 'int' | 'bool' }> = {
  PALISADE_HOST: { key: 'server.host', kind: 'string' },
  PALISADE_PORT: { key: 'server.port', kind: 'int' },
  PALISADE_TLS_CERT: { key: 'server.tls.cert', kind: 'string' },
  PALISADE_TLS_KEY: { key: 'server.tls.key', kind: 'string' },
  PALISADE_TRUST_PROXY: { key: 'server.trustProxy', kind: 'bool' },
  PALISADE_SHUTDOWN_TIMEOUT_SECONDS: { key: 'server.shutdownTimeoutSeconds', kind: 'int' },
  PALISADE_REQUEST_TIMEOUT_SECONDS: { key: 'server.requestTimeoutSeconds', kind: 'int' },
  PALISADE_MAX_CONNECTIONS_PER_ADDRESS: { key: 'server.maxConnectionsPerAddress', kind: 'int' },
  PALISADE_DB: { key: 'store.location', kind: 'string' },
  PALISADE_SESSION_HOURS: { key: 'auth.sessionHours', kind: 'int' },
  PALISADE_SECRET_KEY_FILE: { key: 'auth.secretKeyFile', kind: 'string' },
  PALISADE_SESSION_IDLE_MINUTES: { key: 'auth.sessionIdleMinutes', kind: 'int' },
  PALISADE_LOGIN_USERNAME_RATE_LIMIT_MAX: { key: 'auth.usernameRateLimit.max', kind: 'int' },
  PALISADE_LOGIN_USERNAME_RATE_LIMIT_WINDOW_SECONDS: {
    key: 'auth.usernameRateLimit.windowSeconds',
    kind: 'int',
  },
  PALISADE_LOGIN_CLIENT_USERNAME_RATE_LIMIT_MAX: {
    key: 'auth.clientUsernameRateLimit.max',
    kind: 'int',
  },
  PALISADE_LOGIN_CLIENT_USERNAME_RATE_LIMIT_WINDOW_SECONDS: {
    key: 'auth.clientUsernameRateLimit.windowSeconds',
    kind: 'int',
  },
  PALISADE_LOGIN_RATE_LIMIT_MAX: { key: 'auth.loginRateLimit.max', kind: 'int' },
  PALISADE_LOGIN_RATE_LIMIT_WINDOW_SECONDS: {
    key: 'auth.loginRateLimit.windowSeconds',
    kind: 'int',
  },
  PALISADE_LOG_LEVEL: { key: 'log.level', kind: 'string' },
  PALISADE_SYSLOG_HOST: { key: 'ingest.syslog.host', kind: 'string' },
  PALISADE_SYSLOG_UDP_PORT: { key: 'ingest.syslog.udpPort', kind: 'int' },
  PALISADE_SYSLOG_TCP_PORT: { key: 'ingest.syslog.tcpPort', kind: 'int' },
  PALISADE_EXPORT_SEND_TIMEOUT_SECONDS: { key: 'export.sendTimeoutSeconds', kind: 'int' },
};

/** Where configuration comes from; each layer overrides the one before. */
export interface ConfigSources {
  /** Path of a YAML file. */
  file?: string;
  /** Usually `process.env`; only PALISADE_* names are read. */
  env?: Record<string, string | undefined>;
  /** Dotted keys from command-line flags, e.g. `{ 'server.port': 9000 }`. */
  overrides?: Record<string, unknown>;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: Record<string, unknown>, layer: Record<string, unknown>, at: string): void {
  for (const [name, value] of Object.entries(layer)) {
    if (name === '__proto__' || name === 'constructor' || name === 'prototype') {
      throw new ConfigError(at + name, 'is not a configuration key');
    }
    const current = base[name];
    if (isObject(current) && isObject(value)) merge(current, value, `${at}${name}.`);
    else base[name] = value;
  }
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    if (!isObject(node[part])) node[part] = {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts[parts.length - 1]] = value;
}

function readFileLayer(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot read the configuration file (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = parseYaml(text);
  } catch (error) {
    throw new ConfigError(file, `not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (!isObject(parsed)) throw new ConfigError(file, 'expected a mapping of settings');
  return parsed;
}

function envValue(name: string, raw: string, kind: 'string' | 'int' | 'bool'): unknown {
  if (kind === 'string') return raw;
  if (kind === 'bool') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new ConfigError(name, `expected true or false, got '${raw}'`);
  }
  if (!/^-?\d+$/.test(raw.trim()))
    throw new ConfigError(name, `expected a whole number, got '${raw}'`);
  return Number(raw);
}

function envLayer(env: Record<string, string | undefined>): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith('PALISADE_') || raw === undefined || raw === '') continue;
    const known = ENVIRONMENT[name];
    if (!known) continue; // Other tools' PALISADE_* variables (e.g. the CLI's) are not ours.
    setPath(layer, known.key, envValue(name, raw, known.kind));
  }
  return layer;
}

/** The dotted key of a TypeBox error path (`/server/port` → `server.port`). */
function keyOf(path: string, message: string): string {
  const key = path.replace(/^\//, '').replaceAll('/', '.');
  const unknown = /Unexpected property/i.test(message);
  return key || (unknown ? '(top level)' : '(top level)');
}

/** The first problem with `candidate`, named by its key. */
function validate(candidate: unknown, sourceOf: (key: string) => string): ServerConfig {
  const first = Value.Errors(ConfigSchema, candidate).First();
  if (!first) return candidate as ServerConfig;
  const key = keyOf(first.path, first.message);
  const extra = /additional|unexpected/i.test(first.message) ? 'is not a configuration key' : '';
  const got = extra ? '' : `, got ${JSON.stringify(first.value)}`;
  throw new ConfigError(key, `${extra || first.message.toLowerCase()}${got} (${sourceOf(key)})`);
}

/**
 * Loads and validates the configuration.
 *
 * ```ts
 * const config = loadConfig({ file: 'palisade.yaml', env: process.env });
 * ```
 */
export function loadConfig(sources: ConfigSources = {}): ServerConfig {
  const config = defaultConfig() as unknown as Record<string, unknown>;
  const origin = new Map<string, string>();
  const record = (layer: Record<string, unknown>, label: string, at = ''): void => {
    for (const [k, v] of Object.entries(layer)) {
      if (isObject(v)) record(v, label, `${at}${k}.`);
      else origin.set(at + k, label);
    }
  };

  if (sources.file) {
    const layer = readFileLayer(sources.file);
    record(layer, `set in ${sources.file}`);
    merge(config, layer, '');
  }
  const env = envLayer(sources.env ?? {});
  for (const [name, { key }] of Object.entries(ENVIRONMENT)) {
    if (sources.env?.[name]) origin.set(key, `set by ${name}`);
  }
  merge(config, env, '');
  for (const [key, value] of Object.entries(sources.overrides ?? {})) {
    if (value === undefined) continue;
    setPath(config, key, value);
    origin.set(key, 'set on the command line');
  }

  return validate(config, (key) => origin.get(key) ?? 'default');
}
