/** `palisade serve` on a fresh store: the Owner password reaches a 0600 file, never the log. */

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-serve-'));

describe('palisade serve, first start', () => {
  it('writes the Owner password to a 0600 file beside the store and names it, logging no password', async () => {
    const db = join(work, 'palisade.db');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--db', db, '--port', '0'],
      { cwd: REPO_ROOT, env: { ...process.env, PALISADE_SECRET_KEY_FILE: '' } },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // 'close', not 'exit': the output pipes are read to the end before it fires.
    const exited = new Promise<number | null>((done) => child.on('close', done));
    await new Promise<void>((done, fail) => {
      const timer = setTimeout(() => fail(new Error(`no login line in 90 s: ${stderr}`)), 90_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('palisade token create')) {
          clearTimeout(timer);
          done();
        }
      });
    });
    child.kill('SIGTERM');
    await exited;

    const file = `${db}.owner-password`;
    expect(stdout).toContain(`Its password is in ${file} (readable by this user only)`);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const password = readFileSync(file, 'utf8').trim();
    expect(password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(stdout).not.toContain(password);
    expect(stderr).not.toContain(password);
    expect(stdout).toContain('Palisade is listening on http://127.0.0.1:');
    // The token hint reaches this store, not the default one a bare command would make.
    expect(stdout).toContain(`palisade token create --role owner --db '${db}'`);
    // The JSON log is written as it goes: its last line, written just before exit, is there.
    const lastLine = stderr.trim().split('\n').at(-1) ?? '';
    expect(JSON.parse(lastLine)).toMatchObject({ msg: 'palisade server stopped' });
  }, 120_000);
});
