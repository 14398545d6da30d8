import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadServerKey, serverKeyPath, ServerKeyError } from '../../src/server/auth/server-key.js';
import { loadConfig } from '../../src/server/config.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'palisade-key-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('server key', () => {
  it('creates a 0600 key file beside the SQLite store on first start and reuses it', () => {
    const store = join(tempDir(), 'data', 'palisade.db');
    const first = loadServerKey({ storeLocation: store });
    const file = `${store}.key`;
    expect(first.source).toBe(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);

    const second = loadServerKey({ storeLocation: `sqlite:${store}` });
    expect(second.id).toBe(first.id);
    expect(second.mac('audit-chain', 'x')).toBe(first.mac('audit-chain', 'x'));
  });

  it('derives a different sub-key for each purpose', () => {
    const key = loadServerKey({ storeLocation: ':memory:' });
    expect(key.subKey('audit-chain').equals(key.subKey('export-secrets'))).toBe(false);
    expect(key.subKey('audit-chain')).toHaveLength(32);
    expect(key.mac('a', 'data')).not.toBe(key.mac('b', 'data'));
    expect(key.verifyMac('a', 'data', key.mac('a', 'data'))).toBe(true);
    expect(key.verifyMac('a', 'data!', key.mac('a', 'data'))).toBe(false);
  });

  it('encrypts secrets into a versioned envelope bound to their context', () => {
    const key = loadServerKey({ storeLocation: ':memory:' });
    const envelope = key.encryptSecret('hunter2 ✓', 'export:1');
    expect(envelope).toMatch(/^palisade-secret:v1:[0-9a-f]{16}:/);
    expect(envelope).not.toContain('hunter2');
    expect(key.encryptSecret('hunter2 ✓', 'export:1')).not.toBe(envelope);
    expect(key.decryptSecret(envelope, 'export:1')).toBe('hunter2 ✓');

    const wrongContext = () => key.decryptSecret(envelope, 'export:2');
    expect(wrongContext).toThrow(expect.objectContaining({ code: 'ENVELOPE_TAMPERED' }));
    const parts = envelope.split(':');
    parts[4] = Buffer.from('other text').toString('base64url');
    expect(() => key.decryptSecret(parts.join(':'), 'export:1')).toThrow(ServerKeyError);
    const v2 = envelope.replace(':v1:', ':v2:');
    expect(() => key.decryptSecret(v2, 'export:1')).toThrow(/format v2/);
    const other = loadServerKey({ storeLocation: ':memory:' });
    expect(() => other.decryptSecret(envelope, 'export:1')).toThrow(
      expect.objectContaining({ code: 'ENVELOPE_OTHER_KEY' }),
    );
    expect(() => key.decryptSecret('plain text', 'export:1')).toThrow(/not an encrypted/);
  });

  it('takes the key file from PALISADE_SECRET_KEY_FILE, and PostgreSQL requires one', () => {
    const file = join(tempDir(), 'server.key');
    const config = loadConfig({ env: { PALISADE_SECRET_KEY_FILE: file } });
    expect(config.auth.secretKeyFile).toBe(file);
    const key = loadServerKey({
      storeLocation: 'postgres://postgres@127.0.0.1:5432/test',
      keyFile: config.auth.secretKeyFile,
    });
    expect(key.source).toBe(file);
    expect(() => serverKeyPath({ storeLocation: 'postgres://u@127.0.0.1/db' })).toThrow(
      /PALISADE_SECRET_KEY_FILE/,
    );
  });

  it('refuses a key file others can read, a malformed one, and a missing one when told not to create', () => {
    const dir = tempDir();
    const open = join(dir, 'open.key');
    writeFileSync(open, 'a'.repeat(64));
    chmodSync(open, 0o644);
    expect(() => loadServerKey({ storeLocation: ':memory:', keyFile: open })).toThrow(/chmod 600/);

    const bad = join(dir, 'bad.key');
    writeFileSync(bad, 'not a key\n', { mode: 0o600 });
    expect(() => loadServerKey({ storeLocation: ':memory:', keyFile: bad })).toThrow(
      /bad\.key: line 1: expected the server key as 64 hexadecimal digits/,
    );

    const missing = join(dir, 'missing.key');
    expect(() =>
      loadServerKey({ storeLocation: ':memory:', keyFile: missing, create: false }),
    ).toThrow(expect.objectContaining({ code: 'KEY_FILE_UNREADABLE', file: missing }));
  });
});
