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

/** `url` without its query string and fragment: the part that names the receiver. */
function urlBase(url: string): string {
  return url.split(/[?#]/, 1)[0];
}

/**
 * Splits `config` into what may be stored and shown, and its secrets. A sink `url` that carries
 * a query string or fragment (where receivers often take a key: `?apikey=...`, `?code=...`) is
 * sealed whole, and only its base stays in the open part, so the row still names the receiver.
 *
 * ```ts
 * splitSecrets({ kind: 'webhook', url: 'https://x/in?key=k', secret: 's3cr3t...' });
 * // { open: { kind: 'webhook', url: 'https://x/in' },
 * //   secrets: { url: 'https://x/in?key=k', secret: 's3cr3t...' } }
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

  const url = open.url;
  if (typeof url === 'string' && urlBase(url) !== url) {
    secrets.url = url;
    open.url = urlBase(url);
  }
  return { open, secrets };
}

/**
 * `open` as a listing shows it: each secret field present as `REDACTED`, and the sink's `url`
 * without its query string or fragment, as the audit log names the destination. A URL sealed for
 * its query string is shown by its base, which the open part keeps (rows stored before such URLs
 * were sealed keep the whole URL in the open part, and show it cut the same way).
 *
 * ```ts
 * redacted({ kind: 'webhook', url: 'https://siem.example.com/in' }, ['secret', 'url']);
 * // { kind: 'webhook', url: 'https://siem.example.com/in', secret: '********' }
 * ```
 */
export function redacted(
  open: Record<string, unknown>,
  secretNames: readonly string[],
): Record<string, unknown> {
  const shown = { ...open };
  const hidden = Object.fromEntries(secretNames.map((n) => [n, REDACTED]));
  if (typeof shown.url === 'string') {
    shown.url = urlBase(shown.url);
    delete hidden.url;
  }
  return { ...shown, ...hidden };
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

/**
 * `given` (a sink configuration sent back to change a stored one) with what a listing shows in
 * place of a secret replaced by the stored value: a field given as `REDACTED`, or the sink URL
 * given by its base when the stored one carries a sealed query string. A sink of another kind
 * shares nothing with the stored one, so its secrets must be given; `fault` names such a field.
 *
 * ```ts
 * keepingStoredSecrets({ kind: 'webhook', url: 'https://b/in', secret: REDACTED }, stored, fault);
 * // { kind: 'webhook', url: 'https://b/in', secret: <the stored secret> }
 * ```
 */
export function keepingStoredSecrets(
  given: Record<string, unknown>,
  stored: Record<string, unknown>,
  fault: (field: string, message: string) => Error,
): Record<string, unknown> {
  const sink: Record<string, unknown> = { kind: stored.kind, ...given };
  const sameKind = sink.kind === stored.kind;
  for (const [field, value] of Object.entries(sink)) {
    if (value === REDACTED) {
      if (!sameKind || !(field in stored))
        throw fault(field, 'is a secret not stored yet: give its value');
      sink[field] = stored[field];
    } else if (
      field === 'url' &&
      sameKind &&
      typeof value === 'string' &&
      typeof stored.url === 'string' &&
      stored.url !== value &&
      urlBase(stored.url) === value
    ) {
      sink.url = stored.url;
    }
  }
  return sink;
}
