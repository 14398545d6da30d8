/**
 * Random secrets (API tokens, session ids, CSRF tokens) and their SHA-256 digests: the store only
 * ever holds the digest, so a copy of the database lets nobody in.
 */

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Prefix of API tokens, so secret scanners and people recognise them. */
export const TOKEN_PREFIX = 'pal_';

/** A fresh 256-bit random secret, base64url. */
export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** A fresh API token: `pal_` and 256 random bits. */
export function newApiToken(): string {
  return TOKEN_PREFIX + newSecret();
}

/**
 * A short random public id (token, user, export and automation rows) of `bytes` random bytes,
 * base64url. Never starting with `-`: an id is typed as a command's argument
 * (`palisade export remove <id>`), where a leading `-` reads as an option.
 */
export function newId(bytes = 12): string {
  for (;;) {
    const id = randomBytes(bytes).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Hex SHA-256 of a secret: what the store keeps instead of the secret. */
export function digest(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two strings in time independent of where they differ. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
