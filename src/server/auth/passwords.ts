/**
 * Password hashing with scrypt (node:crypto): a random salt per password, parameters stored in
 * the hash so they can be raised later without breaking old hashes.
 */

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const KEY_LENGTH = 64;
const DEFAULTS = { N: 2 ** 15, r: 8, p: 1 };

/** Minimum length of a password Palisade accepts. */
export const MIN_PASSWORD_LENGTH = 12;

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const maxmem = 256 * (options.N ?? DEFAULTS.N) * (options.r ?? DEFAULTS.r);
    scrypt(password, salt, KEY_LENGTH, { ...options, maxmem }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/**
 * Hashes a password as `scrypt$N$r$p$salt$key` (salt and key base64).
 *
 * ```ts
 * const stored = await hashPassword('correct horse battery staple');
 * await verifyPassword('correct horse battery staple', stored); // true
 * ```
 */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password.normalize('NFC'), salt, DEFAULTS);
  const { N, r, p } = DEFAULTS;
  return ['scrypt', N, r, p, salt.toString('base64'), key.toString('base64')].join('$');
}

/**
 * The forms of `password` a stored hash may have been made from: NFC (every hash made since
 * passwords are normalised), and, for hashes made before from the text as typed, the NFD form
 * and the text as typed. A password typed in another Unicode form ("ä" as one code point or as
 * "a" and a combining mark) is the same password.
 */
function passwordForms(password: string): string[] {
  return [...new Set([password.normalize('NFC'), password.normalize('NFD'), password])];
}

/**
 * True when `password`, in any of its Unicode forms, matches `stored`; false for a wrong password
 * or a malformed hash. Every form is derived whatever the outcome, so the time taken depends on
 * the text typed, never on whether the user exists or which form matched.
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0)) return false;

  const expected = Buffer.from(parts[5], 'base64');
  const salt = Buffer.from(parts[4], 'base64');
  let matched = false;
  for (const form of passwordForms(password)) {
    const key = await derive(form, salt, { N, r, p });
    if (expected.length === key.length && timingSafeEqual(expected, key)) matched = true;
  }
  return matched;
}

let unusable: Promise<string> | undefined;

/**
 * A hash of a random password, checked against when a username does not exist, so that a
 * missing user takes as long to refuse as a wrong password.
 */
export function unusablePasswordHash(): Promise<string> {
  unusable ??= hashPassword(randomBytes(32).toString('base64'));
  return unusable;
}
