/** What `--help` promises matches what the commands do. */

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/paths.js';

function help(command: string): string {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', command, '--help'],
    { cwd: REPO_ROOT, encoding: 'utf8', timeout: 120_000 },
  );
  return run.stdout.replace(/\s+/g, ' ');
}

describe('command help', () => {
  it('says detect --stream prints a Create when an alert is raised and an Update when final', () => {
    const text = help('detect');
    expect(text).toContain('a Create when raised and an Update when final');
    expect(text).not.toContain('once final and keep');
  }, 120_000);
});
