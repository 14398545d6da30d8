/**
 * Two `palisade serve` processes on one store: the second refuses to start (exit 2, naming the
 * first) and writes nothing; once the first stops cleanly, the next one starts at once, and a
 * store whose server was killed starts again at once on the same host.
 */

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-one-server-'));
const db = join(work, 'palisade.db');
const running: ChildProcessWithoutNullStreams[] = [];

interface Serve {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  closed: Promise<number | null>;
}

function serve(): Serve {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--db', db, '--port', '0'],
    { cwd: REPO_ROOT, env: { ...process.env, PALISADE_SECRET_KEY_FILE: '' } },
  );
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close', not 'exit': the output pipes are read to the end before it fires.
  const closed = new Promise<number | null>((done) => child.on('close', done));
  return { child, stdout: () => stdout, stderr: () => stderr, closed };
}

async function listening(server: Serve): Promise<void> {
  const started = Date.now();
  while (!server.stdout().includes('Palisade is listening on')) {
    if (Date.now() - started > 90_000) throw new Error(`not listening: ${server.stderr()}`);
    if (server.child.exitCode !== null) throw new Error(`exited: ${server.stderr()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What a refused start must leave as it was: the audit log and the users. */
function storeRows(): { audit: number; users: number } {
  const sqlite = new Database(db, { readonly: true });
  try {
    const count = (table: string) =>
      (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
    return { audit: count('audit_log'), users: count('users') };
  } finally {
    sqlite.close();
  }
}

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('palisade serve, one server per store', () => {
  it('refuses a second server, then starts one at once after a clean stop or a kill', async () => {
    const first = serve();
    await listening(first);
    const before = storeRows();

    const second = serve();
    expect(await second.closed).toBe(2);
    expect(second.stderr()).toContain(
      `this store is in use by another Palisade server (pid ${first.child.pid} on `,
    );
    expect(second.stdout()).not.toContain('Palisade is listening');
    expect(storeRows()).toEqual(before);

    first.child.kill('SIGTERM');
    expect(await first.closed).toBe(0);
    const third = serve();
    await listening(third);

    // Killed: no clean stop gives the lease up, but its process is gone from this host.
    third.child.kill('SIGKILL');
    await third.closed;
    const started = Date.now();
    const fourth = serve();
    await listening(fourth);
    expect(Date.now() - started).toBeLessThan(25_000);
    fourth.child.kill('SIGTERM');
    expect(await fourth.closed).toBe(0);
  }, 240_000);
});
