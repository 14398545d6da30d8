/** The CLI run from source as a user runs it, in the repository folder. */

import { spawnSync } from 'node:child_process';
import { REPO_ROOT } from './paths.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `palisade ARGS` (with `input` on stdin) and returns its exit code and output. */
export function runPalisade(args: string[], input?: string): CliRun {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    input,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}
