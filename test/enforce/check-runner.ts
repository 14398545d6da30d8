/** `palisade check` run in this process: its exit code, the report it wrote and its stderr. */

import { readdirSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCheck, type CheckCommandOptions } from '../../src/cli/check-command.js';

export interface CheckRun {
  code: number;
  /** The report file's text ('' when none was written). */
  report: string;
  stderr: string;
}

/** Runs the gate over `paths` (table format, no policy or rule folder unless given). */
export async function checkHere(
  paths: string[],
  options: Partial<CheckCommandOptions> = {},
): Promise<CheckRun> {
  const output = join(await mkdtemp(join(tmpdir(), 'palisade-check-')), 'report');
  const err: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((t: string) => err.push(t) > 0) as typeof process.stderr.write;
  try {
    const code = await runCheck(paths, {
      format: 'table',
      policy: [],
      rules: [],
      stdinName: 'stdin.yaml',
      output,
      ...options,
    });
    return { code, report: await readFile(output, 'utf8').catch(() => ''), stderr: err.join('') };
  } finally {
    process.stderr.write = write;
  }
}

/**
 * The manifests under `folder` outside Helm charts (a folder with a `Chart.yaml`), as a CI job
 * passes them: the gate fails closed on templates, which are piped in rendered instead.
 */
export function manifestsOutsideCharts(folder: string): string[] {
  const entries = readdirSync(folder, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && /^Chart\.ya?ml$/.test(e.name))) return [];
  return entries.flatMap((e) => {
    const path = join(folder, e.name);
    if (e.isDirectory()) return manifestsOutsideCharts(path);
    return /\.ya?ml$/.test(e.name) ? [path] : [];
  });
}
