/**
 * A command line run stores into PostgreSQL only on the audit record: without the server's key
 * file (which seals the entries) it stores nothing and says how to give it, or to run without
 * the store. The refusal comes before any connection, so the address below is never dialled.
 */

import { describe, expect, it } from 'vitest';
import { runPalisade } from '../support/cli.js';

const STORE = 'postgres://palisade@127.0.0.1:1/nowhere';

describe('a PostgreSQL store without the server key', () => {
  delete process.env.PALISADE_SECRET_KEY_FILE;

  it('scan prints its report, stores nothing and exits 2, naming the key file setting', () => {
    const run = runPalisade(['scan', 'samples/estate', '--db', STORE]);
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(/Secure score/);
    expect(run.stdout).not.toMatch(/Stored as assessment/);
    expect(run.stderr).toMatch(
      /needs the server's key file.*give it with --key-file or PALISADE_SECRET_KEY_FILE, or run with --no-store; the assessment was not stored/,
    );
    expect(run.stderr).not.toMatch(/ECONNREFUSED|connect/);
  });

  it('detect stores no alerts and exits 2 the same way', () => {
    const run = runPalisade(['detect', 'samples/logs', '--db', STORE]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /give it with --key-file or PALISADE_SECRET_KEY_FILE, or run with --no-store/,
    );
    expect(run.stderr).not.toMatch(/ECONNREFUSED|connect/);
  });
});
