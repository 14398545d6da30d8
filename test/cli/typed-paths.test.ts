/** `palisade scan` names a missing path as the user typed it, from whatever folder it runs in. */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pathsAsTyped } from '../../src/cli/typed-paths.js';
import { REPO_ROOT, shared } from '../support/paths.js';

/** Runs the CLI from a folder three levels below the repository root. */
function palisadeFromDeepFolder(args: string[]) {
  const run = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(REPO_ROOT, 'src/cli/main.ts'), ...args],
    { cwd: join(REPO_ROOT, 'test/cli'), encoding: 'utf8', timeout: 120_000 },
  );
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe('paths in errors', () => {
  it('reports a missing absolute path as typed, not as ../../../', () => {
    const run = palisadeFromDeepFolder(['scan', '/nonexistent', '--no-store']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('IO_ERROR /nonexistent: no such file or folder');
    expect(run.stderr).not.toContain('../nonexistent');
  }, 120_000);

  it('shows the missing path as typed in the report beside files that were read', () => {
    const run = palisadeFromDeepFolder([
      'scan',
      shared('iac/terragoat/terraform/aws'),
      '/nonexistent/main.tf',
      '--no-store',
    ]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain('IO_ERROR /nonexistent/main.tf: no such file or folder');
    expect(run.stderr).toContain(`warning: ${shared('iac/terragoat/terraform/aws')}: `);
  }, 120_000);

  it('leaves relative paths the user typed, and other texts, alone', () => {
    const asTyped = pathsAsTyped(['../x', '/']);
    expect(asTyped('../x: no such file or folder')).toBe('../x: no such file or folder');
    expect(asTyped('no resources found')).toBe('no resources found');
  });
});
