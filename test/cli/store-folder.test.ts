/**
 * A store location the user names (`--db`, `PALISADE_DB`) must be in a folder that exists: a typo
 * is refused with exit 2 naming the path, and makes no folder, store or key. Only the default
 * location's `.palisade` folder is made where the command runs.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-store-folder-'));
const LOG = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const TSX = pathToFileURL(join(REPO_ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const MAIN = join(REPO_ROOT, 'src/cli/main.ts');

/** `palisade ARGS` run in `cwd`, with no store or key named by the environment but `env`'s. */
function palisadeIn(cwd: string, args: string[], env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.PALISADE_DB;
  delete base.PALISADE_SECRET_KEY_FILE;
  const run = spawnSync(process.execPath, ['--import', TSX, MAIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...base, ...env },
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('a store in a folder that does not exist', () => {
  it.each([
    ['detect', [LOG, '--year', '2025']],
    ['scan', [join(REPO_ROOT, 'samples/estate')]],
    ['history', []],
    ['serve', ['--port', '0']],
  ])('is refused by %s --db with exit 2 naming the path, and nothing is made', (command, args) => {
    const missing = join(work, `typo-${command}`, 'dir');
    const db = join(missing, 'x.sqlite');
    const run = palisadeIn(work, [command, ...args, '--db', db]);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      `palisade ${command}: no store at ${db}, and no folder ${missing} to make one in`,
    );
    expect(existsSync(join(work, `typo-${command}`))).toBe(false);
  });

  it('is refused when PALISADE_DB names it, by detect and by serve', () => {
    const db = join(work, 'typo-env', 'p.db');
    for (const args of [
      ['detect', LOG, '--year', '2025'],
      ['serve', '--port', '0'],
    ]) {
      const run = palisadeIn(work, args, { PALISADE_DB: db });
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toContain(`no store at ${db}, and no folder ${join(work, 'typo-env')}`);
    }
    expect(existsSync(join(work, 'typo-env'))).toBe(false);
  });

  it('is no matter with --no-store, which opens no store', () => {
    const db = join(work, 'typo-no-store', 'x.db');
    const run = palisadeIn(work, ['detect', LOG, '--year', '2025', '--no-store', '--db', db]);
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(work, 'typo-no-store'))).toBe(false);
  });

  it('is made for the default location, .palisade where the command runs', () => {
    const cwd = mkdtempSync(join(work, 'default-'));
    const run = palisadeIn(cwd, ['detect', LOG, '--year', '2025', '-q']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Stored 19 alerts and 3 incidents in .palisade/palisade.db');
    expect(existsSync(join(cwd, '.palisade/palisade.db'))).toBe(true);
    expect(existsSync(join(cwd, '.palisade/palisade.db.key'))).toBe(true);
  });
});
