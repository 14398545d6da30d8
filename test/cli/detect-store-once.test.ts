/**
 * `palisade detect` into a store opens the store once a run and reads its key once (it opened
 * and read both twice: once for the stored alerts to go on from, once to store the run), as
 * strace sees the process open them; and `--strict-rules` judges the logs with the rules it
 * compiled to check them instead of compiling them again.
 */

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detect, loadDetectionRules, rulesNotUsed } from '../../src/detect/detect.js';
import { createSigmaEngine } from '../../src/detect/sigma/sigma-engine.js';
import { REPO_ROOT, shared } from '../support/paths.js';

const work = mkdtempSync(join(tmpdir(), 'palisade-detect-once-'));
const LOG = shared('ssh-logs/loghub/OpenSSH/OpenSSH_2k.log');
const SIGMA_LINUX = shared('sigma-rules/rules/linux');

/** True when strace can trace a child process here (it needs ptrace). */
function canTrace(): boolean {
  const probe = spawnSync('strace', ['-f', '-qq', '-e', 'trace=openat', 'true'], {
    encoding: 'utf8',
  });
  return probe.status === 0;
}

/** A file the process opened, with the flags it opened it with (`O_RDWR|O_CREAT|...`). */
interface Opened {
  path: string;
  flags: string;
}

/** A call strace logged: `123 openat(AT_FDCWD, "/path", O_RDONLY|O_CLOEXEC) = 19`. */
const OPEN_CALL = /open(?:at)?\([^"]*"([^"]*)", ([A-Z_|]+)[^)]*\) = (-?\d+)/g;

/** Runs `palisade ARGS` under strace; returns the exit code and the files it opened, in order. */
function tracedPalisade(args: string[]): { code: number | null; stderr: string; opened: Opened[] } {
  const trace = join(work, `trace-${Date.now()}.txt`);
  const env = { ...process.env };
  delete env.PALISADE_DB;
  delete env.PALISADE_SECRET_KEY_FILE;
  const run = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-e',
      'trace=open,openat',
      '-o',
      trace,
      process.execPath,
      '--import',
      'tsx',
      'src/cli/main.ts',
      ...args,
    ],
    { cwd: REPO_ROOT, encoding: 'utf8', env, timeout: 120_000 },
  );
  // Only the calls that opened something: a key looked for before it is made is not read.
  const calls = [...readFileSync(trace, 'utf8').matchAll(OPEN_CALL)].filter((m) => m[3] !== '-1');
  const opened = calls.map((m) => ({ path: m[1], flags: m[2] }));
  return { code: run.status, stderr: run.stderr, opened };
}

describe.skipIf(!canTrace())('palisade detect into a store, under strace', () => {
  it('opens the store and reads its key once a run, a new store and one it goes on from', () => {
    const db = join(work, 'once.db');
    const key = `${db}.key`;
    for (const pass of ['new store', 'stored alerts to go on from']) {
      const run = tracedPalisade(['detect', LOG, '--year', '2025', '--db', db, '-q']);
      expect(run.code, `${pass}: ${run.stderr}`).toBe(0);
      // SQLite opens its file read-write (making a new store first touches it write-only).
      const storeOpens = run.opened.filter((o) => o.path === db && o.flags.includes('O_RDWR'));
      expect(storeOpens.length, pass).toBe(1);
      // The key is read (after being written, for a new store) read-only.
      const keyReads = run.opened.filter((o) => o.path === key && o.flags.startsWith('O_RDONLY'));
      expect(keyReads.length, pass).toBe(1);
    }
  });
});

describe('palisade detect --strict-rules', () => {
  it('judges the logs with the engine that checked the rules', async () => {
    const loaded = await loadDetectionRules({ ruleDirs: [SIGMA_LINUX] });
    const engine = createSigmaEngine(loaded.rules, loaded.sigmaOptions);
    const notUsed = rulesNotUsed(loaded, engine);
    const handed = await detect({ paths: [LOG], year: 2025, loaded, engine });
    // The engine met the log's events: detect used it rather than compiling its own.
    expect(engine.sources.length).toBeGreaterThan(0);

    const fresh = await detect({ paths: [LOG], year: 2025, loaded });
    expect(handed.alerts).toEqual(fresh.alerts);
    expect(handed.rules.unsupported).toEqual(fresh.rules.unsupported);
    expect(rulesNotUsed(loaded)).toEqual(notUsed);
  });
});
