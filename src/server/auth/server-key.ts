/**
 * The server key: 256 random bits kept in a file only the server's user can read. Every other
 * key is derived from it by purpose (HKDF-SHA256), so the audit chain's MAC, secrets encrypted at
 * rest and anything added later never share a key, and a copy of the database alone proves and
 * decrypts nothing.
 */

import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { chmodSync, closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { isPostgresLocation } from '../../store/database.js';
import { makeFolders } from '../../store/make-folders.js';

/** Environment variable naming the key file (also `auth.secretKeyFile` in the configuration). */
export const SECRET_KEY_FILE_ENV = 'PALISADE_SECRET_KEY_FILE';

/** Suffix of the key file kept beside an embedded SQLite store (`palisade.db.key`). */
export const KEY_FILE_SUFFIX = '.key';

/** First field of every encrypted secret; a later format gets `v2`. */
const ENVELOPE_PREFIX = 'palisade-secret';
const ENVELOPE_VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
/** HKDF salt: fixed, so the same key file always derives the same sub-keys. */
const HKDF_SALT = Buffer.from('palisade server key v1', 'utf8');

/** What went wrong with the key file or an encrypted secret. */
export type ServerKeyErrorCode =
  | 'KEY_FILE_UNREADABLE'
  | 'KEY_FILE_MALFORMED'
  | 'KEY_FILE_TOO_OPEN'
  | 'KEY_FILE_REQUIRED'
  | 'ENVELOPE_MALFORMED'
  | 'ENVELOPE_VERSION'
  | 'ENVELOPE_OTHER_KEY'
  | 'ENVELOPE_TAMPERED';

/** A key file or encrypted secret that cannot be used, with what to do about it. */
export class ServerKeyError extends Error {
  readonly code: ServerKeyErrorCode;
  /** The key file at fault, when there is one. */
  readonly file: string | undefined;

  constructor(code: ServerKeyErrorCode, message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'ServerKeyError';
    this.code = code;
    this.file = file;
  }
}

/**
 * The loaded server key. Sub-keys are derived per purpose, a short printable string such as
 * `audit-chain` or `export-secrets`; the same purpose always yields the same sub-key.
 *
 * ```ts
 * const key = loadServerKey({ storeLocation: config.store.location });
 * const stored = key.encryptSecret(sinkPassword, 'export:42');
 * const again = key.decryptSecret(stored, 'export:42');
 * const tag = key.mac('audit-chain', previousHash + entryJson);
 * ```
 */
export interface ServerKey {
  /** Public fingerprint of the key (16 hex digits), safe to log and to store with data. */
  readonly id: string;
  /** Where the key came from: its file, or `(memory)` for an in-memory store. */
  readonly source: string;
  /** The 32-byte sub-key for `purpose`. */
  subKey(purpose: string): Buffer;
  /** Hex HMAC-SHA256 of `data` under the sub-key for `purpose`. */
  mac(purpose: string, data: string | Uint8Array): string;
  /** True when `tag` is `mac(purpose, data)`, compared in constant time. */
  verifyMac(purpose: string, data: string | Uint8Array, tag: string): boolean;
  /**
   * Encrypts `plaintext` with AES-256-GCM into a printable, versioned envelope
   * (`palisade-secret:v1:<key id>:<iv>:<ciphertext>:<tag>`, base64url fields). `context` is bound
   * as associated data: decrypting needs the same context, so a secret copied onto another row
   * does not decrypt there.
   */
  encryptSecret(plaintext: string, context?: string): string;
  /** Reverses `encryptSecret`; throws `ServerKeyError` when the envelope is not this key's. */
  decryptSecret(envelope: string, context?: string): string;
}

function checkPurpose(purpose: string): void {
  if (!/^[\x21-\x7e]{1,128}$/.test(purpose)) {
    throw new TypeError(`server key purpose must be 1-128 printable characters, got ${purpose}`);
  }
}

/** A `ServerKey` over 32 given bytes; `loadServerKey` is the usual way in. */
export function serverKeyFromBytes(master: Uint8Array, source = '(memory)'): ServerKey {
  if (master.length !== KEY_BYTES) {
    throw new ServerKeyError(
      'KEY_FILE_MALFORMED',
      `a server key is ${KEY_BYTES} bytes, got ${master.length}`,
    );
  }
  const secret = Buffer.from(master);
  const derived = new Map<string, Buffer>();

  const subKey = (purpose: string): Buffer => {
    checkPurpose(purpose);
    let key = derived.get(purpose);
    if (!key) {
      key = Buffer.from(hkdfSync('sha256', secret, HKDF_SALT, purpose, KEY_BYTES));
      derived.set(purpose, key);
    }
    return key;
  };
  const mac = (purpose: string, data: string | Uint8Array): string =>
    createHmac('sha256', subKey(purpose)).update(data).digest('hex');
  const id = mac('key-id', 'palisade').slice(0, 16);
  const encryptionKey = () => subKey('secret-encryption');

  return {
    id,
    source,
    subKey: (purpose) => Buffer.from(subKey(purpose)),
    mac,
    verifyMac(purpose, data, tag) {
      const expected = Buffer.from(mac(purpose, data), 'utf8');
      const given = Buffer.from(tag, 'utf8');
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
    encryptSecret(plaintext, context = '') {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey(), iv);
      cipher.setAAD(Buffer.from(`${ENVELOPE_VERSION}:${id}:${context}`, 'utf8'));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const fields = [iv, body, cipher.getAuthTag()].map((b) => b.toString('base64url'));
      return [ENVELOPE_PREFIX, ENVELOPE_VERSION, id, ...fields].join(':');
    },
    decryptSecret(envelope, context = '') {
      const parts = envelope.split(':');
      if (parts.length !== 6 || parts[0] !== ENVELOPE_PREFIX) {
        throw new ServerKeyError(
          'ENVELOPE_MALFORMED',
          'not an encrypted Palisade secret (expected palisade-secret:v1:...)',
        );
      }
      const [, version, keyId, ivText, bodyText, tagText] = parts;
      if (version !== ENVELOPE_VERSION) {
        throw new ServerKeyError(
          'ENVELOPE_VERSION',
          `encrypted secret format ${version} is not known to this Palisade (knows ${ENVELOPE_VERSION}); upgrade Palisade`,
        );
      }
      if (keyId !== id) {
        throw new ServerKeyError(
          'ENVELOPE_OTHER_KEY',
          `secret was encrypted with server key ${keyId}, but this server's key is ${id}; ` +
            `start the server with the key file it was stored with (${SECRET_KEY_FILE_ENV})`,
        );
      }
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) {
        throw new ServerKeyError('ENVELOPE_MALFORMED', 'encrypted secret has a damaged iv or tag');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', encryptionKey(), iv);
        decipher.setAAD(Buffer.from(`${version}:${keyId}:${context}`, 'utf8'));
        decipher.setAuthTag(tag);
        const body = Buffer.from(bodyText, 'base64url');
        return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
      } catch {
        throw new ServerKeyError(
          'ENVELOPE_TAMPERED',
          'encrypted secret does not authenticate: it was changed, or belongs to another record',
        );
      }
    },
  };
}

/** Where to find the server key. */
export interface ServerKeyOptions {
  /** The store location (`config.store.location`): the key file defaults to `<store>.key`. */
  storeLocation: string;
  /** An explicit key file (`auth.secretKeyFile` or PALISADE_SECRET_KEY_FILE); wins over the default. */
  keyFile?: string;
  /** Create the file when it is missing (the server does; read-only tools do not). Default true. */
  create?: boolean;
}

/**
 * The key file for `options`: the explicit file, else `<SQLite store>.key`; `undefined` for an
 * in-memory store. A PostgreSQL store has no file beside it, so it needs an explicit one.
 */
export function serverKeyPath(options: ServerKeyOptions): string | undefined {
  if (options.keyFile) return options.keyFile;
  if (isPostgresLocation(options.storeLocation)) {
    throw new ServerKeyError(
      'KEY_FILE_REQUIRED',
      `a PostgreSQL store needs a server key file: set ${SECRET_KEY_FILE_ENV} or auth.secretKeyFile ` +
        'to a path only the server can read (it is created there on first start)',
    );
  }
  const path = options.storeLocation.replace(/^sqlite:/, '');
  if (path === ':memory:' || path === '') return undefined;
  return path + KEY_FILE_SUFFIX;
}

function parseKeyFile(file: string, text: string): Buffer {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) {
    throw new ServerKeyError(
      'KEY_FILE_MALFORMED',
      'line 1: expected the server key as 64 hexadecimal digits; restore the file from backup ' +
        '(a new key cannot read secrets or prove the audit log written under the old one)',
      file,
    );
  }
  return Buffer.from(hex, 'hex');
}

function checkPermissions(file: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(file).mode & 0o777;
  if ((mode & 0o077) === 0) return;
  throw new ServerKeyError(
    'KEY_FILE_TOO_OPEN',
    `permissions ${mode.toString(8).padStart(4, '0')} let other users read the server key; ` +
      `run chmod 600 ${file}`,
    file,
  );
}

/** Writes a fresh key with mode 0600; false when another process created the file first. */
function createKeyFile(file: string): boolean {
  makeFolders(dirname(file), 0o700);
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, randomBytes(KEY_BYTES).toString('hex') + '\n');
  } finally {
    closeSync(fd);
  }
  // The umask may have narrowed the mode further, never widened it; make it exact anyway.
  chmodSync(file, 0o600);
  return true;
}

/**
 * Loads the server key, creating the key file (mode 0600) on first start. An in-memory store
 * gets a random key that lives as long as the process.
 *
 * ```ts
 * const key = loadServerKey({ storeLocation: '.palisade/palisade.db' }); // .palisade/palisade.db.key
 * ```
 */
export function loadServerKey(options: ServerKeyOptions): ServerKey {
  const file = serverKeyPath(options);
  if (!file) return serverKeyFromBytes(randomBytes(KEY_BYTES));

  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    if (!missing || options.create === false) {
      throw new ServerKeyError(
        'KEY_FILE_UNREADABLE',
        `cannot read the server key (${(error as Error).message}); ` +
          (missing ? 'start the server once to create it' : 'check its owner and permissions'),
        file,
      );
    }
    try {
      createKeyFile(file);
      text = readFileSync(file, 'utf8');
    } catch (inner) {
      throw new ServerKeyError(
        'KEY_FILE_UNREADABLE',
        `cannot create the server key (${(inner as Error).message}); check that the folder is writable`,
        file,
      );
    }
  }
  checkPermissions(file);
  return serverKeyFromBytes(parseKeyFile(file, text), file);
}
