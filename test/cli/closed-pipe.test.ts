/** Every command ends quietly when the program reading its output goes away (`| head`). */

import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, shared } from '../support/paths.js';

/** Runs the CLI with a stdout whose reader is already gone; resolves with its ending. */
function palisadeIntoClosedPipe(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: REPO_ROOT,
  });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise<{ code: number | null; signal: string | null; stderr: string }>((done) =>
    child.on('close', (code, signal) => done({ code, signal, stderr })),
  );
}

describe('a reader that leaves early', () => {
  it.each([
    ['rules', ['rules']],
    ['scan -f sarif', ['scan', shared('iac/terragoat'), '-f', 'sarif', '--no-store', '-q']],
    ['scan -f csv', ['scan', shared('iac/terragoat'), '-f', 'csv', '--no-store', '-q']],
    ['detect -f json', ['detect', shared('ssh-logs'), '-f', 'json', '--no-store', '-q']],
  ])(
    'ends %s quietly with exit 0',
    async (_, args) => {
      const run = await palisadeIntoClosedPipe(args);
      expect(run.stderr).not.toMatch(/EPIPE|Unhandled|at .*\(node:/);
      expect(run.code, run.stderr).toBe(0);
    },
    120_000,
  );
});
