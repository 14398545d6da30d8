/**
 * The store's folder is made one level at a time: Node's recursive mkdir never returns where a
 * folder cannot be made inside one that answers ENOENT (`/proc`), and `palisade detect --db
 * /proc/nope/x.db` spun at full CPU until killed.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeFolders } from '../../src/store/make-folders.js';
import { REPO_ROOT, shared } from '../support/paths.js';

describe('makeFolders', () => {
  it('makes the missing folders with the mode asked for and leaves existing ones', () => {
    const root = mkdtempSync(join(tmpdir(), 'palisade-folders-'));
    const deep = join(root, 'a', 'b', 'c');
    makeFolders(deep, 0o700);
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(statSync(join(root, 'a')).mode & 0o777).toBe(0o700);
    makeFolders(deep, 0o700);
  });

  // In a process of its own, so that a regression times out instead of hanging the test run.
  it('detect --db under /proc exits 2 naming the path instead of hanging', () => {
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'detect',
        shared('ssh-logs/elastic-beats'),
        '--db',
        '/proc/palisade-nope/x.db',
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.signal).toBeNull();
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('/proc/palisade-nope');
  });
});
