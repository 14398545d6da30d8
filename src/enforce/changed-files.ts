/**
 * Files changed since a git revision, for `palisade check --diff-base REF`: asked of the git
 * repository each checked path lives in, renamed files under their new name, deleted ones
 * included (deleting a `.tfvars` file changes what its configuration's resources are), and files
 * git does not track yet (a new file is a change).
 */

import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A diff base that cannot be used: not a repository, or a revision git does not know. */
export class DiffBaseError extends Error {
  readonly code = 'DIFF_BASE';
  constructor(message: string) {
    super(message);
    this.name = 'DiffBaseError';
  }
}

async function git(cwd: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run('git', args, { cwd, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim().split('\n')[0];
    throw new DiffBaseError(
      `git ${args.join(' ')} in ${cwd}: ${stderr || (error as Error).message}`,
    );
  }
}

async function repositoryRoot(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  const dir = info?.isDirectory() ? path : dirname(path);
  return (await git(dir, ['rev-parse', '--show-toplevel'])).trim();
}

/**
 * Absolute paths of the files changed since `base` in the repositories holding `paths`.
 *
 * ```ts
 * const changed = await changedFiles(['infra/'], 'origin/main');
 * ```
 */
export async function changedFiles(paths: string[], base: string): Promise<Set<string>> {
  if (base.startsWith('-')) throw new DiffBaseError(`"${base}" is not a git revision`);
  const roots = new Set<string>();
  for (const path of paths) roots.add(await repositoryRoot(resolve(path)));
  const changed = new Set<string>();
  for (const root of roots) {
    await git(root, ['rev-parse', '--verify', '--quiet', `${base}^{commit}`]).catch(() => {
      throw new DiffBaseError(`${root}: git does not know the revision "${base}"`);
    });
    const diff = await git(root, [
      'diff',
      '--name-only',
      '-z',
      '--find-renames',
      '--diff-filter=ACDMRT',
      base,
      '--',
    ]);
    const untracked = await git(root, ['ls-files', '-z', '--others', '--exclude-standard']);
    for (const name of `${diff}${untracked}`.split('\0')) {
      if (name) changed.add(resolve(root, name));
    }
  }
  return changed;
}
