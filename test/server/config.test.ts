import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server/app.js';
import { loadServerKey } from '../../src/server/auth/server-key.js';
import { ConfigError, loadConfig } from '../../src/server/config.js';
import { openStore } from '../../src/store/database.js';

function yamlFile(text: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'palisade-config-')), 'palisade.yaml');
  writeFileSync(file, text);
  return file;
}

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('server configuration', () => {
  it('listens on loopback without TLS by default', () => {
    const config = loadConfig();
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8443 });
    expect(config.server.tls).toBeUndefined();
  });

  it('layers file, environment and flags, later winning', () => {
    const file = yamlFile('server: { port: 9000, host: 0.0.0.0 }\nauth: { sessionHours: 2 }\n');
    const config = loadConfig({
      file,
      env: { PALISADE_PORT: '9100', PALISADE_LOG_LEVEL: 'warn' },
      overrides: { 'server.port': 9200, 'server.host': undefined },
    });
    expect(config.server).toMatchObject({ host: '0.0.0.0', port: 9200 });
    expect(config.auth.sessionHours).toBe(2);
    expect(config.log.level).toBe('warn');
    expect(config.auth.loginRateLimit.max).toBe(100);
  });

  it('names the environment variable that is not a number', () => {
    const error = errorOf(() => loadConfig({ env: { PALISADE_PORT: 'eighty' } }));
    expect(error.key).toBe('PALISADE_PORT');
    expect(error.message).toMatch(/PALISADE_PORT: expected a whole number, got 'eighty'/);
  });

  it('names the key and the file of an out-of-range value', () => {
    const file = yamlFile('server:\n  port: 70000\n');
    const error = errorOf(() => loadConfig({ file }));
    expect(error.key).toBe('server.port');
    expect(error.message).toContain(file);
    expect(error.message).toContain('70000');
  });

  it('names a misspelt key', () => {
    const error = errorOf(() => loadConfig({ file: yamlFile('auth:\n  sesionHours: 3\n') }));
    expect(error.key).toBe('auth.sesionHours');
    expect(error.message).toMatch(/is not a configuration key/);
  });

  it('names a bad value set by an environment variable', () => {
    const error = errorOf(() => loadConfig({ env: { PALISADE_LOG_LEVEL: 'loud' } }));
    expect(error.key).toBe('log.level');
    expect(error.message).toMatch(/PALISADE_LOG_LEVEL/);
  });

  it('names a file that is not YAML, and a TLS key that cannot be read', async () => {
    const bad = yamlFile('server: [unclosed');
    expect(errorOf(() => loadConfig({ file: bad })).key).toBe(bad);

    const config = loadConfig({
      env: { PALISADE_TLS_CERT: '/nonexistent/cert.pem', PALISADE_TLS_KEY: '/nonexistent/key.pem' },
    });
    const db = await openStore(':memory:');
    try {
      const attempt = buildServer({
        db,
        config,
        logger: pino({ level: 'silent' }),
        clock: { now: () => new Date() },
        serverKey: loadServerKey({ storeLocation: ':memory:' }),
      });
      await expect(attempt).rejects.toMatchObject({ key: 'server.tls.cert' });
    } finally {
      await db.destroy();
    }
  });
});
