/**
 * A key file path that names the wrong file gives a key the store was not made with (a missing
 * path even used to make a fresh one). An entry sealed with it would break the audit chain for
 * good, so nothing writes with it: not the server, not a command line run.
 */

import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { AuditKeyMismatchError, recordAudit } from '../../src/audit/append-audit.js';
import { defaultConfig } from '../../src/server/config.js';
import { serverKeyFromBytes } from '../../src/server/auth/server-key.js';
import { startServer } from '../../src/server/start-server.js';
import { openStore } from '../../src/store/database.js';
import { runPalisade } from '../support/cli.js';

const event = {
  actor: { kind: 'system', name: 'test' },
  action: 'test.event',
  outcome: 'success',
} as const;

describe('the audit chain refuses a key it was not sealed with', () => {
  it('appends nothing sealed with another key', async () => {
    const db = await openStore(':memory:');
    try {
      const a = serverKeyFromBytes(new Uint8Array(32).fill(1));
      const b = serverKeyFromBytes(new Uint8Array(32).fill(2));
      await recordAudit(db, event, new Date(), a);
      await expect(recordAudit(db, event, new Date(), b)).rejects.toBeInstanceOf(
        AuditKeyMismatchError,
      );
      const rows = await db.selectFrom('audit_log').select('key_id').execute();
      expect(rows.map((r) => r.key_id)).toEqual([a.id]);
    } finally {
      await db.destroy();
    }
  });

  it('stops scan and serve given a key file path that is not the store’s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-wrong-key-'));
    const store = join(dir, 'palisade.db');
    // A store made (and its chain sealed) by a first scan, with its key beside it.
    expect(runPalisade(['scan', 'samples/estate', '--db', store, '-q']).code).toBe(0);

    const missing = join(dir, 'typo', 'server.key');
    process.env.PALISADE_SECRET_KEY_FILE = missing;
    try {
      const scan = runPalisade(['scan', 'samples/estate', '--db', store, '-q']);
      expect(scan.code).toBe(2);
      expect(scan.stderr).toMatch(/cannot read the server key.*the assessment was not stored/);
      expect(existsSync(missing)).toBe(false);

      const other = join(dir, 'other.key');
      writeFileSync(other, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
      process.env.PALISADE_SECRET_KEY_FILE = other;
      const again = runPalisade(['scan', 'samples/estate', '--db', store, '-q']);
      expect(again.code).toBe(2);
      // The same key given by --key-file instead of the environment.
      delete process.env.PALISADE_SECRET_KEY_FILE;
      const flagged = runPalisade(['detect', 'samples/logs', '--db', store, '--key-file', other]);
      expect(flagged.code).toBe(2);
      expect(flagged.stderr).toMatch(/the audit log is sealed with server key/);
      process.env.PALISADE_SECRET_KEY_FILE = other;
      expect(again.stderr).toMatch(
        /the audit log is sealed with server key \w+, but this run holds key \w+/,
      );

      const config = defaultConfig();
      config.server.port = 0;
      config.store.location = store;
      config.auth.secretKeyFile = other;
      await expect(startServer(config, pino({ level: 'silent' }))).rejects.toBeInstanceOf(
        AuditKeyMismatchError,
      );
    } finally {
      delete process.env.PALISADE_SECRET_KEY_FILE;
    }
    const db = await openStore(store);
    try {
      const assessments = await db.selectFrom('assessments').select('id').execute();
      expect(assessments).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  }, 120_000);
});
