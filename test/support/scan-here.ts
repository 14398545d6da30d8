/**
 * `palisade scan` run in this process with the command line's defaults: for tests whose point is
 * what a scan leaves behind (a store, a report), where a new process per scan adds only start-up
 * time. The command line itself is tested by spawning it (test/cli/scan-command.test.ts).
 */

import { runScan, type ScanOptions } from '../../src/cli/scan-command.js';
import { DEFAULT_STORE_PATH } from '../../src/store/store-path.js';

export interface ScanRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `palisade scan PATHS` with `options` over the defaults main.ts gives its options. */
export async function scanHere(
  paths: string[],
  options: Partial<ScanOptions> = {},
): Promise<ScanRun> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  process.stdout.write = ((t: string) => out.push(String(t)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((t: string) => err.push(String(t)) > 0) as typeof process.stderr.write;
  try {
    const code = await runScan(paths, {
      format: 'table',
      rules: [],
      db: process.env.PALISADE_DB ?? DEFAULT_STORE_PATH,
      keyFile: process.env.PALISADE_SECRET_KEY_FILE,
      store: true,
      findings: 20,
      color: false,
      ...options,
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
  }
}
