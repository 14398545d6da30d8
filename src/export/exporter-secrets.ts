/**
 * Sink secrets at rest: the fields of a sink configuration that grant access (tokens, passwords,
 * HMAC keys, chat webhook URLs) are split off, encrypted with the server key (AES-256-GCM, bound
 * to the row they belong to) and joined back only when a sink is built.
 */

import type { ServerKey } from '../server/auth/server-key.js';

/** Fields that are secret in every sink kind. */
const SECRET_FIELDS = new Set(['token', 'secret', 'password', 'pass', 'apiToken']);

/**
 * Fields secret only in some kinds: a Slack or Teams webhook URL is its own credential, a NATS
 * client certificate's private key proves the client's identity.
 */
const SECRET_BY_KIND: Record<string, readonly string[]> = {
  slack: ['url'],
  teams: ['url'],
  nats: ['key'],
};

/** What a listing shows instead of a secret. */
export const REDACTED = '********';

/** The names of the secret fields of a configuration of `kind`. */
function secretFields(kind: string): Set<string> {
  return new Set([...SECRET_FIELDS, ...(SECRET_BY_KIND[kind] ?? [])]);
}

/**
 * Splits `config` into what may be stored and shown, and its secrets.
 *
 * ```ts
 * splitSecrets({ kind: 'webhook', url: 'https://x', secret: 's3cr3t...' });
 * // { open: { kind: 'webhook', url: 'https://x' }, secrets: { secret: 's3cr3t...' } }
 * ```
 */
export function splitSecrets(config: Record<string, unknown>): {
  open: Record<string, unknown>;
  secrets: Record<string, unknown>;
} {
  const hidden = secretFields(String(config.kind));
  const open: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) (hidden.has(k) ? secrets : open)[k] = v;
  return { open, secrets };
}

/**
 * `open` as a listing shows it: each secret field present as `REDACTED`, and the sink's `url`
 * without its query string or fragment, where receivers often take a key (`?code=...`), as the
 * audit log names the destination.
 *
 * ```ts
 * redacted({ kind: 'webhook', url: 'https://siem.example.com/in?key=abc' }, ['secret']);
 * // { kind: 'webhook', url: 'https://siem.example.com/in', secret: '********' }
 * ```
 */
export function redacted(
  open: Record<string, unknown>,
  secretNames: readonly string[],
): Record<string, unknown> {
  const shown = { ...open };
  if (typeof shown.url === 'string') shown.url = shown.url.split(/[?#]/, 1)[0];
  return { ...shown, ...Object.fromEntries(secretNames.map((n) => [n, REDACTED])) };
}

/** The secrets as stored: an encrypted envelope bound to `context` (e.g. `export:<id>`), or null. */
export function sealSecrets(
  key: ServerKey,
  secrets: Record<string, unknown>,
  context: string,
): string | null {
  if (Object.keys(secrets).length === 0) return null;
  return key.encryptSecret(JSON.stringify(secrets), context);
}

/** The secrets back from `sealed` (null: none). Throws `ServerKeyError` with another key. */
export function openSecrets(
  key: ServerKey,
  sealed: string | null,
  context: string,
): Record<string, unknown> {
  if (sealed === null) return {};
  return JSON.parse(key.decryptSecret(sealed, context)) as Record<string, unknown>;
}
